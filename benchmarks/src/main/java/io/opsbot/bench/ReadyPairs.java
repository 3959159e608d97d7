package io.opsbot.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Item 9's start to ready, alternated between builds: for A/B pairs of a change to the bot's start. Each argument after
 * the number of rounds is a folder holding a build as {@code ./opsbot} runs it ({@code opsbot}, {@code config/},
 * {@code bot/target/opsbot.jar}: copy them from a worktree after {@code mvn package}). Each round starts the Slack bot of
 * every build once, in turn (reversed every other round), through item 9's own start ({@link FootprintBench.Started#start}:
 * {@code ./opsbot --config} in HTTP mode against the harness's fake Slack and an emulated cluster in a process of its
 * own, a fresh home; ready when it prints {@code serving Slack}; then a signed {@code /ops help} must be acked and
 * answered), and prints the wall time and the process's CPU time at ready, then the medians per build.
 *
 * <pre>java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) io.opsbot.bench.ReadyPairs 6 /tmp/A /tmp/B</pre>
 */
public final class ReadyPairs {

    private ReadyPairs() {
    }

    record Start(double wallMs, long cpuMs, long idleKb) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReadyPairs ROUNDS BUILD_FOLDER...");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[0]);
        List<Path> builds = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            builds.add(Path.of(args[i]).toAbsolutePath());
        }
        Path dir = Files.createTempDirectory("ready-pairs");
        Path catalog = ManyApps.write(dir.resolve("apps"), ThroughputBench.APPS);
        Map<Path, List<Start>> starts = new LinkedHashMap<>();
        for (Path build : builds) {
            starts.put(build, new ArrayList<>());
            warm(build, dir.resolve("warm-up-home")); // the start-up archive is made once per build, untimed
        }
        try (SimProcess sim = new SimProcess(builds.get(0), dir.resolve("sim-home"), catalog); FakeSlack slack = new FakeSlack()) {
            for (int round = 0; round < rounds; round++) {
                List<Path> order = new ArrayList<>(builds);
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Path build : order) {
                    Start s = once(build, dir.resolve("round" + round + "-" + build.getFileName()), sim, catalog, slack);
                    starts.get(build).add(s);
                    System.out.printf("round %d %s: ready %.0f ms, CPU %d ms, idle RSS %d MiB, load %s%n", round,
                            build.getFileName(), s.wallMs(), s.cpuMs(), s.idleKb() / 1024, Files.readString(Path.of("/proc/loadavg")).trim());
                }
            }
        }
        for (Map.Entry<Path, List<Start>> e : starts.entrySet()) {
            System.out.printf("%s: ready median %.0f ms (%s), CPU median %.0f ms, idle RSS median %.0f MiB%n",
                    e.getKey().getFileName(), median(e.getValue().stream().map(Start::wallMs).toList()),
                    e.getValue().stream().map(s -> String.format("%.0f", s.wallMs())).toList(),
                    median(e.getValue().stream().map(s -> (double) s.cpuMs()).toList()),
                    median(e.getValue().stream().map(s -> s.idleKb() / 1024.0).toList()));
        }
        System.exit(0);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void warm(Path build, Path home) throws Exception {
        ProcessBuilder b = new ProcessBuilder(build.resolve("opsbot").toString(), "--help").directory(build.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        b.environment().put("OPSBOT_HOME", home.toString());
        Process p = b.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(build + "/opsbot --help did not end within 5 minutes");
        }
    }

    /** One start of item 9 ({@link FootprintBench.Started#start}), then its idle memory as item 9 takes it; stopped after. */
    private static Start once(Path build, Path dir, SimProcess sim, Path catalog, FakeSlack slack) throws Exception {
        Files.createDirectories(dir);
        FootprintBench.Started bot = FootprintBench.Started.start(build, dir, sim, catalog, slack, "bot");
        try {
            // idle resident memory as item 9 takes it: the median of 10 samples 5 s after it answered help
            Thread.sleep(5000);
            List<Double> idle = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                idle.add((double) rssKb(bot.process().pid()));
                Thread.sleep(100);
            }
            return new Start(bot.readyMs(), bot.cpuMs(), Math.round(median(idle)));
        } finally {
            bot.stop();
        }
    }

    /** VmRSS of a process (the JVM: the launcher execs it), in KiB. */
    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
