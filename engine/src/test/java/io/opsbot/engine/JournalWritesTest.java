package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many writes (each one commit) the journal takes per operation: a step that finds nothing to do has its CHECKING
 * and OK written with the operation's end and the release of its lock, while a step that writes to the cluster still
 * has its APPLYING on the journal before its apply runs.
 */
class JournalWritesTest {

    private static final Origin ALICE = new Origin("U123", "C1", "deploy nodeapp --only");
    private static final Set<String> WRITES = Set.of("operationStarted", "stepTransition", "stepTransitions",
            "operationFinished", "operationRecovered", "tryLock", "unlock", "breakLock", "claim");

    private final JdbcJournal store = JdbcJournal.inMemory();
    /** The journal's writes, by method name, in order. */
    private final List<String> writes = new CopyOnWriteArrayList<>();
    private final Journal journal = InterceptedJournal.around(store, method -> {
        if (WRITES.contains(method)) {
            writes.add(method);
        }
    });
    private final Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    private final Counter world = new Counter();

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    @Test
    void aNoOpIsThreeWritesTheLockTheStartAndTheEndWithItsStepsAndTheUnlock() {
        world.values.put("nodeapp.instances", 2);
        Operation op = new Operation("deploy", "deploy nodeapp --only", List.of("app:/nodeapp"),
                List.of(world.set("nodeapp.instances", 2)));

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(writes).containsExactly("tryLock", "operationStarted", "operationFinished");
        assertThat(store.steps(outcome.operationId())).extracting(StepEntry::state)
                .containsExactly(StepState.CHECKING, StepState.OK);
        assertThat(store.find(outcome.operationId()).orElseThrow().state()).isEqualTo("SUCCEEDED");
        // the lock went with the end: the next operation takes it at once
        Outcome next = engine.apply(op, ALICE, ProgressListener.NONE);
        assertThat(next.state()).isEqualTo(Outcome.State.SUCCEEDED);
    }

    @Test
    void aStepThatWritesHasItsApplyingOnTheJournalBeforeItsApplyRunsWithTheChecksHeldBackBeforeIt() {
        TestStep inPlace = world.set("nodeapp.image", 0);
        TestStep target = world.set("nodeapp.instances", 3);
        List<List<StepState>> journaledAtApply = new CopyOnWriteArrayList<>();
        String[] id = new String[1];
        TestStep writing = new TestStep(target.description(), target::check, context -> {
            journaledAtApply.add(store.steps(id[0]).stream().map(StepEntry::state).toList());
            target.apply(context);
        });
        Operation op = new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(inPlace, writing));

        Outcome outcome = engine.apply(op, ALICE, new ProgressListener() {
            @Override
            public void started(String operationId) {
                id[0] = operationId;
            }
        });

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(journaledAtApply).containsExactly(List.of(StepState.CHECKING, StepState.OK, StepState.CHECKING,
                StepState.APPLYING));
        assertThat(writes).containsExactly("tryLock", "operationStarted", "stepTransitions", "stepTransition",
                "stepTransition", "operationFinished");
        assertThat(store.steps(outcome.operationId())).extracting(StepEntry::state).containsExactly(StepState.CHECKING,
                StepState.OK, StepState.CHECKING, StepState.APPLYING, StepState.VERIFYING, StepState.CHANGED);
    }
}
