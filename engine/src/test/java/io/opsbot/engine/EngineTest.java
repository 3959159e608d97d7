package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineTest {

    private static final Origin ALICE = new Origin("U123", "C1", "scale nodeapp 3");

    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final Engine engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    private final Counter world = new Counter();

    @AfterEach
    void close() {
        engine.close();
        journal.close();
    }

    private Operation scale(int instances) {
        return new Operation("scale", "scale nodeapp " + instances, List.of("app:/nodeapp"),
                List.of(world.set("nodeapp.instances", instances), world.set("nodeapp.healthy", instances)));
    }

    @Test
    void applyTwiceChangesNothingTheSecondTime() {
        Outcome first = engine.apply(scale(3), ALICE, ProgressListener.NONE);
        Outcome second = engine.apply(scale(3), ALICE, ProgressListener.NONE);

        assertThat(first.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.changedSomething()).isTrue();
        assertThat(first.recap()).isEqualTo("ok=0 changed=2 failed=0 skipped=0");
        assertThat(second.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(second.changedSomething()).isFalse();
        assertThat(second.steps()).extracting(StepReport::result).containsOnly(StepResult.OK);
        // each step's line says why it was in place; the summary does not repeat every detail
        assertThat(second.message()).isEqualTo("nothing to do: all 2 steps were already in place");
        assertThat(second.steps()).extracting(StepReport::detail)
                .containsExactly("nodeapp.instances is already at 3", "nodeapp.healthy is already at 3");
        assertThat(journal.find(second.operationId()).orElseThrow().summary()).endsWith("(ok=2 changed=0 failed=0 skipped=0)");
    }

    @Test
    void aChangedStepReportsWhatChangedAndWhereItEndedUp() {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Step step = new Step() {
            @Override
            public String description() {
                return "roll out nodeapp";
            }

            @Override
            public Check check() {
                return done.get() ? Check.inSync("nodeapp runs b") : Check.drift("image: a → b");
            }

            @Override
            public void apply(StepContext context) {
                context.progress(1.0, "too early to tell");
                context.progress(0.5, "1 of 2 tasks healthy");
                done.set(true);
                context.progress(1.0, "nodeapp is healthy: 2 of 2 running");
            }
        };
        Outcome outcome = engine.apply(new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(step)),
                ALICE, ProgressListener.NONE);

        assertThat(outcome.steps().get(0).result()).isEqualTo(StepResult.CHANGED);
        assertThat(outcome.steps().get(0).detail()).isEqualTo("image: a → b; nodeapp is healthy: 2 of 2 running");
    }

    @Test
    void aStepThatFailsAfterItsWriteReachedTheClusterSaysSoNotJustFailed() {
        Step step = new Step() {
            @Override
            public String description() {
                return "set instances of /nodeapp to 3";
            }

            @Override
            public Check check() {
                return Check.drift("instances of /nodeapp: 2 → 3");
            }

            @Override
            public void apply(StepContext context) {
                context.note("from", "v1");
                context.note("version", "v2");
                context.note("deployment", "d-42");
            }

            @Override
            public void verify(StepContext context) {
                throw new OpsException("Marathon at http://node1:8080 failed on GET /v2/apps/nodeapp (HTTP 403: forbidden)");
            }
        };
        Outcome outcome = engine.apply(new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of(step)),
                ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.steps().get(0).detail()).isEqualTo("Marathon at http://node1:8080 failed on GET /v2/apps/nodeapp "
                + "(HTTP 403: forbidden); its change had reached the cluster before that (version v2, deployment d-42)");
    }

    @Test
    void planShowsTheDiffAndChangesNothing() {
        world.values.put("nodeapp.instances", 2);
        Operation op = scale(3);

        Plan plan = engine.plan(op);

        assertThat(plan.changesNothing()).isFalse();
        assertThat(plan.steps()).extracting(s -> s.check().text())
                .containsExactly("nodeapp.instances: 2 → 3", "nodeapp.healthy: 0 → 3");
        assertThat(plan.text()).startsWith("1. [change] set nodeapp.instances to 3: nodeapp.instances: 2 → 3\n");
        assertThat(world.values).containsOnly(java.util.Map.entry("nodeapp.instances", 2));
        assertThat(op.steps()).allSatisfy(s -> assertThat(((TestStep) s).applies).hasValue(0));
        assertThat(journal.history(null, 10)).isEmpty();
    }

    @Test
    void journalRecordsTheOperationAndApplyingBeforeTheStepActs() {
        AtomicReference<List<StepEntry>> seenDuringApply = new AtomicReference<>();
        AtomicReference<String> id = new AtomicReference<>();
        Operation op = new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(
                TestStep.alwaysDrift("push image", context -> seenDuringApply.set(journal.steps(id.get())))));
        RecordingListener listener = new RecordingListener() {
            @Override
            public void planned(String operationId, Plan plan) {
                id.set(operationId);
                super.planned(operationId, plan);
            }
        };

        Outcome outcome = engine.apply(op, ALICE, listener);

        assertThat(outcome.operationId()).matches("op-[0-9a-f]{6}").isEqualTo(id.get());
        assertThat(seenDuringApply.get()).extracting(StepEntry::state)
                .containsExactly(StepState.CHECKING, StepState.APPLYING);
        assertThat(journal.steps(id.get())).extracting(StepEntry::state).containsExactly(
                StepState.CHECKING, StepState.APPLYING, StepState.VERIFYING, StepState.CHANGED);
        OperationEntry entry = journal.find(id.get()).orElseThrow();
        assertThat(entry.state()).isEqualTo("SUCCEEDED");
        assertThat(entry.origin()).isEqualTo(ALICE);
        assertThat(entry.plan()).isEqualTo("1. [change] push image: always\n");
        assertThat(listener.events).containsExactly("planned " + id.get(), "started 0", "finished 0 CHANGED",
                "outcome SUCCEEDED");
    }

    @Test
    void aFailedStepFailsTheOperationNamingTheStepAndSkipsTheRest() {
        TestStep third = world.set("c", 1);
        Operation op = new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(
                world.set("a", 1),
                TestStep.alwaysDrift("put the app definition", context -> {
                    throw new OpsException("Marathon rejected the app: cpus must be positive");
                }),
                third, world.set("d", 1)));

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).isEqualTo("step 2 of 4 'put the app definition' failed: "
                + "Marathon rejected the app: cpus must be positive; steps 3-4 not run");
        assertThat(outcome.steps()).extracting(StepReport::result)
                .containsExactly(StepResult.CHANGED, StepResult.FAILED, StepResult.SKIPPED, StepResult.SKIPPED);
        assertThat(outcome.recap()).isEqualTo("ok=0 changed=1 failed=1 skipped=2");
        assertThat(third.checks).hasValue(1); // planned only, never run
        assertThat(third.applies).hasValue(0);
        assertThat(journal.find(outcome.operationId()).orElseThrow().summary()).isEqualTo(outcome.message()
                + " (ok=0 changed=1 failed=1 skipped=2)");
    }

    @Test
    void aStepThatThrowsABugFailsWithAnInternalErrorNotAStackTrace() {
        Operation op = new Operation("deploy", "deploy nodeapp", List.of(), List.of(
                TestStep.alwaysDrift("render template", context -> {
                    throw new IllegalStateException("template variable missing");
                })));

        Outcome outcome = engine.apply(op, ALICE, ProgressListener.NONE);

        assertThat(outcome.message()).isEqualTo("step 1 of 1 'render template' failed: internal error "
                + "(java.lang.IllegalStateException: template variable missing); see the log");
    }

    @Test
    void verifyThatFindsTheChangeMissingFailsTheStep() {
        TestStep lying = new TestStep("set nodeapp to 3", () -> Check.drift("2 → 3"), context -> {});

        Outcome outcome = engine.apply(new Operation("scale", "scale nodeapp 3", List.of(), List.of(lying)),
                ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).contains("after applying 'set nodeapp to 3' it is still not in place: 2 → 3");
    }

    @Test
    void stepProgressReachesTheListener() {
        Operation op = new Operation("deploy", "deploy nodeapp", List.of(), List.of(
                TestStep.alwaysDrift("watch deployment", context -> context.progress(0.5, "1 of 2 tasks healthy"))));
        RecordingListener listener = new RecordingListener();

        engine.apply(op, ALICE, listener);

        assertThat(listener.events).contains("progress 0 1 of 2 tasks healthy");
    }

    @Test
    void everyTransitionIsOneLogLineWithItsContext() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Engine.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(lines);
        try {
            Outcome outcome = engine.apply(scale(3), ALICE, ProgressListener.NONE);

            String id = outcome.operationId();
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).containsExactly(
                    "op=" + id + " state=RUNNING kind=scale requester=U123 channel=C1 title=\"scale nodeapp 3\"",
                    "op=" + id + " step=1 state=CHECKING requester=U123 detail=\"\"",
                    "op=" + id + " step=1 state=APPLYING requester=U123 detail=\"nodeapp.instances: 0 → 3\"",
                    "op=" + id + " step=1 state=VERIFYING requester=U123 detail=\"\"",
                    "op=" + id + " step=1 state=CHANGED requester=U123 detail=\"nodeapp.instances: 0 → 3\"",
                    "op=" + id + " step=2 state=CHECKING requester=U123 detail=\"\"",
                    "op=" + id + " step=2 state=APPLYING requester=U123 detail=\"nodeapp.healthy: 0 → 3\"",
                    "op=" + id + " step=2 state=VERIFYING requester=U123 detail=\"\"",
                    "op=" + id + " step=2 state=CHANGED requester=U123 detail=\"nodeapp.healthy: 0 → 3\"",
                    "op=" + id + " state=SUCCEEDED requester=U123 summary=\"done: changed 2 of 2 steps (ok=0 changed=2 failed=0 skipped=0)\"");
        } finally {
            logger.detachAppender(lines);
            logger.setAdditive(true);
            logger.setLevel(before);
        }
    }

    @Test
    void whenTheJournalCannotRecordTheStartNothingRuns() {
        TestStep step = world.set("x", 1);
        journal.close();

        Outcome outcome = engine.apply(new Operation("scale", "scale x 1", List.of(), List.of(step)), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).startsWith("could not record the operation in the journal, so nothing was done");
        assertThat(step.applies).hasValue(0);
    }
}
