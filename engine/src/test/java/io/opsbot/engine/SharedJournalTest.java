package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two engines on one journal, as two `opsbot exec` processes on one H2 file or two bot replicas on one
 * PostgreSQL: neither recovers what the other runs, and they never interleave on a resource.
 */
class SharedJournalTest {

    private static final Origin ALICE = new Origin("alice", "C1", "deploy nodeapp");
    private static final Origin BOB = new Origin("bob", "C2", "scale nodeapp 3");

    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final Counter world = new Counter();

    @AfterEach
    void close() {
        callers.shutdownNow();
        journal.close();
    }

    private static Engine engine(JdbcJournal journal, Duration lockWait) {
        return new Engine(journal, new EngineSettings(lockWait, RetryPolicy.none()), Clock.systemUTC());
    }

    /** An operation on nodeapp whose one step waits for {@code release} once {@code holding} is counted down. */
    private static Operation blockingDeploy(CountDownLatch holding, CountDownLatch release, List<String> trace) {
        return new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(
                TestStep.alwaysDrift("roll out nodeapp", context -> {
                    trace.add("deploy begins");
                    holding.countDown();
                    release.await();
                    trace.add("deploy ends");
                })));
    }

    @Test
    void recoveryLeavesAloneWhatAnotherLiveEngineRuns() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine first = engine(journal, Duration.ofSeconds(30)); Engine second = engine(journal, Duration.ofSeconds(30))) {
            Future<Outcome> deploying = callers.submit(() ->
                    first.apply(blockingDeploy(holding, release, new CopyOnWriteArrayList<>()), ALICE, ProgressListener.NONE));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            AtomicInteger replans = new AtomicInteger();
            List<Outcome> recovered = second.recover(entry -> {
                replans.incrementAndGet();
                throw new AssertionError("a running operation must not be re-planned: " + entry.id());
            }, ProgressListener.NONE);

            assertThat(recovered).isEmpty();
            assertThat(replans).hasValue(0);
            release.countDown();
            Outcome outcome = deploying.get(10, TimeUnit.SECONDS);
            assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(journal.find(outcome.operationId()).orElseThrow().wasRecovered()).isFalse();
        }
    }

    @Test
    void operationsOnOneResourceInTwoEnginesWaitForEachOtherAndNeverInterleave() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Engine first = engine(journal, Duration.ofSeconds(30)); Engine second = engine(journal, Duration.ofSeconds(30))) {
            RecordingListener deployListener = new RecordingListener();
            Future<Outcome> deploying = callers.submit(() -> first.apply(blockingDeploy(holding, release, trace), ALICE, deployListener));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            RecordingListener scaleListener = new RecordingListener();
            Operation scale = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(
                    TestStep.alwaysDrift("set instances", context -> trace.add("scale runs"))));
            Future<Outcome> scaling = callers.submit(() -> second.apply(scale, BOB, scaleListener));

            // the second engine is told who holds nodeapp, in the other engine, and waits
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scaleListener.waitedFor != null);
            assertThat(scaleListener.waitedFor.operationId()).isEqualTo(deployListener.operationId);
            assertThat(scaleListener.waitedFor.requester()).isEqualTo("alice");
            assertThat(scaleListener.waitedFor.title()).isEqualTo("deploy nodeapp");
            Thread.sleep(500);
            assertThat(trace).containsExactly("deploy begins");

            release.countDown();
            assertThat(deploying.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(scaling.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(trace).containsExactly("deploy begins", "deploy ends", "scale runs");
        }
    }

    @Test
    void aCancelThatReachesAnotherEngineStopsTheOperationWhereItRuns() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        TestStep waitsForCancel = TestStep.alwaysDrift("roll out nodeapp", context -> {
            holding.countDown();
            for (int i = 0; i < 200; i++) { // 20 s at most: a cancel comes with the next heartbeat (2 s)
                context.checkCancelled();
                Thread.sleep(100);
            }
        });
        TestStep never = TestStep.alwaysDrift("check nodeapp", context -> { });
        try (Engine first = engine(journal, Duration.ofSeconds(30)); Engine second = engine(journal, Duration.ofSeconds(30))) {
            RecordingListener listener = new RecordingListener();
            Future<Outcome> deploying = callers.submit(() -> first.apply(new Operation("deploy", "deploy nodeapp",
                    List.of("app:/nodeapp"), List.of(waitsForCancel, never)), ALICE, listener));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(second.cancel(listener.operationId, "bob")).isTrue();
            assertThat(second.cancel("op-0nosuch", "bob")).isFalse();

            Outcome outcome = deploying.get(20, TimeUnit.SECONDS);
            assertThat(outcome.state()).isEqualTo(Outcome.State.CANCELLED);
            assertThat(outcome.message()).startsWith("cancelled by bob during step 1 of 2 'roll out nodeapp'");
            assertThat(never.applies).hasValue(0);
        }
    }

    @Test
    void anOperationWaitingTooLongForAnotherEnginesLockIsRefusedNamingIt() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine first = engine(journal, Duration.ofSeconds(30)); Engine second = engine(journal, Duration.ofMillis(400))) {
            RecordingListener deployListener = new RecordingListener();
            Future<Outcome> deploying = callers.submit(() ->
                    first.apply(blockingDeploy(holding, release, new CopyOnWriteArrayList<>()), ALICE, deployListener));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            Outcome scale = second.apply(new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"),
                    List.of(world.set("nodeapp", 3))), BOB, ProgressListener.NONE);

            assertThat(scale.state()).isEqualTo(Outcome.State.REFUSED);
            assertThat(scale.message()).startsWith("nodeapp is busy: " + deployListener.operationId + " 'deploy nodeapp' started by alice at ");
            assertThat(world.values).doesNotContainKey("nodeapp");
            release.countDown();
            assertThat(deploying.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
        }
    }

    @Test
    void whatAnExitedProcessLeftIsRecoveredAtOnceAndItsLocksAreBroken() throws Exception {
        String exited = ownerOfAnExitedLocalProcess();
        Instant now = Instant.now();
        journal.operationStarted(entry("op-0dead1", now), new Lease(exited, now));
        journal.tryLock("app:/nodeapp", new LockHolder("op-0dead1", "scale nodeapp 3", "bob", now), exited, now);
        journal.tryLock("dataset:mongo", new LockHolder("op-0dead0", "move mongo node3", "bob", now), exited, now);

        try (Engine engine = engine(journal, Duration.ofMillis(300))) {
            List<Outcome> recovered = engine.recover(entry -> new Operation("scale", entry.title(), entry.resources(),
                    List.of(world.set("nodeapp", 3))), ProgressListener.NONE);
            assertThat(recovered).singleElement().satisfies(o -> {
                assertThat(o.operationId()).isEqualTo("op-0dead1");
                assertThat(o.state()).isEqualTo(Outcome.State.SUCCEEDED);
            });
            // a lock the dead process held for an operation that is gone does not block a new one
            Outcome move = engine.apply(new Operation("move", "move mongo node3", List.of("dataset:mongo"),
                    List.of(world.set("mongo", 3))), BOB, ProgressListener.NONE);
            assertThat(move.state()).isEqualTo(Outcome.State.SUCCEEDED);
        }
        assertThat(world.values).containsEntry("nodeapp", 3).containsEntry("mongo", 3);
    }

    @Test
    void anEngineElsewhereCountsAsAliveUntilItsLeaseRunsOut() {
        Instant now = Instant.now();
        String elsewhere = "another-host/boot/pid:[1]|4242|1700000000000|0badcafe";
        journal.operationStarted(entry("op-0fresh", now), new Lease(elsewhere, now.minusSeconds(3)));
        journal.operationStarted(entry("op-0stale", now), new Lease(elsewhere, now.minus(EngineSettings.DEFAULT_LEASE).minusSeconds(5)));

        try (Engine engine = engine(journal, Duration.ofSeconds(1))) {
            List<Outcome> recovered = engine.recover(entry -> new Operation("scale", entry.title(), entry.resources(),
                    List.of(world.set("nodeapp", 3))), ProgressListener.NONE);

            assertThat(recovered).extracting(Outcome::operationId).containsExactly("op-0stale");
            assertThat(journal.find("op-0fresh").orElseThrow().state()).isEqualTo(OperationEntry.RUNNING);
            assertThat(journal.leaseOf("op-0fresh").owner()).isEqualTo(elsewhere);
        }
    }

    @Test
    void anOperationANewerOneOvertookIsNotResumedButMarkedFailedNamingIt() {
        Instant then = Instant.now().minusSeconds(120);
        String elsewhere = "another-host/boot/pid:[1]|4242|1700000000000|0badcafe";
        Lease dead = new Lease(elsewhere, then);
        journal.operationStarted(entry("op-00old1", then), dead);
        OperationEntry newer = new OperationEntry("op-00new1", "scale", "scale nodeapp 5", ALICE, List.of("app:/nodeapp"),
                "1. [change] set nodeapp to 5\n", OperationEntry.RUNNING, then.plusSeconds(60), null, null);
        journal.operationStarted(newer);
        journal.stepTransition("op-00new1", 0, "set nodeapp to 5", StepState.APPLYING, "3 → 5");
        journal.operationFinished("op-00new1", Outcome.State.SUCCEEDED, "done");
        world.values.put("nodeapp", 5);
        // one that was refused while it waited for the lock did nothing: it does not count as newer work
        journal.operationStarted(new OperationEntry("op-00ref1", "scale", "scale nodeapp 7", ALICE, List.of("app:/nodeapp"),
                "(not planned: refused)", OperationEntry.RUNNING, then.plusSeconds(90), null, null));
        journal.operationFinished("op-00ref1", Outcome.State.REFUSED, "nodeapp is busy");

        try (Engine engine = engine(journal, Duration.ofSeconds(1))) {
            List<Outcome> recovered = engine.recover(entry -> new Operation("scale", entry.title(), entry.resources(),
                    List.of(world.set("nodeapp", 3))), ProgressListener.NONE);

            assertThat(recovered).singleElement().satisfies(o -> {
                assertThat(o.state()).isEqualTo(Outcome.State.FAILED);
                assertThat(o.message()).isEqualTo("not resumed after a restart: op-00new1 'scale nodeapp 5' (alice) ran on "
                        + "nodeapp after it; nothing more was done");
            });
        }
        assertThat(world.values).containsEntry("nodeapp", 5);
        assertThat(journal.find("op-00old1").orElseThrow().state()).isEqualTo("FAILED");
    }

    @Test
    void aRunningEngineTakesOverWhatAnotherLeftWhenItsLeaseRunsOut() {
        Instant now = Instant.now();
        String elsewhere = "another-host/boot/pid:[1]|4242|1700000000000|0badcafe";
        // the other engine was alive at the first look; it never renews its lease again
        journal.operationStarted(entry("op-0gone1", now), new Lease(elsewhere, now));
        Duration lease = Duration.ofSeconds(4);
        try (Engine engine = new Engine(journal, new EngineSettings(Duration.ofSeconds(1), RetryPolicy.none(), lease), Clock.systemUTC())) {
            Replanner replanner = entry -> new Operation("scale", entry.title(), entry.resources(), List.of(world.set("nodeapp", 3)));
            assertThat(engine.recover(replanner, ProgressListener.NONE)).isEmpty();

            engine.recoverEvery(Duration.ofMillis(250), replanner, ProgressListener.NONE);

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> "SUCCEEDED".equals(journal.find("op-0gone1").orElseThrow().state()));
            assertThat(journal.find("op-0gone1").orElseThrow().wasRecovered()).isTrue();
            assertThat(world.values).containsEntry("nodeapp", 3);
        }
    }

    private static OperationEntry entry(String id, Instant startedAt) {
        return new OperationEntry(id, "scale", "scale nodeapp 3", BOB, List.of("app:/nodeapp"),
                "1. [change] set nodeapp to 3\n", OperationEntry.RUNNING, startedAt, null, null);
    }

    /** This machine's owner name, for a process that ran here and has exited. */
    private static String ownerOfAnExitedLocalProcess() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String[] self = EngineInstance.current(EngineSettings.DEFAULT_LEASE).id().split("\\|");
        return self[0] + "|" + process.pid() + "|" + start + "|00000001";
    }
}
