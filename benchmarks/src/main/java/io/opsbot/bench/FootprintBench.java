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
import java.util.stream.Collectors;

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
    public Result run(Context ctx) throws Exception {
        int apps = ctx.count(ThroughputBench.APPS, 5);
        Path dir = ctx.dir("footprint");
        Path catalog = ManyApps.write(dir.resolve("apps"), apps);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        double readyMs;
        long idleKb;
        long loadKb;
        int busyRetries;
        double loadMs;
        try (FakeSlack slack = new FakeSlack()) {
            Path config = writeConfig(dir.resolve("opsbot.yaml"), port, slack.apiUrl(), catalog);
            ProcessBuilder builder = new ProcessBuilder(ctx.repo.resolve("opsbot").toString(), "--config", config.toString())
                    .directory(ctx.repo.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("OPSBOT_HOME", dir.resolve("home").toString());
            long start = System.nanoTime();
            Process bot = builder.start();
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
                Waits.until("the Slack bot to say it serves Slack", Duration.ofMinutes(5), () -> {
                    if (!bot.isAlive()) {
                        throw new IllegalStateException("./opsbot ended with " + bot.exitValue() + ": " + said);
                    }
                    return readyAt.get() != 0;
                });
                readyMs = (readyAt.get() - start) / 1e6;
                SlashCommands commands = new SlashCommands(port, slack.responseUrl());
                if (commands.send("help", "UVIEW", SlackRig.CHANNEL).status() != 200) {
                    throw new IllegalStateException("the bot did not ack a command once ready");
                }
                Waits.until("the bot to answer help", Duration.ofMinutes(1), () -> !slack.calls(c -> c.method().startsWith("chat.")).isEmpty());
                // idle: a few seconds after it is ready and has answered once
                Thread.sleep(ctx.quick ? 500 : 5000);
                List<Long> idle = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    idle.add(rssKb(bot.toHandle()));
                    Thread.sleep(100);
                }
                idleKb = idle.stream().sorted().toList().get(idle.size() / 2);

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
                long loadStart = System.nanoTime();
                busyRetries = sendAll(commands, ManyApps.operations(apps));
                int expected = ManyApps.operations(apps).size();
                Waits.until(expected + " operations to finish in Slack", Duration.ofMinutes(10), () -> finals(slack) >= expected);
                loadMs = (System.nanoTime() - loadStart) / 1e6;
                stop.set(1);
                sampler.join();
                loadKb = highest.get();
            } finally {
                bot.toHandle().descendants().forEach(ProcessHandle::destroy);
                bot.destroy();
                if (!bot.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    bot.destroyForcibly();
                }
            }
        }
        ctx.say("item 9: ready " + Report.ms(readyMs) + ", idle " + idleKb / 1024 + " MiB, under load " + loadKb / 1024 + " MiB");
        int ops = ManyApps.operations(apps).size();
        return new Result(List.of(
                new Row("9", "Slack bot (`./opsbot --config`, HTTP mode): start to ready", Report.ms(readyMs) + " (one start)", "< 2 s",
                        Row.Verdict.of(readyMs < TARGET_READY_MS)),
                new Row("9", "… resident memory idle", idleKb / 1024 + " MiB", "< 200 MB", Row.Verdict.of(idleKb * 1024 < TARGET_IDLE_MB * 1_000_000)),
                new Row("9", "… resident memory under " + ops + " operations over " + apps + " apps sent at once", "highest " + loadKb / 1024
                        + " MiB (all done in " + Report.ms(loadMs) + ")", "—", Row.Verdict.NONE)), List.of(
                "`./opsbot --config opsbot.yaml` started by the harness as a user starts it (the real launcher; stdin from "
                        + "/dev/null), with a `slack` section in HTTP mode whose `apiUrl` is a fake Slack in the harness, no "
                        + "`cluster` section (so its own emulated cluster runs in the bot's JVM, as the local default does) and the "
                        + "generated catalog of item 8. Ready: from fork until it prints `serving Slack` (it has checked the token "
                        + "with `auth.test`, opened its journal and listens); a signed `/ops help` is then acked and answered.",
                "Resident memory is `VmRSS` from `/proc/PID/status` of the launcher's process and its descendants: idle, "
                        + "the median of 10 samples taken 5 s after it answered `help`; under load, the highest of samples every "
                        + "100 ms while " + ops + " signed slash commands (item 8's operations) are sent by 50 clients at once and "
                        + "until every operation's final message reached the fake Slack. The bot runs at most 8 commands at once "
                        + "and queues 64; a command answered \"busy\" is sent again 0.5 s later ("
                        + busyRetries + " such retries in this run)."));
    }

    private static Path writeConfig(Path file, int port, String apiUrl, Path catalog) throws IOException {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("apps", catalog.toString());
        Map<String, Object> slack = new LinkedHashMap<>();
        slack.put("mode", "http");
        slack.put("port", port);
        slack.put("botToken", SlashCommands.BOT_TOKEN);
        slack.put("signingSecret", SlashCommands.SECRET);
        slack.put("apiUrl", apiUrl);
        yaml.put("slack", slack);
        yaml.put("access", Map.of("roles", SlackRig.ACCESS.roles()));
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), yaml);
        return file;
    }

    /** Operations whose final message (succeeded or failed) reached Slack. */
    private static long finals(FakeSlack slack) {
        Set<String> done = slack.calls(c -> c.method().equals("chat.update")
                        && (c.param("text").contains("succeeded") || c.param("text").contains("failed")))
                .stream().map(c -> c.param("ts")).collect(Collectors.toSet());
        return done.size();
    }

    /** Sends every command once accepted: 50 clients; a "busy" ack is retried after 0.5 s. Returns the retries. */
    private static int sendAll(SlashCommands commands, List<String> texts) throws Exception {
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(texts);
        AtomicInteger retries = new AtomicInteger();
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
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return retries.get();
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
