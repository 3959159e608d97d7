package io.opsbot.bench;

import io.opsbot.config.OpsbotConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Item 1: a signed slash command into Bolt's real request handling (signature check, dedup, parsing, submission to
 * the workers) until its ack is read back, with 1, 10 and 50 clients sending at once.
 */
final class SlashAckBench implements Benchmark {

    static final String COMMAND = "status nodeapp";
    private static final double TARGET_P99_MS = 50;

    @Override
    public String item() {
        return "1";
    }

    @Override
    public String title() {
        return "Slash-command ack";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(60);
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int[] levels = {1, 10, 50};
        int[] perClient = {ctx.count(40, 4), ctx.count(15, 2), ctx.count(6, 1)};
        List<Row> rows = new ArrayList<>();
        int busyAnswers = 0;
        try (SlackRig rig = new SlackRig(local(ctx), ctx.dir("slash-ack"), Duration.ofSeconds(1), null)) {
            // warm-up: the first requests load Bolt's and the bot's classes and JIT-compile the path
            measure(rig, 10, ctx.count(5, 1), new Stats(), new AtomicInteger());
            drain(rig);
            for (int i = 0; i < levels.length; i++) {
                Stats stats = new Stats();
                AtomicInteger busy = new AtomicInteger();
                measure(rig, levels[i], perClient[i], stats, busy);
                busyAnswers += busy.get();
                drain(rig);
                ctx.say("item 1: " + levels[i] + " concurrent: " + stats.medianP99());
                boolean targeted = levels[i] == 50;
                rows.add(new Row("1", "slash-command ack, " + levels[i] + " concurrent", stats.medianP99(),
                        targeted ? "p99 < 50 ms" : "— (50 concurrent is the target)",
                        targeted ? Row.Verdict.of(stats.p99Ms() < TARGET_P99_MS) : Row.Verdict.NONE));
            }
        }
        JmhFigure work = JmhFigure.run(AckWorkBenchmark.class, ctx.quick);
        ctx.say("item 1: the ack's own work (JMH): " + work.text());
        rows.add(new Row("1", "… the ack's own CPU work: signature check + parse (JMH, one thread)", work.text(), "—", Row.Verdict.NONE));
        return new Result(rows, List.of(
                "The Slack bot in HTTP mode (Bolt's `App` behind opsbot's HTTP transport, as `slack.mode: http` runs it) with "
                        + "its own emulated cluster, in the harness's JVM. Each client sends `/ops " + COMMAND + "` as Slack does — "
                        + "a form body signed with HMAC-SHA256 (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) — over a kept-alive "
                        + "loopback connection, and the clock stops when the HTTP answer (the ack) has been read. The command's work "
                        + "(status, then `chat.postMessage` to the fake Slack) runs on the bot's workers meanwhile, as it would in "
                        + "production; between levels the harness waits until every answer has been posted.",
                "Clients: 1, 10 and 50 threads each sending its requests one after the other; a warm-up round is not counted. "
                        + (busyAnswers > 0 ? busyAnswers + " requests were acked with the bot's \"busy\" answer (more than its 8 workers "
                        + "and 64 waiting commands); they are acks too and are counted." : "Every request was acked as accepted."),
                "The last row is a JMH benchmark (`AckWorkBenchmark`, sample mode, one fork) of the CPU work of one request "
                        + "before its ack without the network: the HMAC-SHA256 signature check Bolt does and opsbot's parsing of "
                        + "the text. The difference from the measured ack is the HTTP exchange and waiting for a thread."));
    }

    /** The local default (no cluster: the emulated one starts in-process) with the repository's catalog. */
    static OpsbotConfig local(Context ctx) {
        return new OpsbotConfig(null, null, null, ctx.apps().toString(), null, null, null);
    }

    private static void measure(SlackRig rig, int clients, int perClient, Stats stats, AtomicInteger busy) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int n = 0; n < perClient; n++) {
                        SlashCommands.Ack ack = rig.commands.send(COMMAND, "UVIEW", SlackRig.CHANNEL);
                        if (ack.status() != 200) {
                            throw new IllegalStateException("the bot answered HTTP " + ack.status() + ": " + ack.body());
                        }
                        if (ack.body().contains("busy")) {
                            busy.incrementAndGet();
                        }
                        stats.record(ack.nanos());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the bot has posted an answer for every command it took, so one level's work does not load the next. */
    private static void drain(SlackRig rig) {
        int[] last = {-1};
        long[] stableSince = {System.nanoTime()};
        Waits.until("the bot to post the answers of the commands acked so far", Duration.ofMinutes(5), () -> {
            int posted = rig.slack.calls(c -> c.method().startsWith("chat.")).size();
            if (posted != last[0]) {
                last[0] = posted;
                stableSince[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - stableSince[0] > Duration.ofMillis(500).toNanos();
        });
    }
}
