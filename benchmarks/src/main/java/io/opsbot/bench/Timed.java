package io.opsbot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one whole process as a user's shell would, under GNU time ({@code /usr/bin/time -f}): its wall time (measured
 * here, from fork to exit), the CPU time of it and its children (user + system), and the largest resident set.
 */
final class Timed {

    /** @param cpuMs user + system CPU of the process and the children it waited for; maxRssKb the largest of them */
    record Run(String command, int exit, double wallMs, double cpuMs, long maxRssKb, String stdout, String stderr) {}

    static final String GNU_TIME = "/usr/bin/time";

    private Timed() {
    }

    static Run run(Path dir, List<String> command, Map<String, String> env, Path workDir) throws IOException, InterruptedException {
        Path timeFile = Files.createTempFile(dir, "time", ".txt");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> line = new ArrayList<>(List.of(GNU_TIME, "-f", "%e %U %S %M", "-o", timeFile.toString()));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process p = builder.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end within 10 minutes");
        }
        double wallMs = (System.nanoTime() - start) / 1e6;
        String[] t = Files.readString(timeFile).trim().lines().reduce((a, b) -> b).orElse("").split("\\s+");
        if (t.length < 4) {
            throw new IllegalStateException("GNU time wrote no figures for " + String.join(" ", command) + ": " + Files.readString(timeFile));
        }
        double cpu = (Double.parseDouble(t[1]) + Double.parseDouble(t[2])) * 1000;
        Run run = new Run(String.join(" ", command), p.exitValue(), wallMs, cpu, Long.parseLong(t[3]), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(timeFile);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return run;
    }
}
