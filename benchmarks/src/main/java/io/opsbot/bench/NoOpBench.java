package io.opsbot.bench;

import java.time.Duration;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Item 4: {@code deploy nodeapp --only} with nothing to change, in one process (the local default: the emulated
 * cluster in-process, the H2 journal file): wall time, and the HTTP reads and writes it cost the cluster.
 */
final class NoOpBench implements Benchmark {

    static final String COMMAND = "deploy nodeapp --only";
    private static final double TARGET_MS = 50;
    private static final int TARGET_READS = 3;

    @Override
    public String item() {
        return "4";
    }

    @Override
    public String title() {
        return "No-op operation, in process";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(30);
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int runs = ctx.count(100, 3);
        Stats wall = new Stats();
        List<Long> reads = new ArrayList<>();
        List<Long> writeAttempts = new ArrayList<>();
        long accepted;
        try (Opsbot bot = Opsbot.startWith(SlashAckBench.local(ctx), ctx.dir("noop"))) {
            SimApi sim = new SimApi(bot.config().cluster().marathon().url());
            for (int i = 0; i < 3; i++) {
                run(bot); // warm-up; the local default's cluster already runs the catalog's definition
            }
            long writesBefore = sim.writes();
            for (int i = 0; i < runs && !ctx.enough(i, 50); i++) {
                SimApi.Requests before = sim.requests();
                long start = System.nanoTime();
                Outcome outcome = run(bot);
                wall.record(System.nanoTime() - start);
                SimApi.Requests cost = sim.requests().minus(before);
                if (outcome.state() != Outcome.State.SUCCEEDED || !outcome.recap().contains("changed=0")) {
                    throw new IllegalStateException("'" + COMMAND + "' was not a no-op: " + outcome.state() + ", " + outcome.recap());
                }
                reads.add(cost.reads());
                writeAttempts.add(cost.writes());
            }
            accepted = sim.writes() - writesBefore;
        }
        Collections.sort(reads);
        long maxReads = reads.get(reads.size() - 1);
        long maxWrites = Collections.max(writeAttempts);
        ctx.say("item 4: " + wall.medianP99() + ", reads " + reads.get(reads.size() / 2) + " (max " + maxReads + "), writes " + maxWrites);
        return new Result(List.of(
                new Row("4", "no-op `" + COMMAND + "` in process: wall time", wall.medianP99(), "< 50 ms (median)",
                        Row.Verdict.of(wall.medianMs() < TARGET_MS)),
                new Row("4", "… HTTP reads per run (sim's request counter)", "median " + reads.get(reads.size() / 2) + ", max " + maxReads,
                        "≤ 3", Row.Verdict.of(maxReads <= TARGET_READS)),
                new Row("4", "… HTTP writes per run; writes the sim accepted in all", "max " + maxWrites + " per run; " + accepted
                        + " accepted in " + runs + " runs", "0", Row.Verdict.of(maxWrites == 0 && accepted == 0))), List.of(
                "`Opsbot` as `./opsbot` wires it with no configuration (the emulated cluster in the same JVM, the journal in an "
                        + "H2 file), and the command handed to its handler as the console does, one run after the other; three "
                        + "warm-up runs are not counted. Reads and writes are the sim's own count of the requests its APIs answered "
                        + "(`GET /_sim/requests`: GET/HEAD are reads, any other method a write attempt) before and after each run; "
                        + "`/_sim/writes` counts the writes it accepted (new Marathon versions, Flocker moves). Every run must end "
                        + "succeeded with `changed=0`. The time includes the journal's writes (operation and step transitions, "
                        + "committed to disk before each takes effect)."));
    }

    static Outcome run(Opsbot bot) {
        Response r = bot.handler().handle(new Request(COMMAND, "bench", "console", false), ProgressListener.NONE);
        if (r instanceof Response.Finished f) {
            return f.outcome();
        }
        throw new IllegalStateException("'" + COMMAND + "' did not run: " + r);
    }
}
