package io.opsbot.bench;

import java.time.Duration;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.ProgressListener;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Item 6: {@code status}, {@code drift} and the health report ({@code report now}) over 1,000 apps, 10,000 tasks and
 * 200 agents seeded into the emulated cluster, read over HTTP by the real clients and rendered for Slack: time,
 * bytes allocated, and whether the Slack message stays within Slack's limits.
 */
final class ScaleBench implements Benchmark {

    static final int AGENTS = 200;
    static final int APPS = 1000;
    static final int INSTANCES = 10;
    private static final double TARGET_MS = 300;
    private static final List<String> COMMANDS = List.of("status", "drift", "report now");
    /** The names of the threads opsbot reads the cluster's components on ({@code ParallelReads.THREAD_PREFIX}). */
    private static final String READ_THREADS = "opsbot-read-";

    @Override
    public String item() {
        return "6";
    }

    @Override
    public String title() {
        return "Scale: 1,000 apps, 10,000 tasks, 200 agents";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(90);
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int runs = ctx.count(8, 1);
        int apps = ctx.count(APPS, 50);
        List<Row> rows = new ArrayList<>();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path dir = ctx.dir("scale");
        int tasks;
        try (Sim sim = Sim.start(new SimOptions(dir.resolve("sim"), 0, null, 10, true))) {
            tasks = new SimApi(sim.endpoints().marathonUrl()).seed(AGENTS, apps, INSTANCES).path("tasks").asInt();
            OpsbotConfig config = new OpsbotConfig(Clusters.of(sim.endpoints()), null, null, ctx.apps().toString(), null, null, null);
            try (Opsbot bot = Opsbot.startWith(config, dir.resolve("home"))) {
                for (String command : COMMANDS) {
                    Stats time = new Stats();
                    long maxAllocated = 0;
                    List<String> problems = new ArrayList<>();
                    String size = "";
                    for (int i = 0; i < runs + 1 && !ctx.enough(i - 1, 3); i++) {
                        Map<Long, Long> readersBefore = readersAllocated(threads);
                        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                        long start = System.nanoTime();
                        Response r = bot.handler().handle(new Request(command, "bench", "C0OPS", false), ProgressListener.NONE);
                        if (!(r instanceof Response.Answer answer)) {
                            throw new IllegalStateException("'" + command + "' did not answer: " + r);
                        }
                        BlockKit.Message message = new BlockKit().report(answer.report());
                        long took = System.nanoTime() - start;
                        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
                        for (Map.Entry<Long, Long> reader : readersAllocated(threads).entrySet()) {
                            allocated += reader.getValue() - readersBefore.getOrDefault(reader.getKey(), 0L);
                        }
                        if (i < 1) {
                            continue; // warm-up
                        }
                        time.record(took);
                        maxAllocated = Math.max(maxAllocated, allocated);
                        problems = limits(message);
                        size = message.blocks().size() + " blocks, fallback text " + message.text().length() + " chars, "
                                + message.overflow().size() + " lines to the thread";
                    }
                    ctx.say("item 6: " + command + ": " + time.medianP99() + ", " + Report.mib(maxAllocated) + " allocated");
                    rows.add(new Row("6", "`" + command + "` over " + apps + " apps / " + tasks + " tasks / " + AGENTS + " agents",
                            time.medianP99(), "< 300 ms (median)", Row.Verdict.of(time.medianMs() < TARGET_MS)));
                    rows.add(new Row("6", "… `" + command + "`: bytes allocated (calling thread and opsbot's read threads, most of one run)", Report.mib(maxAllocated),
                            "—", Row.Verdict.NONE));
                    rows.add(new Row("6", "… `" + command + "`: the Slack message within Slack's limits", problems.isEmpty()
                            ? "yes: " + size : "no: " + String.join("; ", problems), "within limits", Row.Verdict.of(problems.isEmpty())));
                }
            }
        }
        return new Result(rows, List.of(
                "An emulated cluster started in the harness's JVM and seeded with `POST /_sim/seed {\"agents\": " + AGENTS
                        + ", \"apps\": " + apps + ", \"instances\": " + INSTANCES + "}` (apps running and healthy, tasks spread over "
                        + "the new agents), on top of its own three nodes and apps. `Opsbot` is configured with that cluster and "
                        + "the repository's app catalog; each command goes to its handler as a Slack command would, and the answer "
                        + "is rendered as the Slack message (`BlockKit.report`). Time and allocation cover both; allocation is "
                        + "`ThreadMXBean`'s allocated bytes of the calling thread plus those of opsbot's read threads "
                        + "(`opsbot-read-N`, on which status and the report read the cluster's components at once; the "
                        + "emulated cluster's own threads are not counted), the largest of the runs. One warm-up run per command "
                        + "is not counted; runs stop at 8, or at 3 once the item's budget is spent.",
                "Slack's limits checked on each message: at most " + BlockKit.MAX_BLOCKS + " blocks, section texts of at most "
                        + BlockKit.MAX_SECTION_TEXT + " characters, a fallback text of at most " + BlockKit.MAX_FALLBACK_TEXT
                        + "; what does not fit goes to the message's thread (the lines counted)."));
    }

    /**
     * Bytes allocated so far by each of opsbot's read threads ({@code ParallelReads}: status and the report read the
     * cluster's components on them, at once), by thread id.
     */
    private static Map<Long, Long> readersAllocated(com.sun.management.ThreadMXBean threads) {
        Thread[] all = new Thread[Thread.activeCount() + 16];
        int n = Thread.enumerate(all);
        Map<Long, Long> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (all[i].getName().startsWith(READ_THREADS)) {
                out.put(all[i].getId(), threads.getThreadAllocatedBytes(all[i].getId()));
            }
        }
        return out;
    }

    private static List<String> limits(BlockKit.Message message) {
        List<String> problems = new ArrayList<>();
        if (message.blocks().size() > BlockKit.MAX_BLOCKS) {
            problems.add(message.blocks().size() + " blocks");
        }
        for (LayoutBlock block : message.blocks()) {
            if (block instanceof SectionBlock s && s.getText() != null && s.getText().getText().length() > BlockKit.MAX_SECTION_TEXT) {
                problems.add("a section of " + s.getText().getText().length() + " characters");
            }
        }
        if (message.text().length() > BlockKit.MAX_FALLBACK_TEXT) {
            problems.add("fallback text of " + message.text().length() + " characters");
        }
        return problems;
    }
}
