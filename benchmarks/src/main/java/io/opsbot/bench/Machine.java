package io.opsbot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The machine and JDK the figures come from, and how busy the machine was while they were taken. */
final class Machine {

    private final Path repo;
    private final String loadAtStart = loadAverage();
    private double highestLoad = load1();
    private String speed = "not measured";

    Machine(Path repo) {
        this.repo = repo;
    }

    int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Remembers the highest 1-minute load average seen; the benchmarks call it between items. */
    void sample() {
        highestLoad = Math.max(highestLoad, load1());
    }

    boolean busy() {
        return highestLoad > cpus();
    }

    String describe() {
        String model = "unknown CPU";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(model);
        } catch (IOException | RuntimeException e) {
            // not Linux: the CPU count still says the size
        }
        long memKb = 0;
        try {
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        } catch (IOException | RuntimeException e) {
            // unknown memory size
        }
        return cpus() + " CPUs (" + model + "), " + String.format(Locale.ROOT, "%.0f GB", memKb / 1024.0 / 1024.0)
                + " RAM, " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /**
     * Two figures that tell a faster machine from a faster opsbot when runs of different days are compared (the same
     * commit's {@code exec} took 0.77 s on one machine of this size and 0.41 s on another): a bare JVM's start
     * ({@code java -version}, the JVM that {@code ./opsbot} runs, with the JDK's own class-data archive) and one thread's
     * speed in this JVM (sorting 4 million random ints, after warming up: plain compiled Java, no CPU-specific intrinsic).
     */
    void measureSpeed(Path dir) {
        try {
            Files.createDirectories(dir);
            List<Double> walls = new ArrayList<>();
            List<Double> cpus = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Timed.Run run = Timed.run(dir, List.of("java", "-Xshare:auto", "-version"), Map.of(), dir);
                if (run.exit() != 0) {
                    throw new IllegalStateException("java -version exited " + run.exit() + ": " + run.stderr());
                }
                walls.add(run.wallMs());
                cpus.add(run.cpuMs());
            }
            int[] data = new java.util.Random(13).ints(4_000_000).toArray();
            List<Double> sorts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int[] copy = data.clone();
                long t = System.nanoTime();
                Arrays.sort(copy);
                if (i >= 3) {
                    sorts.add((System.nanoTime() - t) / 1e6);
                }
            }
            speed = String.format(Locale.ROOT, "`java -version` median %.0f ms wall, %.0f ms CPU (7 runs); sorting 4M random ints in one thread median %.0f ms",
                    ReadyPairs.median(walls), ReadyPairs.median(cpus), ReadyPairs.median(sorts));
        } catch (IOException | RuntimeException e) {
            speed = "not measured: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            speed = "not measured (interrupted)";
        }
    }

    String speed() {
        return speed;
    }

    String loadLine() {
        return "load average (1, 5, 15 min) at the start " + loadAtStart + ", at the end " + loadAverage()
                + ", highest 1-min seen " + String.format(Locale.ROOT, "%.1f", highestLoad);
    }

    String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
    }

    String commit() {
        try {
            Process p = new ProcessBuilder("git", "-C", repo.toString(), "log", "-1", "--format=%h %s").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            Process dirty = new ProcessBuilder("git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true).start();
            boolean changed = !new String(dirty.getInputStream().readAllBytes()).isBlank();
            dirty.waitFor();
            String subject = out.length() > 90 ? out.substring(0, 90) + "…" : out;
            return "`" + subject.replace("`", "'") + "`" + (changed ? " with local changes" : "");
        } catch (IOException e) {
            return "unknown (git not available)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
