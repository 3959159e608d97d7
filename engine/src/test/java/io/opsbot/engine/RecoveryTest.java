package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recovery's decisions, on a journal that a crash left with RUNNING entries (the real crash: CrashRecoveryTest). */
class RecoveryTest {

    private static final Origin ALICE = new Origin("U123", "C1", "scale nodeapp 3");

    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    private final Counter world = new Counter();

    @AfterEach
    void close() {
        engine.close();
        journal.close();
    }

    private void leftRunning(String id) {
        journal.operationStarted(new OperationEntry(id, "scale", "scale nodeapp 3", ALICE, List.of("app:/nodeapp"),
                "1. [change] set nodeapp to 3: 2 → 3\n", OperationEntry.RUNNING, Instant.now(), null, null));
        journal.stepTransition(id, 0, "set nodeapp to 3", StepState.APPLYING, "2 → 3");
    }

    @Test
    void anOperationThatCannotBeReplannedIsMarkedFailedWithTheReason() {
        leftRunning("op-0000aa");
        RecordingListener listener = new RecordingListener();

        List<Outcome> outcomes = engine.recover(entry -> {
            throw new OpsException("no app named 'nodeapp'; known apps: nginx, mongo");
        }, listener);

        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.operationId()).isEqualTo("op-0000aa");
            assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
            assertThat(outcome.message()).isEqualTo(
                    "could not resume after a restart: no app named 'nodeapp'; known apps: nginx, mongo; nothing more was done");
        });
        assertThat(journal.find("op-0000aa").orElseThrow().state()).isEqualTo("FAILED");
        assertThat(journal.unfinished()).isEmpty();
        assertThat(listener.events).containsExactly("outcome FAILED");
    }

    @Test
    void recoveryReplansFromTheOriginAndChecksBeforeItApplies() {
        leftRunning("op-0000bb");
        world.values.put("nodeapp", 3); // the crashed apply had taken effect
        TestStep step = world.set("nodeapp", 3);

        List<Outcome> outcomes = engine.recover(entry -> {
            assertThat(entry.origin()).isEqualTo(ALICE);
            return new Operation("scale", entry.origin().commandText(), entry.resources(), List.of(step));
        }, ProgressListener.NONE);

        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.operationId()).isEqualTo("op-0000bb");
            assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
            // the crashed run's write took effect: a change this operation made, not "nothing to do"
            assertThat(outcome.steps()).extracting(StepReport::result).containsExactly(StepResult.CHANGED);
            assertThat(outcome.message()).isEqualTo("resumed after a restart; done: changed 1 of 1 step");
        });
        assertThat(step.applies).hasValue(0);
        OperationEntry entry = journal.find("op-0000bb").orElseThrow();
        assertThat(entry.wasRecovered()).isTrue();
        assertThat(entry.summary()).isEqualTo("resumed after a restart; done: changed 1 of 1 step "
                + "(ok=0 changed=1 failed=0 skipped=0)");
        assertThat(journal.steps("op-0000bb")).extracting(StepEntry::state)
                .containsExactly(StepState.APPLYING, StepState.CHECKING, StepState.CHANGED);
        assertThat(journal.steps("op-0000bb")).last().extracting(StepEntry::detail)
                .isEqualTo("2 → 3 (written before a restart); nodeapp is already at 3");
    }

    @Test
    void aStepThatHadFailedBeforeTheCrashIsNotTriedAgain() {
        leftRunning("op-0000dd");
        journal.stepTransition("op-0000dd", 0, "set nodeapp to 3", StepState.FAILED, "Marathon refused: 422 instances");
        TestStep step = world.set("nodeapp", 3);

        List<Outcome> outcomes = engine.recover(entry -> new Operation("scale", entry.origin().commandText(),
                entry.resources(), List.of(step)), ProgressListener.NONE);

        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
            assertThat(outcome.message()).isEqualTo("resumed after a restart; step 1 of 1 'set nodeapp to 3' failed: "
                    + "Marathon refused: 422 instances (before a restart)");
        });
        assertThat(step.applies).hasValue(0);
    }

    @Test
    void finishedOperationsAreLeftAlone() {
        leftRunning("op-0000cc");
        journal.operationFinished("op-0000cc", Outcome.State.SUCCEEDED, "done");

        assertThat(engine.recover(entry -> {
            throw new AssertionError("nothing to re-plan");
        }, ProgressListener.NONE)).isEmpty();
    }
}
