package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several callers run random scale and restart operations, status and drift against the emulated cluster at
 * once, with Marathon answering 503 now and then. Nothing may fail, conflicting operations queue behind each
 * other, and the cluster ends in a state that a repeated scale leaves alone. Prints latency and memory
 * figures. {@code ./run-tests --long} (OPSBOT_LONG=true) runs it for many more rounds.
 */
class SoakTest {

    private static final boolean LONG = "true".equals(System.getenv("OPSBOT_LONG"));
    private static final int ROUNDS_PER_CALLER = LONG ? 150 : 8;
    private static final int CALLERS = 4;

    @TempDir
    Path home;

    @Test
    void randomConcurrentOperationsWithTransientFaultsAllSucceedAndLeaveAConvergedCluster() throws Exception {
        try (SimCluster cluster = new SimCluster(home)) {
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            List<Long> millis = Collections.synchronizedList(new ArrayList<>());
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            long heapBefore = usedHeap();
            long started = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                long seed = 1000L + c;
                work.add(callers.submit(() -> {
                    Random random = new Random(seed);
                    for (int round = 0; round < ROUNDS_PER_CALLER; round++) {
                        long t0 = System.nanoTime();
                        String what = step(cluster, random, failures);
                        millis.add((System.nanoTime() - t0) / 1_000_000);
                        if (what == null) {
                            return null;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(LONG ? 60 : 5, TimeUnit.MINUTES);
            }
            callers.shutdown();
            long elapsed = (System.nanoTime() - started) / 1_000_000;

            assertThat(failures).as("operations that did not succeed").isEmpty();
            assertThat(cluster.engine.running()).as("operations still holding locks").isEmpty();
            for (String app : List.of("nodeapp", "nginx")) {
                App running = cluster.clients.marathon().app("/" + app, Embed.COUNTS);
                Outcome again = cluster.run(cluster.ops.scale(app, running.instances()));
                assertThat(again.changedSomething()).as("scale %s %d after the soak", app, running.instances()).isFalse();
            }
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            System.out.printf(Locale.ROOT, "soak: %d calls by %d callers in %d ms; latency p50 %d ms, p95 %d ms, max %d ms; "
                            + "heap used %d MiB before, %d MiB after%n", sorted.size(), CALLERS, elapsed,
                    percentile(sorted, 50), percentile(sorted, 95), sorted.get(sorted.size() - 1),
                    heapBefore >> 20, usedHeap() >> 20);
        }
    }

    /** One random call; failures are collected with what was asked. */
    private static String step(SimCluster cluster, Random random, List<String> failures) throws Exception {
        int pick = random.nextInt(10);
        if (pick == 0) {
            // the next GET of the app list answers 503 once: clients retry it
            cluster.control("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"GET\",\"pathPrefix\":\"/v2/apps\","
                    + "\"count\":1,\"status\":503}");
            return "fault";
        }
        if (pick <= 2) {
            assertThat(cluster.ops.status(null).sections()).isNotEmpty();
            return "status";
        }
        if (pick == 3) {
            assertThat(cluster.ops.drift(null).title()).isNotBlank();
            return "drift";
        }
        Operation op = switch (pick) {
            case 4, 5, 6 -> cluster.ops.scale("nodeapp", 1 + random.nextInt(3));
            case 7, 8 -> cluster.ops.scale("nginx", 1 + random.nextInt(2));
            default -> cluster.ops.restart("nginx");
        };
        Outcome outcome = cluster.run(op);
        if (outcome.state() != Outcome.State.SUCCEEDED) {
            failures.add(op.title() + ": " + outcome.state() + " " + outcome.message());
        }
        return op.title();
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

}
