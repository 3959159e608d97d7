package io.opsbot.bench;

import io.opsbot.config.OpsbotConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        return Duration.ofSeconds(100); // the target level's warm-up until the JIT is quiet takes up to 45 s of it
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int[] levels = {1, 10, 50};
        int[] perClient = {ctx.count(40, 4), ctx.count(15, 2), ctx.count(6, 1)};
        List<Row> rows = new ArrayList<>();
        List<String> during = new ArrayList<>();
        int busyAnswers = 0;
        int outsideBusy = 0;
        String cpuPerAck = "";
        try (SlackRig rig = new SlackRig(local(ctx), ctx.dir("slash-ack"), Duration.ofSeconds(1), null)) {
            // warm-up: the first requests load Bolt's and the bot's classes and JIT-compile the path; then the 50-client
            // level twice (its busy answers, 50 kept-alive connections), so that a production bot's warm state is measured
            measure(rig, 10, ctx.count(5, 1), new Stats(), new AtomicInteger());
            drain(rig);
            for (int w = 0; w < (ctx.quick ? 1 : 2); w++) {
                measure(rig, 50, ctx.count(2, 1), new Stats(), new AtomicInteger());
                drain(rig);
            }
            for (int i = 0; i < levels.length; i++) {
                Stats stats = new Stats();
                AtomicInteger busy = new AtomicInteger();
                Jvm before = Jvm.now();
                measure(rig, levels[i], perClient[i], stats, busy);
                Jvm spent = Jvm.now().minus(before);
                busyAnswers += busy.get();
                drain(rig);
                ctx.say("item 1: " + levels[i] + " concurrent: " + stats.medianP99() + "; " + spent);
                during.add(levels[i] + " concurrent: " + spent);
                rows.add(new Row("1", "slash-command ack, " + levels[i] + " concurrent (clients in the bot's JVM)", stats.medianP99(),
                        "— (50 concurrent from a process of their own is the target)", Row.Verdict.NONE));
            }
            // the target level again, the clients in a process of their own as Slack's are (not in the bot's JVM)
            Stats outside = new Stats();
            AtomicInteger busy = new AtomicInteger();
            try (Clients clients = new Clients(rig)) {
                String warmUp = warmUntilSteady(ctx, rig, clients);
                during.add("warm-up of the target level: " + warmUp);
                Jvm before = Jvm.now();
                long clientsCpuBefore = clients.cpuNanos();
                long clientsJitBefore = clients.jitMillis;
                long wallBefore = System.nanoTime();
                clients.measure(50, ctx.count(6, 1), outside, busy);
                long wall = System.nanoTime() - wallBefore;
                long clientsCpu = clients.cpuNanos() - clientsCpuBefore;
                Jvm spent = Jvm.now().minus(before);
                drain(rig);
                long n = Math.max(1, outside.count());
                cpuPerAck = String.format(Locale.ROOT, "it took %.0f ms of wall time for %d requests; CPU used meanwhile: the bot's "
                                + "JVM %.0f ms (%.2f ms per request: the acks, and the accepted commands' work with the emulated cluster and "
                                + "the fake Slack on its workers), the clients' process %.0f ms (%.2f ms per request); of the two CPUs' "
                                + "%.0f ms in that time, %.0f%% went to these two processes",
                        wall / 1e6, n, spent.cpuNanos() / 1e6, spent.cpuNanos() / 1e6 / n, clientsCpu / 1e6, clientsCpu / 1e6 / n,
                        2 * wall / 1e6, 100.0 * (spent.cpuNanos() + clientsCpu) / (2.0 * wall));
                ctx.say("item 1: 50 concurrent, clients in a process of their own: " + outside.medianP99() + "; " + spent
                        + " (the clients' JIT " + (clients.jitMillis - clientsJitBefore) + " ms); " + cpuPerAck);
                during.add("50 concurrent, clients in a process of their own: " + spent + " (the clients' JIT "
                        + (clients.jitMillis - clientsJitBefore) + " ms)");
            }
            outsideBusy = busy.get();
            rows.add(new Row("1", "slash-command ack, 50 concurrent, clients in a process of their own (as Slack's are)",
                    outside.medianP99(), "p99 < 50 ms", Row.Verdict.of(outside.p99Ms() < TARGET_P99_MS)));
        }
        JmhFigure work = JmhFigure.run(AckWorkBenchmark.class, ctx.quick);
        ctx.say("item 1: the ack's own work (JMH): " + work.text());
        rows.add(new Row("1", "… the ack's own CPU work: signature check + parse (JMH, one thread)", work.text(), "—", Row.Verdict.NONE));
        return new Result(rows, List.of(
                "The Slack bot in HTTP mode (Bolt's `App` behind opsbot's HTTP transport, as `slack.mode: http` runs it) with "
                        + "its own emulated cluster, in the harness's JVM, which is the bot's stand-in here (its garbage collector "
                        + "is the harness's: " + gcNames() + "). Each client sends `/ops " + COMMAND + "` as Slack does — "
                        + "a form body signed with HMAC-SHA256 (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) — over a kept-alive "
                        + "loopback connection, and the clock stops when the HTTP answer (the ack) has been read. The command's work "
                        + "(status, then `chat.postMessage` to the fake Slack) runs on the bot's workers meanwhile, as it would in "
                        + "production; between levels the harness waits until every answer has been posted.",
                "Clients: 1, 10 and 50 threads each sending its requests one after the other, first in the harness's (the "
                        + "bot's) JVM, with OkHttp, signing each request as it goes; then 50 again from a process of their own "
                        + "(`AckClients`, started by the harness, its own warm-up first), which is the row with the target: "
                        + "Slack's clients are not in the bot's JVM (clients inside it add their allocation to the bot's garbage "
                        + "collections and their JIT work to its compiler threads), and they are not on the bot's CPUs. These "
                        + "clients are on them — this machine has two — so they are made lean, as a load generator should be: "
                        + "one kept-alive connection each (TCP_NODELAY), every request signed before the clock starts, and a "
                        + "request is one socket write and the answer's read; their JVM runs with " + String.join(" ", CLIENTS_JVM)
                        + " (C1 only: with C2 it was still compiling the clients' loop after 20 rounds). "
                        + "Warm-up, not counted: 10 clients × 5 requests and the 50-client level twice in the bot's JVM; then, "
                        + "before the target level, rounds of it from the clients' process until neither JVM's JIT worked more "
                        + "than " + QUIET_JIT_MS + " ms in a round twice in a row, or " + STEADY_BOUND.toSeconds() + " s (a bot "
                        + "runs for days: a level measured while the compilers still take hundreds of milliseconds of the two "
                        + "CPUs measures the JIT). "
                        + (busyAnswers + outsideBusy > 0 ? (busyAnswers + outsideBusy) + " requests were acked with the bot's \"busy\" "
                        + "answer (more than its 8 workers and 64 waiting commands); they are acks too and are counted."
                        : "Every request was acked as accepted."),
                "In the bot's JVM while each level ran (garbage collections and their total time from the JVM's collector "
                        + "beans; JIT: the compilers' time): " + String.join("; ", during)
                        + ". The target level (clients in a process of their own): " + cpuPerAck
                        + ". Each client's first request of a level arrives with the 49 others at once: the slowest acks are "
                        + "those of that burst, which waits for CPU behind the other acks of the burst, the commands they "
                        + "started and the clients themselves.",
                "The last row is a JMH benchmark (`AckWorkBenchmark`, sample mode, one fork) of the CPU work of one request "
                        + "before its ack without the network: the HMAC-SHA256 signature check Bolt does and opsbot's parsing of "
                        + "the text. The difference from the measured ack is the HTTP exchange and waiting for a thread."));
    }

    /** The clients' JVM's options: see {@link Clients}. */
    static final List<String> CLIENTS_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC", "-Xmx64m");
    /** A warm-up round of the target level in which neither JVM compiled more than this counts as quiet. */
    static final long QUIET_JIT_MS = 30;
    /** The longest the target level's warm-up runs when the JIT does not quiet down. */
    static final Duration STEADY_BOUND = Duration.ofSeconds(45);

    /**
     * Rounds of the target level (50 clients × 6 requests from the clients' process) until neither JVM's compilers
     * worked more than {@link #QUIET_JIT_MS} in a round, twice in a row, or {@link #STEADY_BOUND} passed: a bot runs
     * for days, and a level measured while the JIT still compiles for hundreds of milliseconds on the same two CPUs
     * measures the JIT. Returns what it did: rounds, time, each round's JIT in the bot's and the clients' JVM.
     */
    private static String warmUntilSteady(Context ctx, SlackRig rig, Clients clients) throws java.io.IOException {
        long until = System.nanoTime() + STEADY_BOUND.toNanos();
        int quiet = 0;
        List<String> jit = new ArrayList<>();
        int rounds = 0;
        while (quiet < 2 && System.nanoTime() < until && !(ctx.quick && rounds > 0)) {
            Jvm before = Jvm.now();
            long clientsJit = clients.jitMillis;
            clients.measure(50, ctx.count(6, 1), new Stats(), new AtomicInteger());
            long bot = Jvm.now().minus(before).jitMillis();
            long theirs = clients.jitMillis - clientsJit;
            drain(rig);
            rounds++;
            jit.add(bot + "/" + theirs);
            quiet = quietRounds(quiet, bot, theirs);
        }
        String warmUp = String.format(Locale.ROOT, "%d rounds in %.1f s (%s), JIT per round in ms, bot/clients: %s", rounds,
                (System.nanoTime() - until + STEADY_BOUND.toNanos()) / 1e9, quiet >= 2 ? "the JIT quiet twice in a row"
                        : ctx.quick ? "one round: a quick run" : "the bound reached before the JIT was quiet twice in a row", String.join(" ", jit));
        ctx.say("item 1: warm-up to steady state: " + warmUp);
        return warmUp;
    }

    /** Quiet rounds in a row after a round in which the bot's and the clients' compilers worked these milliseconds. */
    static int quietRounds(int before, long botJitMillis, long clientsJitMillis) {
        return botJitMillis <= QUIET_JIT_MS && clientsJitMillis <= QUIET_JIT_MS ? before + 1 : 0;
    }

    /** Garbage collections and JIT time of this JVM so far. */
    private record Jvm(long collections, long gcMillis, long jitMillis, long cpuNanos) {
        static Jvm now() {
            long count = 0;
            long millis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new Jvm(count, millis, ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
                    ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
        }

        Jvm minus(Jvm before) {
            return new Jvm(collections - before.collections, gcMillis - before.gcMillis, jitMillis - before.jitMillis,
                    cpuNanos - before.cpuNanos);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d GC (%d ms), JIT %d ms", collections, gcMillis, jitMillis);
        }
    }

    private static String gcNames() {
        return String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
    }

    /** {@link AckClients} in a process of its own, on this JVM's class path, talking to the rig's bot. */
    private static final class Clients implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;
        /** The clients' JVM's compile time so far, as it said at the end of its last level. */
        long jitMillis;

        Clients(SlackRig rig) throws java.io.IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString()));
            // a lean load generator: C1 only (its loop is small; C2 kept compiling it for 20 rounds, 100-500 ms of JIT per
            // round on the bot's CPUs), one compiler thread, the serial collector and a small heap
            command.addAll(CLIENTS_JVM);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), AckClients.class.getName(),
                    Integer.toString(rig.bot.httpPort()), rig.slack.responseUrl()));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** CPU time of the clients' process so far (user + system, as the OS counts it). */
        long cpuNanos() {
            return process.toHandle().info().totalCpuDuration().map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("the OS does not tell the clients' process's CPU time"));
        }

        void measure(int clients, int perClient, Stats stats, AtomicInteger busy) throws java.io.IOException {
            in.write(clients + " " + perClient + "\n");
            in.flush();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("end")) {
                String[] words = line.split(" ");
                if (!words[0].equals("ack") || words.length != 3) {
                    throw new IllegalStateException("the clients' process said: " + line);
                }
                stats.record(Long.parseLong(words[1]));
                if (words[2].equals("1")) {
                    busy.incrementAndGet();
                }
            }
            if (line != null) {
                jitMillis = AckClients.jitOfEnd(line);
            }
            if (line == null) {
                throw new IllegalStateException("the clients' process ended (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")");
            }
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (java.io.IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
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
