package io.opsbot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Item 9's start to ready, alternated between builds: for A/B pairs of a change to the bot's start. Each argument after
 * the number of rounds is a folder holding a build as {@code ./opsbot} runs it ({@code opsbot}, {@code config/},
 * {@code bot/target/opsbot.jar}: copy them from a worktree after {@code mvn package}). Each round starts the Slack bot of
 * every build once, in turn (reversed every other round), exactly as item 9 does ({@code ./opsbot --config} in HTTP
 * mode against the harness's fake Slack and an emulated cluster in a process of its own, a fresh home; ready when it
 * prints {@code serving Slack}; then a signed {@code /ops help} must be acked and answered), and prints the wall time
 * and the process's CPU time at ready, then the medians per build.
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

    @SuppressWarnings("unchecked")
    private static Start once(Path build, Path dir, SimProcess sim, Path catalog, FakeSlack slack) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path file = sim.writeConfig(dir.resolve("opsbot.yaml"), catalog);
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        Map<String, Object> yaml = mapper.readValue(file.toFile(), LinkedHashMap.class);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("mode", "http");
        section.put("port", port);
        section.put("botToken", SlashCommands.BOT_TOKEN);
        section.put("signingSecret", SlashCommands.SECRET);
        section.put("apiUrl", slack.apiUrl());
        yaml.put("slack", section);
        yaml.put("access", Map.of("roles", SlackRig.ACCESS.roles()));
        mapper.writeValue(file.toFile(), yaml);
        ProcessBuilder builder = new ProcessBuilder(build.resolve("opsbot").toString(), "--config", file.toString())
                .directory(build.toFile()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("OPSBOT_HOME", dir.resolve("home").toString());
        builder.environment().put("OPSBOT_LOG_DIR", dir.resolve("logs").toString());
        long start = System.nanoTime();
        Process bot = builder.start();
        AtomicLong readyAt = new AtomicLong();
        StringBuffer said = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(bot.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.contains("serving Slack")) {
                        readyAt.compareAndSet(0, System.nanoTime());
                    }
                    said.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "ready-pairs-output");
        reader.setDaemon(true);
        reader.start();
        try {
            Waits.until("the Slack bot to say it serves Slack", Duration.ofMinutes(3), () -> {
                if (!bot.isAlive()) {
                    throw new IllegalStateException("./opsbot ended with " + bot.exitValue() + ": " + said);
                }
                return readyAt.get() != 0;
            });
            double wallMs = (readyAt.get() - start) / 1e6;
            long cpuMs = cpuMs(bot.pid());
            int before = slack.calls(c -> c.method().startsWith("chat.")).size();
            if (new SlashCommands(port, slack.responseUrl()).send("help", "UVIEW", SlackRig.CHANNEL).status() != 200) {
                throw new IllegalStateException("the bot did not ack a command once ready");
            }
            Waits.until("the bot to answer help", Duration.ofMinutes(1),
                    () -> slack.calls(c -> c.method().startsWith("chat.")).size() > before);
            // idle resident memory as item 9 takes it: the median of 10 samples 5 s after it answered help
            Thread.sleep(5000);
            List<Double> idle = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                idle.add((double) rssKb(bot.pid()));
                Thread.sleep(100);
            }
            return new Start(wallMs, cpuMs, Math.round(median(idle)));
        } finally {
            bot.toHandle().descendants().forEach(ProcessHandle::destroy);
            bot.destroy();
            if (!bot.waitFor(30, TimeUnit.SECONDS)) {
                bot.destroyForcibly();
            }
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

    /** User and system CPU time of a process so far (the launcher execs java: the JVM is the forked process). */
    private static long cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / 100; // clock ticks of 10 ms
    }
}
