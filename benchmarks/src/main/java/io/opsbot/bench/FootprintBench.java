package io.opsbot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Item 9: the Slack bot as users run it ({@code ./opsbot --config opsbot.yaml} with a slack section, HTTP mode,
 * posting to a fake Slack in the harness): start to ready, resident memory idle, and under item 8's load (200
 * operations over 100 apps sent as slash commands at once).
 */
final class FootprintBench implements Benchmark {

    private static final double TARGET_READY_MS = 2000;
    private static final long TARGET_IDLE_MB = 200;

    @Override
    public String item() {
        return "9";
    }

    @Override
    public String title() {
        return "Footprint of the Slack bot";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(90);
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int apps = ctx.count(ThroughputBench.APPS, 5);
        int ops = ManyApps.operations(apps).size();
        Path dir = ctx.dir("footprint");
        Path catalog = ManyApps.write(dir.resolve("apps"), apps);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int starts = ctx.count(STARTS, 1);
        notes.add("`./opsbot --config opsbot.yaml` started by the harness as a user starts it (the real launcher; stdin from "
                + "/dev/null), with a `slack` section in HTTP mode whose `apiUrl` is a fake Slack in the harness, a `cluster` "
                + "section naming an emulated cluster that runs as a process of its own (`./opsbot sim --port 0 --reset` with "
                + "the generated catalog of item 8, started before the clock), as a real cluster is, so that the figures are the "
                + "bot's alone; the catalog is the same. Before it, `./opsbot --help` runs untimed, so that a start-up archive the launcher "
                + "makes once per build is not counted. Ready: from fork until it prints `serving Slack` (it has checked the token "
                + "with `auth.test`, opened its journal and listens); a signed `/ops help` is then acked and answered. The bot is "
                + "started " + starts + " times, one after the other, each on a fresh `$OPSBOT_HOME` (its journal created and migrated) "
                + "and port; the figure is their min / median / max, the memory is the last start's.");
        // not timed: the launcher makes its start-up archive once per build (a training run of its own) at the first
        // start after a build; a user's bot starts from it afterwards, so the measured start does too
        warmLauncher(ctx, dir);
        // the emulated cluster in a process of its own, as a real cluster is: the bot's start and memory are its own
        try (SimProcess sim = new SimProcess(ctx.repo, dir.resolve("sim-home"), catalog); FakeSlack slack = new FakeSlack()) {
            Stats ready = new Stats();
            Started bot = null;
            try {
                for (int i = 1; i <= starts; i++) {
                    if (bot != null) {
                        bot.stop();
                    }
                    bot = Started.start(ctx.repo, dir, sim, catalog, slack, Integer.toString(i));
                    ready.record((long) (bot.readyMs * 1e6));
                }
                rows.add(new Row("9", "Slack bot (`./opsbot --config`, HTTP mode): start to ready", ready.minMedianMax(),
                        "< 2 s (median)", Row.Verdict.of(ready.medianMs() < TARGET_READY_MS)));
                // idle: a few seconds after it is ready and has answered once
                Thread.sleep(ctx.quick ? 500 : 5000);
                List<Long> idle = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    idle.add(rssKb(bot.process.toHandle()));
                    Thread.sleep(100);
                }
                long idleKb = idle.stream().sorted().toList().get(idle.size() / 2);
                rows.add(new Row("9", "… resident memory idle", idleKb / 1024 + " MiB", "< 200 MB",
                        Row.Verdict.of(idleKb * 1024 < TARGET_IDLE_MB * 1_000_000)));
                ctx.say("item 9: ready " + ready.minMedianMax() + ", idle " + idleKb / 1024 + " MiB");
                notes.add("Resident memory is `VmRSS` from `/proc/PID/status` of the launcher's process and its descendants: idle, "
                        + "the median of 10 samples taken 5 s after it answered `help`; under load, the highest of samples every "
                        + "100 ms while " + ops + " signed slash commands (item 8's operations) are sent by 50 clients at once and "
                        + "until every operation's final message reached the fake Slack (its message, posted or edited, shows it "
                        + "succeeded or failed).");
                try {
                    load(ctx, bot.process, slack, bot.commands, apps, idleKb, rows, notes);
                } catch (Exception e) {
                    throw new PartlyRun("resident memory under " + ops + " operations over " + apps + " apps sent at once",
                            new Result(rows, notes), e);
                }
            } finally {
                if (bot != null) {
                    bot.stop();
                }
            }
        }
        return new Result(rows, notes);
    }

    /** How many times the bot is started for its start-to-ready figure (each on a fresh home). */
    private static final int STARTS = 5;

    /**
     * One start of {@code ./opsbot --config}: ready (it said `serving Slack`) and checked (it answered a signed help),
     * with the JVM's CPU time at ready ({@code ReadyPairs} alternates these starts between builds).
     */
    record Started(Process process, double readyMs, long cpuMs, SlashCommands commands) {

        /**
         * Starts the Slack bot of the build in {@code build} (a folder with {@code opsbot}, {@code config/} and
         * {@code bot/target/opsbot.jar}, as a worktree has them) on a fresh home, port and opsbot.yaml under {@code dir},
         * all named after {@code name}, and waits until it is ready and has answered a signed help.
         */
        static Started start(Path build, Path dir, SimProcess sim, Path catalog, FakeSlack slack, String name) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path config = writeConfig(sim.writeConfig(dir.resolve("opsbot-" + name + ".yaml"), catalog), port, slack.apiUrl());
            ProcessBuilder builder = new ProcessBuilder(build.resolve("opsbot").toString(), "--config", config.toString())
                    .directory(build.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Path home = dir.resolve("home-" + name);
            builder.environment().put("OPSBOT_HOME", home.toString());
            builder.environment().put("OPSBOT_LOG_DIR", home.resolve("logs").toString());
            long start = System.nanoTime();
            Process bot = builder.start();
            Started started = new Started(bot, 0, 0, null);
            try {
                AtomicLong readyAt = new AtomicLong();
                StringBuilder said = new StringBuilder();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(bot.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (line.contains("serving Slack")) {
                                readyAt.compareAndSet(0, System.nanoTime());
                            }
                            synchronized (said) {
                                if (said.length() < 20_000) {
                                    said.append(line).append('\n');
                                }
                            }
                        }
                    } catch (IOException e) {
                        // ended
                    }
                }, "bench-bot-output");
                reader.setDaemon(true);
                reader.start();
                Waits.until("the Slack bot to say it serves Slack", Duration.ofMinutes(3), () -> {
                    if (!bot.isAlive()) {
                        throw new IllegalStateException("./opsbot ended with " + bot.exitValue() + ": " + said);
                    }
                    return readyAt.get() != 0;
                });
                double readyMs = (readyAt.get() - start) / 1e6;
                long cpuMs = processCpuMs(bot.pid());
                SlashCommands commands = new SlashCommands(port, slack.responseUrl());
                int answered = slack.calls(c -> c.method().startsWith("chat.")).size();
                if (commands.send("help", "UVIEW", SlackRig.CHANNEL).status() != 200) {
                    throw new IllegalStateException("the bot did not ack a command once ready");
                }
                Waits.until("the bot to answer help", Duration.ofMinutes(1),
                        () -> slack.calls(c -> c.method().startsWith("chat.")).size() > answered);
                return new Started(bot, readyMs, cpuMs, commands);
            } catch (Exception | Error e) {
                started.stop();
                throw e;
            }
        }

        /** Stops the bot and what it started, bounded. */
        void stop() throws InterruptedException {
            process.toHandle().descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Item 8's operations as slash commands, all at once; the highest RSS until every one's final message is in Slack. */
    private static void load(Context ctx, Process bot, FakeSlack slack, SlashCommands commands, int apps, long idleKb, List<Row> rows,
                             List<String> notes) throws Exception {
        List<String> operations = ManyApps.operations(apps);
        AtomicLong highest = new AtomicLong(idleKb);
        AtomicInteger stop = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (stop.get() == 0) {
                highest.accumulateAndGet(rssKb(bot.toHandle()), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        AtomicInteger retries = new AtomicInteger();
        try {
            long loadStart = System.nanoTime();
            sendAll(commands, operations, retries);
            int expected = operations.size();
            try {
                Waits.until(expected + " operations to show their end in Slack", LOAD_WAIT, () -> {
                    if (!bot.isAlive()) {
                        throw new IllegalStateException("./opsbot ended with " + bot.exitValue());
                    }
                    return Finals.of(slack).ended() >= expected;
                });
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + " (" + Finals.of(slack) + ")", e);
            }
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            stop.set(1);
            sampler.join();
            long loadKb = highest.get();
            ctx.say("item 9: under load " + loadKb / 1024 + " MiB, all done in " + Report.ms(loadMs));
            rows.add(new Row("9", "… resident memory under " + expected + " operations over " + apps + " apps sent at once", "highest "
                    + loadKb / 1024 + " MiB (all done in " + Report.ms(loadMs) + ")", "—", Row.Verdict.NONE));
            notes.add("The bot runs at most 8 commands at once and queues 64; a command answered \"busy\" is sent again 0.5 s later ("
                    + retries.get() + " such retries in this run). " + Finals.of(slack) + ".");
        } finally {
            stop.set(1);
            sampler.interrupt();
        }
    }

    /** How long the load part waits for every operation's end to reach Slack (item 8 takes about 30 s on a busy machine). */
    private static final Duration LOAD_WAIT = Duration.ofMinutes(3);

    /**
     * What the fake Slack shows of the operations' messages: a message is one ts, first posted then edited; it shows the
     * operation's end when a write of it (the post itself, when the operation ended before its first send went out) has
     * the final text, e.g. ":white_check_mark: scale app001 2 succeeded". Writes of a final state are counted too: more
     * than the messages is a duplicate edit.
     */
    record Finals(int messages, int ended, int finalWrites, Map<String, Integer> states) {
        private static final java.util.regex.Pattern FINAL = java.util.regex.Pattern.compile(
                "scale app\\d+ \\d+ (succeeded|failed|cancelled|refused)$");

        static Finals of(FakeSlack slack) {
            Set<String> messages = new java.util.HashSet<>();
            Map<String, String> ended = new java.util.HashMap<>();
            int writes = 0;
            for (FakeSlack.Call c : slack.calls(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update"))) {
                String text = c.param("text");
                if (!text.contains("scale app")) {
                    continue; // help's answer
                }
                messages.add(c.param("ts"));
                java.util.regex.Matcher m = FINAL.matcher(text);
                if (m.find()) {
                    ended.put(c.param("ts"), m.group(1));
                    writes++;
                }
            }
            Map<String, Integer> states = new java.util.TreeMap<>();
            ended.values().forEach(state -> states.merge(state, 1, Integer::sum));
            return new Finals(messages.size(), ended.size(), writes, states);
        }

        @Override
        public String toString() {
            return "operation messages seen at the fake Slack: " + messages + "; showing their end: " + ended + " " + states
                    + "; writes of a final state: " + finalWrites;
        }
    }

    /** {@code ./opsbot --help}, bounded: builds the jar or the start-up archive if they are stale, outside the clock. */
    private static void warmLauncher(Context ctx, Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ctx.repo.resolve("opsbot").toString(), "--help").directory(ctx.repo.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("warm-up.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("OPSBOT_HOME", dir.resolve("warm-up-home").toString());
        Process warm = builder.start();
        if (!warm.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            warm.destroyForcibly();
            throw new IllegalStateException("./opsbot --help did not end within 5 minutes (see " + dir.resolve("warm-up.log") + ")");
        }
    }

    /** Adds a Slack section in HTTP mode and the harness's roles to the opsbot.yaml that points at the emulated cluster. */
    @SuppressWarnings("unchecked")
    private static Path writeConfig(Path file, int port, String apiUrl) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        Map<String, Object> yaml = mapper.readValue(file.toFile(), LinkedHashMap.class);
        Map<String, Object> slack = new LinkedHashMap<>();
        slack.put("mode", "http");
        slack.put("port", port);
        slack.put("botToken", SlashCommands.BOT_TOKEN);
        slack.put("signingSecret", SlashCommands.SECRET);
        slack.put("apiUrl", apiUrl);
        yaml.put("slack", slack);
        yaml.put("access", Map.of("roles", SlackRig.ACCESS.roles()));
        mapper.writeValue(file.toFile(), yaml);
        return file;
    }

    /** Sends every command once accepted: 50 clients; a "busy" ack is sent again after 0.5 s, counted in {@code retries}. */
    private static void sendAll(SlashCommands commands, List<String> texts, AtomicInteger retries) throws Exception {
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(texts);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(pool.submit(() -> {
                    String text;
                    while ((text = queue.poll()) != null) {
                        while (true) {
                            SlashCommands.Ack ack = commands.send(text, SlackRig.OPERATOR, SlackRig.CHANNEL);
                            if (ack.status() != 200) {
                                throw new IllegalStateException("the bot answered HTTP " + ack.status() + " to " + text);
                            }
                            if (!ack.body().contains("busy")) {
                                break;
                            }
                            retries.incrementAndGet();
                            Thread.sleep(500);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(LOAD_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** User and system CPU time of a process so far (the launcher execs java: the JVM is the forked process). */
    static long processCpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / 100; // clock ticks of 10 ms
    }

    /** VmRSS of the process and its descendants, in KiB (0 once gone). */
    static long rssKb(ProcessHandle process) {
        long total = rssOf(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            total += rssOf(child.pid());
        }
        return total;
    }

    private static long rssOf(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
