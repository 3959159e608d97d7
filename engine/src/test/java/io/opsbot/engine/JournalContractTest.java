package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every JdbcJournal database must do alike; one subclass per database. */
abstract class JournalContractTest {

    static final Instant T0 = Instant.parse("2024-05-02T10:02:00.123Z");

    final MutableClock clock = new MutableClock(T0);
    JdbcJournal journal;

    /** A journal on a fresh, empty database (or schema). */
    abstract JdbcJournal openFresh();

    /** The same database again, as after a restart. */
    abstract JdbcJournal reopen();

    @BeforeEach
    void open() {
        journal = openFresh();
    }

    @AfterEach
    void closeJournal() {
        if (journal != null) { // null when the database was not there and the test was skipped
            journal.close();
        }
    }

    static OperationEntry running(String id, Instant startedAt, String... resources) {
        return new OperationEntry(id, "scale", "scale nodeapp 3", new Origin("U123", "C42", "scale nodeapp 3"),
                List.of(resources), "1. [change] set instances of /nodeapp to 3: 2 → 3\n", OperationEntry.RUNNING,
                startedAt, null, null);
    }

    @Test
    void anOperationReadsBackAsItWasRecorded() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp", "dataset:mongo"));

        OperationEntry entry = journal.find("op-000001").orElseThrow();

        assertThat(entry).isEqualTo(running("op-000001", T0, "app:/nodeapp", "dataset:mongo"));
        assertThat(entry.wasRecovered()).isFalse();
        assertThat(journal.find("op-999999")).isEmpty();
    }

    @Test
    void finishingRecordsStateSummaryAndTime() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        clock.advance(Duration.ofSeconds(42));

        journal.operationFinished("op-000001", Outcome.State.FAILED, "step 1 of 1 failed: 503 (ok=0 changed=0 failed=1 skipped=0)");

        OperationEntry entry = journal.find("op-000001").orElseThrow();
        assertThat(entry.state()).isEqualTo("FAILED");
        assertThat(entry.summary()).isEqualTo("step 1 of 1 failed: 503 (ok=0 changed=0 failed=1 skipped=0)");
        assertThat(entry.finishedAt()).isEqualTo(T0.plusSeconds(42));
        assertThat(journal.unfinished()).isEmpty();
    }

    @Test
    void finishingAnUnknownOperationIsAnError() {
        assertThatThrownBy(() -> journal.operationFinished("op-404404", Outcome.State.SUCCEEDED, "done"))
                .isInstanceOf(OpsException.class).hasMessageContaining("op-404404");
    }

    @Test
    void stepTransitionsComeBackInTheOrderTheyWereWritten() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        journal.stepTransition("op-000001", 0, "set instances of /nodeapp to 3", StepState.CHECKING, null);
        clock.advance(Duration.ofMillis(5));
        journal.stepTransition("op-000001", 0, "set instances of /nodeapp to 3", StepState.APPLYING, "2 → 3");
        journal.stepTransition("op-000001", 0, "set instances of /nodeapp to 3", StepState.VERIFYING, null);
        journal.stepTransition("op-000001", 0, "set instances of /nodeapp to 3", StepState.CHANGED, "2 → 3");

        List<StepEntry> steps = journal.steps("op-000001");

        assertThat(steps).extracting(StepEntry::state).containsExactly(
                StepState.CHECKING, StepState.APPLYING, StepState.VERIFYING, StepState.CHANGED);
        assertThat(steps.get(0)).isEqualTo(new StepEntry("op-000001", 0, "set instances of /nodeapp to 3",
                StepState.CHECKING, null, T0));
        assertThat(steps.get(1).detail()).isEqualTo("2 → 3");
        assertThat(steps.get(1).at()).isEqualTo(T0.plusMillis(5));
        assertThat(journal.steps("op-999999")).isEmpty();
    }

    @Test
    void heldBackTransitionsAreWrittenTogetherInOrderWithTheirOwnTimes() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        StepEntry checking = new StepEntry("op-000001", 0, "set instances", StepState.CHECKING, null, T0.plusMillis(1));
        StepEntry ok = new StepEntry("op-000001", 0, "set instances", StepState.OK, "already at 3", T0.plusMillis(2));
        StepEntry applying = new StepEntry("op-000001", 1, "push image", StepState.APPLYING, "tag 1.2", T0.plusMillis(3));

        journal.stepTransitions(List.of(checking, ok, applying));

        assertThat(journal.steps("op-000001")).containsExactly(checking, ok, applying);
    }

    @Test
    void anEndWithItsHeldBackStepsReleasesTheOperationsLocksInTheSameWrite() {
        LockHolder holder = new LockHolder("op-000001", "deploy nodeapp", "U123", T0);
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        assertThat(journal.tryLock("app:/nodeapp", holder, "engine-a", T0)).isEmpty();
        StepEntry checking = new StepEntry("op-000001", 0, "render nodeapp", StepState.CHECKING, null, T0);
        StepEntry ok = new StepEntry("op-000001", 0, "render nodeapp", StepState.OK, "in place", T0.plusMillis(4));
        clock.advance(Duration.ofMillis(7));

        journal.operationFinished("op-000001", Outcome.State.SUCCEEDED, "nothing to do", List.of(checking, ok),
                List.of("app:/nodeapp"));

        assertThat(journal.steps("op-000001")).containsExactly(checking, ok);
        OperationEntry entry = journal.find("op-000001").orElseThrow();
        assertThat(entry.state()).isEqualTo("SUCCEEDED");
        assertThat(entry.finishedAt()).isEqualTo(T0.plusMillis(7));
        LockHolder next = new LockHolder("op-000002", "scale nodeapp 3", "U123", T0);
        assertThat(journal.tryLock("app:/nodeapp", next, "engine-a", T0)).isEmpty(); // the lock was free
    }

    @Test
    void anEndThatCannotBeRecordedWritesNoneOfItsParts() {
        LockHolder holder = new LockHolder("op-000001", "deploy nodeapp", "U123", T0);
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        assertThat(journal.tryLock("app:/nodeapp", holder, "engine-a", T0)).isEmpty();
        StepEntry ok = new StepEntry("op-000001", 0, "render nodeapp", StepState.OK, "in place", T0);

        // an end for an operation the journal does not have: refused, and the lock and the steps stay as they were
        assertThatThrownBy(() -> journal.operationFinished("op-404404", Outcome.State.SUCCEEDED, "done", List.of(ok),
                List.of("app:/nodeapp"))).isInstanceOf(OpsException.class).hasMessageContaining("op-404404");

        assertThat(journal.steps("op-000001")).isEmpty();
        assertThat(journal.find("op-000001").orElseThrow().state()).isEqualTo(OperationEntry.RUNNING);
        LockHolder next = new LockHolder("op-000002", "scale nodeapp 3", "U123", T0);
        assertThat(journal.tryLock("app:/nodeapp", next, "engine-a", T0)).get()
                .satisfies(lock -> assertThat(lock.holder().operationId()).isEqualTo("op-000001"));
    }

    @Test
    void unfinishedListsWhatIsStillRunningOldestFirst() {
        journal.operationStarted(running("op-00000a", T0, "app:/a"));
        journal.operationStarted(running("op-00000b", T0.plusSeconds(1), "app:/b"));
        journal.operationStarted(running("op-00000c", T0.plusSeconds(2), "app:/c"));
        journal.operationFinished("op-00000b", Outcome.State.SUCCEEDED, "done");

        assertThat(journal.unfinished()).extracting(OperationEntry::id).containsExactly("op-00000a", "op-00000c");
    }

    @Test
    void historyIsNewestFirstLimitedAndFilteredByResource() {
        journal.operationStarted(running("op-00000a", T0, "app:/nodeapp"));
        journal.operationStarted(running("op-00000b", T0.plusSeconds(60), "app:/mongo", "dataset:mongo"));
        journal.operationStarted(running("op-00000c", T0.plusSeconds(120), "app:/nodeapp"));
        journal.operationStarted(running("op-00000d", T0.plusSeconds(180)));

        assertThat(journal.history(null, 10)).extracting(OperationEntry::id)
                .containsExactly("op-00000d", "op-00000c", "op-00000b", "op-00000a");
        assertThat(journal.history(null, 2)).extracting(OperationEntry::id).containsExactly("op-00000d", "op-00000c");
        assertThat(journal.history("app:/nodeapp", 10)).extracting(OperationEntry::id).containsExactly("op-00000c", "op-00000a");
        assertThat(journal.history("dataset:mongo", 10)).singleElement().extracting(OperationEntry::resources)
                .isEqualTo(List.of("app:/mongo", "dataset:mongo"));
        assertThat(journal.history("app:/nginx", 10)).isEmpty();
    }

    @Test
    void aRecoveryIsRecorded() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));

        journal.operationRecovered("op-000001", T0.plusSeconds(300));

        OperationEntry entry = journal.find("op-000001").orElseThrow();
        assertThat(entry.wasRecovered()).isTrue();
        assertThat(entry.recoveredAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(entry.state()).isEqualTo(OperationEntry.RUNNING);
    }

    @Test
    void whatWasRecordedSurvivesARestart() {
        journal.operationStarted(running("op-000001", T0, "app:/nodeapp"));
        journal.stepTransition("op-000001", 0, "set instances", StepState.APPLYING, "2 → 3");
        journal.close();

        journal = reopen();

        assertThat(journal.unfinished()).extracting(OperationEntry::id).containsExactly("op-000001");
        assertThat(journal.steps("op-000001")).extracting(StepEntry::state).containsExactly(StepState.APPLYING);
    }

    @Test
    void manyThreadsWriteAtOnceWithoutLosingAnything() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String id = String.format("op-%06d", t);
                writes.add(threads.submit(() -> {
                    journal.operationStarted(running(id, T0, "app:/shared", "app:/" + id));
                    for (int step = 0; step < 10; step++) {
                        journal.stepTransition(id, step, "step " + step, StepState.CHECKING, null);
                        journal.stepTransition(id, step, "step " + step, StepState.OK, "in place");
                    }
                    journal.operationFinished(id, Outcome.State.SUCCEEDED, "done");
                }));
            }
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(journal.history("app:/shared", 100)).hasSize(16).allSatisfy(entry -> {
            assertThat(entry.state()).isEqualTo("SUCCEEDED");
            assertThat(journal.steps(entry.id())).hasSize(20);
        });
    }

    @Test
    void theEngineRunsOnThisJournal() {
        Counter world = new Counter();
        try (Engine engine = new Engine(journal, EngineSettings.defaults(), clock)) {
            Operation scale = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(world.set("nodeapp", 3)));

            Outcome first = engine.apply(scale, new Origin("U1", "C1", "scale nodeapp 3"), ProgressListener.NONE);
            Outcome second = engine.apply(scale, new Origin("U1", "C1", "scale nodeapp 3"), ProgressListener.NONE);

            assertThat(first.changedSomething()).isTrue();
            assertThat(second.changedSomething()).isFalse();
            assertThat(journal.history("app:/nodeapp", 10)).extracting(OperationEntry::summary).containsExactlyInAnyOrder(
                    "done: changed 1 of 1 step (ok=0 changed=1 failed=0 skipped=0)",
                    "nothing to do: nodeapp is already at 3 (ok=1 changed=0 failed=0 skipped=0)");
        }
    }

    @Test
    void anOperationIsClaimedByOneEngineOnlyWhileItsLeaseIsUnchanged() {
        journal.operationStarted(running("op-00c1a1", T0, "app:/nodeapp"));
        assertThat(journal.leaseOf("op-00c1a1")).isEqualTo(Lease.NONE);

        assertThat(journal.claim("op-00c1a1", Lease.NONE, "engine-a", T0)).isTrue();
        // engine b read the lease before a claimed it: its claim fails
        assertThat(journal.claim("op-00c1a1", Lease.NONE, "engine-b", T0)).isFalse();
        Lease held = journal.leaseOf("op-00c1a1");
        assertThat(held.owner()).isEqualTo("engine-a");
        assertThat(held.heartbeatAt()).isEqualTo(T0);

        Instant later = T0.plusSeconds(2);
        journal.heartbeat("engine-a", later);
        assertThat(journal.leaseOf("op-00c1a1").heartbeatAt()).isEqualTo(later);
        assertThat(journal.claim("op-00c1a1", held, "engine-b", later)).as("a stale view of the lease").isFalse();
        assertThat(journal.claim("op-00c1a1", journal.leaseOf("op-00c1a1"), "engine-b", later)).isTrue();

        journal.operationFinished("op-00c1a1", Outcome.State.SUCCEEDED, "done");
        assertThat(journal.claim("op-00c1a1", journal.leaseOf("op-00c1a1"), "engine-c", later)).as("finished").isFalse();
    }

    @Test
    void anOperationStartedWithALeaseReadsItBack() {
        journal.operationStarted(running("op-00c1a2", T0, "app:/nodeapp"), new Lease("engine-a", T0));
        assertThat(journal.leaseOf("op-00c1a2")).isEqualTo(new Lease("engine-a", T0));
        assertThat(journal.leaseOf("op-nothere")).isEqualTo(Lease.NONE);
    }

    @Test
    void aSharedLockHasOneHolderUntilReleasedOrBrokenWhileUnchanged() {
        LockHolder alice = new LockHolder("op-00a11c", "scale nodeapp 3", "alice", T0);
        LockHolder bob = new LockHolder("op-000b0b", "restart nodeapp", "bob", T0.plusSeconds(1));

        assertThat(journal.tryLock("app:/nodeapp", alice, "engine-a", T0)).isEmpty();
        SharedLock held = journal.tryLock("app:/nodeapp", bob, "engine-b", T0).orElseThrow();
        assertThat(held.holder()).isEqualTo(alice);
        assertThat(held.lease()).isEqualTo(new Lease("engine-a", T0));
        assertThat(journal.tryLock("dataset:mongo", bob, "engine-b", T0)).as("another resource").isEmpty();

        journal.heartbeat("engine-a", T0.plusSeconds(2));
        assertThat(journal.breakLock(held)).as("renewed since it was read").isFalse();
        SharedLock renewed = journal.tryLock("app:/nodeapp", bob, "engine-b", T0).orElseThrow();
        assertThat(renewed.lease().heartbeatAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(journal.breakLock(renewed)).isTrue();
        assertThat(journal.tryLock("app:/nodeapp", bob, "engine-b", T0)).isEmpty();

        journal.unlock("app:/nodeapp", "op-00a11c");
        assertThat(journal.tryLock("app:/nodeapp", alice, "engine-a", T0)).as("only its holder releases it").isPresent();
        journal.unlock("app:/nodeapp", "op-000b0b");
        assertThat(journal.tryLock("app:/nodeapp", alice, "engine-a", T0)).isEmpty();
    }

    @Test
    void aCancelIsRecordedForTheEngineThatRunsTheOperation() {
        journal.operationStarted(running("op-00cc01", T0, "app:/nodeapp"), new Lease("engine-a", T0));
        journal.operationStarted(running("op-00cc02", T0, "app:/nginx"), new Lease("engine-b", T0));

        assertThat(journal.requestCancel("op-00cc01", "bob")).isTrue();
        assertThat(journal.requestCancel("op-00cc01", "carol")).as("still running: the first request is kept").isTrue();
        assertThat(journal.cancelRequests("engine-a")).containsExactly(java.util.Map.entry("op-00cc01", "bob"));
        assertThat(journal.cancelRequests("engine-b")).isEmpty();

        journal.operationFinished("op-00cc01", Outcome.State.CANCELLED, "cancelled by bob");
        assertThat(journal.cancelRequests("engine-a")).isEmpty();
        assertThat(journal.requestCancel("op-00cc01", "bob")).as("finished").isFalse();
        assertThat(journal.requestCancel("op-nothere", "bob")).isFalse();
    }

    @Test
    void anIncidentReadsBackWithItsMessageAndIsFoundByKeyStateAndTime() {
        io.opsbot.alerts.IncidentStore store = journal.incidents();
        io.opsbot.alerts.Incident first = new io.opsbot.alerts.Incident(0, io.opsbot.alerts.IncidentKind.TASK_FAILURES,
                "nodeapp", io.opsbot.alerts.Incident.State.OPEN, 3, T0, T0.plusSeconds(5), "TASK_FAILED on node3 \"exit 137\"",
                List.of("node2", "node3"), true, T0, null, null, null, null);

        io.opsbot.alerts.Incident stored = store.insert(first);
        store.attachMessage(stored.id(), "C0ALERTS", "1700000000.000100");

        assertThat(stored.id()).isPositive();
        assertThat(store.find(stored.id())).contains(stored.withMessage("C0ALERTS", "1700000000.000100"));
        assertThat(store.open()).extracting(io.opsbot.alerts.Incident::id).containsExactly(stored.id());
        assertThat(store.latest(stored.key())).map(io.opsbot.alerts.Incident::messageTs).contains("1700000000.000100");

        io.opsbot.alerts.Incident resolved = new io.opsbot.alerts.Incident(stored.id(), stored.kind(), stored.subject(),
                io.opsbot.alerts.Incident.State.RESOLVED, 4, T0, T0.plusSeconds(9), "TASK_FAILED on node3", List.of("node3"),
                true, T0, T0.plusSeconds(60), "back at 2/2", "ignored", "ignored");
        store.update(resolved);

        io.opsbot.alerts.Incident back = store.find(stored.id()).orElseThrow();
        assertThat(back.state()).isEqualTo(io.opsbot.alerts.Incident.State.RESOLVED);
        assertThat(back.count()).isEqualTo(4);
        assertThat(back.resolution()).isEqualTo("back at 2/2");
        assertThat(back.messageTs()).as("an update keeps the message").isEqualTo("1700000000.000100");
        assertThat(store.open()).isEmpty();
        assertThat(store.since(T0.plusSeconds(30), null, 10)).extracting(io.opsbot.alerts.Incident::id).containsExactly(stored.id());
        assertThat(store.since(T0.plusSeconds(61), null, 10)).isEmpty();
        assertThat(store.since(T0, "mongo", 10)).isEmpty();
    }

    @Test
    void aMuteLastsUntilItEndsOrIsLifted() {
        io.opsbot.alerts.IncidentStore store = journal.incidents();
        store.mute(new io.opsbot.alerts.Mute("nodeapp", T0.plusSeconds(7200), "UOPS", T0));
        store.mute(new io.opsbot.alerts.Mute("nodeapp", T0.plusSeconds(600), "UADMIN", T0.plusSeconds(1)));

        assertThat(store.mutes(T0)).containsExactly(new io.opsbot.alerts.Mute("nodeapp", T0.plusSeconds(600), "UADMIN",
                T0.plusSeconds(1)));
        assertThat(store.mutes(T0.plusSeconds(601))).as("expired").isEmpty();
        assertThat(store.unmute("nodeapp")).isTrue();
        assertThat(store.unmute("nodeapp")).isFalse();
        assertThat(store.mutes(T0)).isEmpty();
    }

    @Test
    void aDeliveryIsNewOnceWithinTheRetryWindowAndNewAgainAfterIt() {
        Deliveries deliveries = journal.deliveries(Duration.ofMinutes(10));
        String longKey = "command:" + "x".repeat(500);

        assertThat(deliveries.firstTime("event:Ev01")).isTrue();
        assertThat(deliveries.firstTime("event:Ev01")).isFalse();
        assertThat(deliveries.firstTime("event:Ev02")).isTrue();
        assertThat(deliveries.firstTime(longKey)).isTrue();
        assertThat(deliveries.firstTime(longKey)).isFalse();
        assertThat(deliveries.firstTime(longKey + "y")).isTrue();

        clock.advance(Duration.ofMinutes(9));
        assertThat(deliveries.firstTime("event:Ev01")).isFalse();
        clock.advance(Duration.ofMinutes(2)); // past the window: Slack retries no more, a key is new again
        assertThat(deliveries.firstTime("event:Ev01")).isTrue();
        assertThat(deliveries.firstTime("event:Ev01")).isFalse();
    }

    @Test
    void twoReplicasOfferingOneDeliveryAtOnceRunItOnce() throws Exception {
        JdbcJournal other = reopen(); // a second replica on the same database
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            Deliveries mine = journal.deliveries(Duration.ofMinutes(10));
            Deliveries theirs = other.deliveries(Duration.ofMinutes(10));
            mine.firstTime("warm-up"); // the table exists before the race, as it does after the first delivery
            int keys = 20;
            int winners = 0;
            for (int k = 0; k < keys; k++) {
                String key = "command:trigger-" + k;
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<Future<Boolean>> offers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Deliveries replica = i % 2 == 0 ? mine : theirs;
                    offers.add(threads.submit(() -> {
                        go.await();
                        return replica.firstTime(key);
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<Boolean> offer : offers) {
                    won += offer.get(60, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(won).as("replicas that ran %s", key).isEqualTo(1);
                winners += won;
            }
            assertThat(winners).isEqualTo(keys);
        } finally {
            threads.shutdownNow();
            other.close();
        }
    }
}
