package io.opsbot.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The benchmark harness behind {@code ./bench}: runs every item of issue 13's table (or those of {@code --only}) and
 * rewrites BENCHMARKS.md. Benchmarks are not tests: nothing here asserts a time; a target missed is written as missed.
 *
 * <pre>
 *   Bench [--quick] [--only 1,4,6] [--out BENCHMARKS.md] [--repo DIR] [--work DIR] [--command "./bench"]
 * </pre>
 */
public final class Bench {

    static final List<Benchmark> ALL = List.of(new SlashAckBench(), new ReactionBench(), new AlertReactionBench(), new NoOpBench(),
            new ProcessBench(), new ScaleBench(), new ThroughputBench(), new FootprintBench());

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        int failed = run(args);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs and writes the report; returns how many benchmarks could not run to their end. */
    static int run(String... args) throws Exception {
        return run(ALL, args);
    }

    /** The same with these benchmarks instead of the table's (a test's). */
    static int run(List<Benchmark> benchmarks, String... args) throws Exception {
        boolean quick = false;
        Set<String> only = new LinkedHashSet<>();
        Path repo = Path.of(".").toAbsolutePath().normalize();
        Path out = null;
        Path work = null;
        String command = "./bench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only.addAll(Arrays.asList(args[++i].split("\\s*,\\s*")));
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--work" -> work = Path.of(args[++i]).toAbsolutePath();
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; use --quick, --only 1,4,6, --out FILE, --repo DIR, --work DIR, --command TEXT");
            }
        }
        if (out == null) {
            out = repo.resolve("BENCHMARKS.md");
        }
        if (work == null) {
            work = Files.createTempDirectory("opsbot-bench");
        }
        Context ctx = new Context(repo, work, quick, System.err);
        Machine machine = new Machine(repo);
        ctx.say("the machine's speed: a bare JVM's start and one thread's sorting…");
        machine.measureSpeed(work);
        ctx.say("the machine's speed: " + machine.speed());
        Report report = new Report();
        int failed = 0;
        long started = System.nanoTime();
        for (Benchmark b : benchmarks) {
            if (!only.isEmpty() && Arrays.stream(b.item().split(",\\s*")).noneMatch(only::contains)) {
                continue;
            }
            ctx.say("item " + b.item() + ": " + b.title() + "…");
            long t = System.nanoTime();
            Benchmark.Result result;
            try {
                result = runBounded(b, ctx);
            } catch (Benchmark.PartlyRun e) {
                failed++;
                e.printStackTrace(ctx.log);
                String why = why(e.getCause() == null ? e : e.getCause());
                List<Row> rows = new ArrayList<>(e.result.rows());
                rows.add(new Row(b.item(), e.getMessage(), "did not run to its end: " + why, "—", Row.Verdict.MISSED));
                List<String> notes = new ArrayList<>(e.result.notes());
                notes.add("The run stopped before its end: " + e.getMessage() + ": `" + why.replace("`", "'")
                        + "` (the harness's stderr has the trace). The figures above were measured before that.");
                result = new Benchmark.Result(rows, notes);
            } catch (Exception | Error e) {
                failed++;
                e.printStackTrace(ctx.log);
                String why = why(e);
                result = new Benchmark.Result(List.of(new Row(b.item(), b.title(), "did not run to its end: " + why, "—",
                        Row.Verdict.MISSED)), List.of("The run failed: `" + why.replace("`", "'") + "` (the harness's stderr has the trace)."));
            }
            machine.sample();
            report.add(new Report.Section(b.item(), b.title(), result, Duration.ofNanos(System.nanoTime() - t)));
        }
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        String kept = Report.kept(out);
        String args0 = command + (quick ? " --quick" : "") + (only.isEmpty() ? "" : " --only " + String.join(",", only));
        Files.writeString(out, report.render(machine, args0, quick, total, kept));
        List<Row> rows = new ArrayList<>(report.rows());
        ctx.say("wrote " + out + ": " + rows.size() + " figures, " + rows.stream().filter(r -> r.verdict() == Row.Verdict.MISSED).count()
                + " targets missed, " + failed + " items failed to run, in " + total.toSeconds() + " s");
        return failed;
    }

    /** How long past its budget an item may run (its start-up, its minimum of rounds) before the harness gives up on it. */
    static final int HARD_BOUND_FACTOR = 3;
    /** Starting a bot, a sim or a seeded cluster: on a 2-core machine busy with other builds, minutes. */
    static final Duration START_ALLOWANCE = Duration.ofMinutes(5);

    /**
     * Runs one item on a thread of its own, bounded: after {@code HARD_BOUND_FACTOR × budget + START_ALLOWANCE} it is
     * interrupted (its waits end, its processes are stopped by its own finally blocks) and reported as not finished,
     * with the figures it had measured when it throws {@link Benchmark.PartlyRun}.
     */
    private static Benchmark.Result runBounded(Benchmark b, Context ctx) throws Exception {
        ctx.budget(b.budget());
        Duration hard = b.budget().multipliedBy(HARD_BOUND_FACTOR).plus(START_ALLOWANCE);
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "bench-item-" + b.item().replaceAll("\\W+", "-"));
            thread.setDaemon(true);
            worker.set(thread);
            return thread;
        });
        try {
            Future<Benchmark.Result> running = one.submit(() -> b.run(ctx));
            try {
                return running.get(hard.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // interrupted, its waits end and its finally blocks stop what it started; what it measured may come back
                worker.get().interrupt();
                String why = "stopped at its hard bound, " + hard.toSeconds() + " s (its budget is " + b.budget().toSeconds() + " s)";
                try {
                    return running.get(90, TimeUnit.SECONDS);
                } catch (ExecutionException stopped) {
                    if (stopped.getCause() instanceof Benchmark.PartlyRun partly) {
                        throw new Benchmark.PartlyRun(partly.getMessage() + ", " + why, partly.result, partly.getCause());
                    }
                    throw new IllegalStateException(why, stopped.getCause());
                } catch (TimeoutException stillRunning) {
                    throw new IllegalStateException(why + "; it did not stop within 90 s more");
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        } finally {
            one.shutdownNow();
        }
    }

    private static String why(Throwable e) {
        return e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
