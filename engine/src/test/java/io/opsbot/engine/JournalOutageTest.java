package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The journal's store failing while the engine runs (its database stopped, its disk full): nothing runs unrecorded,
 * an operation stops at a stated state and writes nothing more, and once the journal answers again the same engine
 * finishes it — the write it made credited to it once, nothing made twice.
 */
class JournalOutageTest {

    private static final Origin ALICE = new Origin("U123", "C1", "scale nodeapp 3");

    private final JdbcJournal store = JdbcJournal.inMemory();
    /** The store, failing every call while {@link #down} is set, as a stopped database does. */
    private final AtomicBoolean down = new AtomicBoolean();
    private final Journal journal = InterceptedJournal.around(store, method -> {
        if (down.get() && !method.equals("close")) {
            throw new OpsException("the journal failed: Connection to 127.0.0.1:5432 refused");
        }
    });
    private final Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    private final Counter world = new Counter();

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    private Operation scale(int instances) {
        return new Operation("scale", "scale nodeapp " + instances, List.of("app:/nodeapp"),
                List.of(world.set("nodeapp.instances", instances), world.set("nodeapp.healthy", instances)));
    }

    private Replanner replanner(int instances) {
        return entry -> scale(instances);
    }

    @Test
    void aNewOperationIsRefusedAndNothingRunsWhileTheJournalIsDown() {
        down.set(true);
        Operation op = scale(3);

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).startsWith("could not record the operation in the journal, so nothing was done")
                .contains("Connection to 127.0.0.1:5432 refused");
        assertThat(op.steps()).allSatisfy(s -> assertThat(((TestStep) s).applies).hasValue(0));
        down.set(false);
        assertThat(store.unfinished()).isEmpty();
    }

    @Test
    void aStepWhoseWriteWasMadeWhenTheJournalStoppedSaysSoAndTheEngineFinishesItOnceTheJournalIsBack() {
        TestStep first = world.set("nodeapp.instances", 3);
        TestStep second = world.set("nodeapp.healthy", 3);
        // the database stops while the first step verifies: its write is made, and nothing after it can be recorded
        TestStep writing = new TestStep(first.description(), first::check, first::apply, context -> {
            down.set(true);
            first.verify(context);
        }, java.time.Duration.ofSeconds(10));
        Operation op = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(writing, second));

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).startsWith("stopped, because the journal stopped recording: step 1 of 2 "
                + "'set nodeapp.instances to 3': changed and in place (nodeapp.instances: 0 → 3); the journal could not record it")
                .contains("step 2 not run").contains("opsbot finishes it through fresh checks once the journal answers again");
        assertThat(outcome.steps()).extracting(StepReport::result).containsExactly(StepResult.FAILED, StepResult.SKIPPED);
        assertThat(second.applies).hasValue(0);

        // back: the journal shows it RUNNING with step 1 applying, and nothing written after the outage began
        down.set(false);
        OperationEntry left = store.find(outcome.operationId()).orElseThrow();
        assertThat(left.state()).isEqualTo(OperationEntry.RUNNING);
        assertThat(store.steps(outcome.operationId())).extracting(StepEntry::state)
                .containsExactly(StepState.CHECKING, StepState.APPLYING, StepState.VERIFYING);

        // the same engine (a long-running bot's sweep) finishes it: the write credited once, step 2 made
        List<Outcome> recovered = engine.recover(replanner(3), ProgressListener.NONE);

        assertThat(recovered).extracting(Outcome::operationId).containsExactly(outcome.operationId());
        assertThat(recovered.get(0).state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(recovered.get(0).steps()).extracting(StepReport::result).containsExactly(StepResult.CHANGED, StepResult.CHANGED);
        assertThat(writing.applies).hasValue(1);
        assertThat(store.find(outcome.operationId()).orElseThrow().state()).isEqualTo("SUCCEEDED");
        assertThat(store.unfinished()).isEmpty();
        assertThat(world.values).containsEntry("nodeapp.instances", 3).containsEntry("nodeapp.healthy", 3);
    }

    @Test
    void aRunningBotFinishesWhatTheJournalMissedWithinHeartbeatsOfItsReturnNotAtItsNextSweep() {
        TestStep first = world.set("nodeapp.instances", 3);
        TestStep writing = new TestStep(first.description(), first::check, first::apply, context -> {
            down.set(true);
            first.verify(context);
        }, java.time.Duration.ofSeconds(10));
        Operation op = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(writing));
        engine.recoverEvery(java.time.Duration.ofHours(1), entry -> op, ProgressListener.NONE);

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);
        assertThat(outcome.message()).startsWith("stopped, because the journal stopped recording");
        down.set(false);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> store.find(outcome.operationId()).orElseThrow().state().equals("SUCCEEDED"));
        assertThat(writing.applies).hasValue(1);
        assertThat(store.steps(outcome.operationId())).filteredOn(t -> t.state() == StepState.CHANGED).hasSize(1);
    }

    @Test
    void aStepWhoseApplyingCannotBeRecordedIsNotApplied() {
        TestStep first = world.set("nodeapp.instances", 3);
        // the database stops right after the step's check: APPLYING cannot be written, so apply must not run
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        TestStep checked = new TestStep(first.description(), () -> {
            Check check = first.check();
            if (checks.incrementAndGet() == 2) { // the plan's check, then the step's own
                down.set(true);
            }
            return check;
        }, first::apply);
        Operation op = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(checked));

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(checked.applies).hasValue(0);
        assertThat(outcome.steps().get(0).detail()).startsWith("nothing applied; the journal could not record it");
        down.set(false);
        // the step's CHECKING is written with its APPLYING, in one commit: neither is
        assertThat(store.steps(outcome.operationId())).isEmpty();

        List<Outcome> recovered = engine.recover(entry -> op, ProgressListener.NONE);

        assertThat(checked.applies).hasValue(1);
        assertThat(recovered).singleElement().satisfies(o -> assertThat(o.state()).isEqualTo(Outcome.State.SUCCEEDED));
        assertThat(store.unfinished()).isEmpty();
    }

    @Test
    void anEndTheJournalCouldNotRecordIsSaidAndFinishedOnceTheJournalIsBack() {
        TestStep only = world.set("nodeapp.instances", 3);
        TestStep last = new TestStep(only.description(), only::check, only::apply, context -> {
            only.verify(context);
        }, java.time.Duration.ofSeconds(10));
        Operation op = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(last));
        ProgressListener stopAtTheEnd = new ProgressListener() {
            @Override
            public void stepFinished(int index, StepReport report) {
                down.set(true); // the step's CHANGED is recorded; the operation's end is not
            }
        };

        Outcome outcome = engine.apply(op, ALICE, stopAtTheEnd);

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.message()).contains("the journal could not record this end")
                .contains("opsbot finishes it through fresh checks once the journal answers again");
        down.set(false);
        assertThat(engine.recover(entry -> op, ProgressListener.NONE)).singleElement()
                .satisfies(o -> assertThat(o.steps()).extracting(StepReport::result).containsExactly(StepResult.CHANGED));
        assertThat(last.applies).hasValue(1);
        assertThat(store.find(outcome.operationId()).orElseThrow().state()).isEqualTo("SUCCEEDED");
    }
}
