package io.opsbot.bench;

import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Item 8: 200 operations over 100 apps submitted at once (two per app: scale to 2, scale to 1). All must finish,
 * none may interleave with another on the same app (read back from the journal), and the whole should take little
 * more than the longest chain of one app's operations.
 */
final class ThroughputBench implements Benchmark {

    static final int APPS = 100;
    private static final double TARGET_RATIO = 1.2;

    @Override
    public String item() {
        return "8";
    }

    @Override
    public String title() {
        return "Throughput: 200 operations over 100 apps at once";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(45);
    }

    /** One operation's time holding its app: from its first step transition to its end. */
    record Held(String op, Instant from, Instant to) {
        Duration length() {
            return Duration.between(from, to);
        }
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int apps = ctx.count(APPS, 5);
        Path dir = ctx.dir("throughput");
        Path catalog = ManyApps.write(dir.resolve("apps"), apps);
        Path home = dir.resolve("home");
        List<String> operations = ManyApps.operations(apps);
        List<Outcome> outcomes = new ArrayList<>();
        long totalNanos;
        OpsbotConfig config = new OpsbotConfig(null, null, null, catalog.toString(), null, null, null);
        try (Opsbot bot = Opsbot.startWith(config, home)) {
            // warm-up: one operation through the whole path (classes, JIT, connections) on an app of its own
            run(bot, "scale " + ManyApps.names(apps).get(0) + " 1");
            ExecutorService pool = Executors.newFixedThreadPool(operations.size());
            try {
                CountDownLatch ready = new CountDownLatch(operations.size());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Outcome>> futures = new ArrayList<>();
                for (String op : operations) {
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        return run(bot, op);
                    }));
                }
                ready.await();
                long start = System.nanoTime();
                go.countDown();
                for (Future<Outcome> f : futures) {
                    outcomes.add(f.get());
                }
                totalNanos = System.nanoTime() - start;
            } finally {
                pool.shutdownNow();
            }
        }
        long failed = outcomes.stream().filter(o -> o.state() != Outcome.State.SUCCEEDED).count();
        int interleaved = 0;
        Duration longest = Duration.ZERO;
        String longestApp = "";
        try (JdbcJournal journal = JdbcJournal.h2(home.resolve("journal"))) {
            for (String app : ManyApps.names(apps)) {
                List<Held> held = new ArrayList<>();
                for (OperationEntry e : journal.history("app:/" + app, 10)) {
                    if (!e.kind().equals("scale") || e.finishedAt() == null) {
                        continue;
                    }
                    List<StepEntry> steps = journal.steps(e.id());
                    Instant from = steps.isEmpty() ? e.finishedAt() : steps.get(0).at();
                    held.add(new Held(e.id(), from, e.finishedAt()));
                }
                held.sort(Comparator.comparing(Held::from));
                Duration chain = Duration.ZERO;
                for (int i = 0; i < held.size(); i++) {
                    chain = chain.plus(held.get(i).length());
                    if (i > 0 && held.get(i).from().isBefore(held.get(i - 1).to())) {
                        interleaved++;
                    }
                }
                if (chain.compareTo(longest) > 0) {
                    longest = chain;
                    longestApp = app;
                }
            }
        }
        double totalMs = totalNanos / 1e6;
        double ratio = totalMs / Math.max(1, longest.toMillis());
        ctx.say("item 8: " + operations.size() + " ops in " + Report.ms(totalMs) + ", longest chain " + longest.toMillis()
                + " ms, ratio " + ratio + ", failed " + failed + ", interleaved " + interleaved);
        return new Result(List.of(
                new Row("8", operations.size() + " operations over " + apps + " apps at once: finished / failed",
                        (outcomes.size() - failed) + " succeeded, " + failed + " not", "all finish", Row.Verdict.of(failed == 0)),
                new Row("8", "… operations that overlapped another on the same app (from the journal)", String.valueOf(interleaved),
                        "0", Row.Verdict.of(interleaved == 0)),
                new Row("8", "… total time vs the longest per-app chain", Report.ms(totalMs) + " vs " + Report.ms(longest.toMillis())
                        + " (" + longestApp + "): " + String.format(Locale.ROOT, "%.2f×", ratio), "≤ 1.2 × the longest chain",
                        Row.Verdict.of(ratio <= TARGET_RATIO))), List.of(
                "`Opsbot` with no cluster configured (its own emulated cluster in the same JVM, time scale 10, the journal in "
                        + "an H2 file) and a generated catalog of " + apps + " small apps (`app001`…; one instance of 0.01 CPU, "
                        + "16 MiB), which the emulated cluster starts running. " + operations.size() + " threads each hand one "
                        + "command to the handler at the same moment: `scale appNNN 2` and `scale appNNN 1` for every app (the "
                        + "second of each pair waits for the app's lock). One warm-up operation runs before.",
                "Total: from the start signal until the last operation returned. From the journal, per app: each "
                        + "operation's time holding the app (its first step transition to its end); two of them overlapping is "
                        + "an interleaving; their sum is the app's chain, and the longest chain is what the total is compared with."));
    }

    private static Outcome run(Opsbot bot, String command) {
        Response r = bot.handler().handle(new Request(command, "bench", "console", false), ProgressListener.NONE);
        if (r instanceof Response.Finished f) {
            return f.outcome();
        }
        throw new IllegalStateException("'" + command + "' did not run: " + r);
    }
}
