package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Engine;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepResult;
import io.opsbot.engine.StepState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed -9 right after its write reached Marathon, before the rest was journaled: the journal holds what
 * the step noted up to there (written by hand here, as the killed process left it; the real kills are in the bot's
 * KillSuiteTest). Recovery must see the write — credit it to the operation, never make it again, and wait for the
 * deployment it started rather than fail on that deployment's lock.
 */
class CrashedWriteRecoveryTest {

    @TempDir
    static Path home;
    static SimCluster cluster;

    private JdbcJournal journal;
    private Engine engine;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void openJournal() {
        journal = JdbcJournal.inMemory();
        engine = new Engine(journal, EngineSettings.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void closeJournal() {
        engine.close();
        journal.close();
    }

    /** What a process killed inside step 1's apply left in the journal: RUNNING, CHECKING, APPLYING and its notes. */
    private void killedInsideApply(String id, Operation op, String diff, String... notes) {
        journal.operationStarted(new OperationEntry(id, op.kind(), op.title(), SimCluster.TESTER, op.resources(),
                "1. [change] " + op.steps().get(0).description() + "\n", OperationEntry.RUNNING, Instant.now(), null, null));
        String description = op.steps().get(op.steps().size() - 1).description();
        int index = op.steps().size() - 1;
        journal.stepTransition(id, index, description, StepState.CHECKING, null);
        journal.stepTransition(id, index, description, StepState.APPLYING, diff);
        for (String note : notes) {
            journal.stepTransition(id, index, description, StepState.NOTED, note);
        }
    }

    private Outcome recover(Supplier<Operation> replan) {
        List<Outcome> outcomes = engine.recover(entry -> replan.get(), ProgressListener.NONE);
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    private static int versions(String app) {
        return cluster.clients.marathon().versions(app).size();
    }

    private static void awaitSettled(String app) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            App a = cluster.clients.marathon().app(app, Embed.COUNTS, Embed.DEPLOYMENTS);
            return MarathonAppStep.settled(a);
        });
    }

    @Test
    void aRestartThatReachedMarathonBeforeTheCrashIsNotMadeAgainAndCountsAsChanged() {
        awaitSettled("/nginx");
        String before = cluster.clients.marathon().app("/nginx").version();
        Operation restart = cluster.ops.restart("nginx");
        killedInsideApply("op-00a001", restart, "restart requested: 1 task(s) of /nginx will be replaced one by one",
                "from=" + before);
        // the restart reached Marathon; the process died before it could note the answer
        cluster.clients.marathon().restart("/nginx", false);
        int versionsAfterTheWrite = versions("/nginx");

        Outcome outcome = recover(() -> cluster.ops.restart("nginx"));

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps()).singleElement().satisfies(step -> {
            assertThat(step.result()).isEqualTo(StepResult.CHANGED);
            assertThat(step.detail()).startsWith("restart requested: 1 task(s) of /nginx will be replaced one by one"
                    + " (written before a restart); ");
        });
        assertThat(versions("/nginx")).as("Marathon versions: no second restart").isEqualTo(versionsAfterTheWrite);
        assertThat(journal.find("op-00a001").orElseThrow().summary()).contains("changed=1");
    }

    @Test
    void aRestartWhoseDeploymentStillRunsIsWaitedForNotRefusedByItsLock() {
        awaitSettled("/nodeapp");
        String before = cluster.clients.marathon().app("/nodeapp").version();
        Operation restart = cluster.ops.restart("nodeapp");
        var ref = cluster.clients.marathon().restart("/nodeapp", false);
        killedInsideApply("op-00a002", restart, "restart requested", "from=" + before, "version=" + ref.version(),
                "deployment=" + ref.deploymentId());
        int versionsAfterTheWrite = versions("/nodeapp");

        Outcome outcome = recover(() -> cluster.ops.restart("nodeapp"));

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.message()).doesNotContain("locked");
        assertThat(outcome.steps().get(0).result()).isEqualTo(StepResult.CHANGED);
        assertThat(versions("/nodeapp")).isEqualTo(versionsAfterTheWrite);
    }

    @Test
    void aRestartKilledBeforeItsWriteRestartsOnce() {
        awaitSettled("/nginx");
        String before = cluster.clients.marathon().app("/nginx").version();
        int versionsBefore = versions("/nginx");
        killedInsideApply("op-00a003", cluster.ops.restart("nginx"), "restart requested", "from=" + before);

        Outcome outcome = recover(() -> cluster.ops.restart("nginx"));

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps().get(0).result()).isEqualTo(StepResult.CHANGED);
        assertThat(versions("/nginx")).isEqualTo(versionsBefore + 1);
    }

    @Test
    void aScaleThatReachedMarathonIsRecoveredAsAChangeByItsOperationNotAsNothingToDo() {
        awaitSettled("/nginx");
        App nginx = cluster.clients.marathon().app("/nginx");
        int target = nginx.instances() == 1 ? 2 : 1;
        killedInsideApply("op-00a004", cluster.ops.scale("nginx", target),
                "instances of /nginx: " + nginx.instances() + " → " + target, "from=" + nginx.version());
        cluster.clients.marathon().scale("/nginx", target, false);
        awaitSettled("/nginx"); // the deployment even finished before the new process looked
        int versionsAfterTheWrite = versions("/nginx");

        Outcome outcome = recover(() -> cluster.ops.scale("nginx", target));

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps().get(0).result()).isEqualTo(StepResult.CHANGED);
        assertThat(outcome.steps().get(0).detail()).startsWith("instances of /nginx: " + nginx.instances() + " → " + target
                + " (written before a restart); nginx is already at " + target);
        assertThat(outcome.message()).startsWith("resumed after a restart; done: changed 1 of 1 step");
        assertThat(journal.find("op-00a004").orElseThrow().summary()).contains("changed=1");
        assertThat(versions("/nginx")).isEqualTo(versionsAfterTheWrite);
    }

    @Test
    void aDeployThatReachedMarathonIsCreditedToItAndNotPutAgain() {
        awaitSettled("/nginx");
        App nginx = cluster.clients.marathon().app("/nginx");
        String tag = nginx.image().endsWith(":1.5") ? "1.6" : "1.5";
        Operation deploy = cluster.ops.deploy("nginx", tag, true);
        killedInsideApply("op-00a005", deploy, "container.docker.image: … → " + tag, "from=" + nginx.version());
        cluster.clients.marathon().updateApp("/nginx", ((MarathonAppStep) deploy.steps().get(0)).desired(), false);
        int versionsAfterTheWrite = versions("/nginx");

        Outcome outcome = recover(() -> cluster.ops.deploy("nginx", tag, true));

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps()).last().satisfies(step -> {
            assertThat(step.result()).isEqualTo(StepResult.CHANGED);
            assertThat(step.detail()).contains("written before a restart");
        });
        assertThat(versions("/nginx")).isEqualTo(versionsAfterTheWrite);
        assertThat(cluster.clients.marathon().app("/nginx").image()).endsWith(":" + tag);
    }

    @Test
    void aRunThatFindsAnotherWriteInPlaceOnlyWaitsAndTakesNoCredit() {
        awaitSettled("/nginx");
        App nginx = cluster.clients.marathon().app("/nginx");
        int target = nginx.instances() == 1 ? 2 : 1;
        // an earlier operation's (or a person's) scale, still deploying when this one starts
        cluster.clients.marathon().scale("/nginx", target, false);
        int versionsAfterTheWrite = versions("/nginx");

        Outcome outcome = engine.apply(cluster.ops.scale("nginx", target), SimCluster.TESTER, ProgressListener.NONE);

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps().get(0).result()).isEqualTo(StepResult.OK);
        assertThat(outcome.changedSomething()).isFalse();
        assertThat(versions("/nginx")).isEqualTo(versionsAfterTheWrite);
    }
}
