package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.cluster.marathon.App;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepResult;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** deploy against the emulated cluster: plan, twice in a row, --only, and the rollback of a failing image. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployOperationTest {

    @TempDir
    static Path home;
    static SimCluster cluster;
    static String hash;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
        hash = DockerImages.contentHash(cluster.catalog.require("nodeapp").buildContext());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    @Order(1)
    void planShowsTheFieldLevelDiffAndAgreesWithDrift() throws Exception {
        Plan plan = cluster.engine.plan(cluster.ops.deploy("nodeapp", null, false));

        assertThat(plan.steps()).hasSize(3);
        assertThat(plan.steps().get(0).check().text()).isEqualTo(ImageSteps.NO_ENGINE_EMULATED);
        assertThat(plan.steps().get(1).check().text()).isEqualTo("the registry has no node1:5000/nodeapp:" + hash + ": push it");
        String marathonDiff = plan.steps().get(2).check().text();
        assertThat(marathonDiff).contains("cpus: 0.5 → 0.25").contains("mem: 256 → 128")
                .contains("container.docker.image: node1:5000/nodeapp:1.0 → node1:5000/nodeapp:" + hash);
        // Nothing changed by planning.
        assertThat(cluster.clients.marathon().app("/nodeapp").image()).isEqualTo("node1:5000/nodeapp:1.0");
        assertThat(cluster.ops.deploy("nodeapp", "1.0", true).steps().get(0).check().text())
                .as("deploy --plan at the running tag lists exactly what drift lists")
                .isEqualTo(AppDesign.describe(cluster.ops.driftOf(cluster.catalog.require("nodeapp"),
                        cluster.clients.marathon().app("/nodeapp"))));

        Report drift = cluster.ops.drift("nodeapp");
        String driftText = drift.sections().get(0).lines().toString();
        assertThat(driftText).contains("cpus: Marathon runs 0.5, the catalog says 0.25");
    }

    @Test
    @Order(2)
    void deployTwiceChangesNothingTheSecondTime() throws Exception {
        Outcome first = cluster.run(cluster.ops.deploy("nodeapp", null, false));

        assertThat(first.state()).as(first.message() + " / " + cluster.ops.deploy("nodeapp", null, false).steps().get(2).check().text()
                + " / " + cluster.progress).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.steps()).extracting(s -> s.result())
                .containsExactly(StepResult.OK, StepResult.CHANGED, StepResult.CHANGED);
        assertThat(first.steps().get(0).detail()).isEqualTo(ImageSteps.NO_ENGINE_EMULATED);
        App app = cluster.clients.marathon().app("/nodeapp", io.opsbot.cluster.marathon.Embed.COUNTS);
        assertThat(app.image()).isEqualTo("node1:5000/nodeapp:" + hash);
        assertThat(app.tasksHealthy()).isEqualTo(2);
        assertThat(cluster.clients.registry().manifestDigest("nodeapp", hash))
                .contains(RegistryPusher.digestFor("nodeapp", hash));

        Outcome second = cluster.run(cluster.ops.deploy("nodeapp", null, false));

        assertThat(second.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(second.changedSomething()).isFalse();
        assertThat(second.steps()).extracting(s -> s.result()).containsOnly(StepResult.OK);
        assertThat(second.steps().get(1).detail())
                .isEqualTo("registry already has node1:5000/nodeapp:" + hash + "@" + RegistryPusher.digestFor("nodeapp", hash));
        assertThat(second.steps().get(2).detail()).contains("already runs this definition").contains("2 healthy");
        assertThat(cluster.ops.drift("nodeapp").sections().get(0).heading()).isEqualTo("No drift");
    }

    @Test
    @Order(3)
    void deployOnlySkipsBuildAndPushAndUsesTheRunningTag() {
        Operation only = cluster.ops.deploy("nodeapp", null, true);

        assertThat(only.steps()).hasSize(1);
        assertThat(only.steps().get(0).description()).contains("version " + hash);
        Outcome outcome = cluster.run(only);
        assertThat(outcome.changedSomething()).isFalse();
    }

    @Test
    @Order(4)
    void aFailingImageIsRolledBackAndTheOutcomeSaysWhyAndWhere() throws Exception {
        cluster.control("/_sim/images/failing", "{\"image\": \"node1:5000/nodeapp:2.0\"}");

        Outcome outcome = cluster.run(cluster.ops.deploy("nodeapp", "2.0", false));

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message())
                .contains("deploy of nodeapp failed: tasks of the new version keep failing")
                .contains("Killed after failing health checks")
                .contains("Rolled back: nodeapp is back on version " + hash + " and healthy");
        App app = cluster.clients.marathon().app("/nodeapp", io.opsbot.cluster.marathon.Embed.COUNTS);
        assertThat(app.image()).isEqualTo("node1:5000/nodeapp:" + hash);
        assertThat(app.tasksHealthy()).isEqualTo(2);
        assertThat(cluster.progress).anyMatch(line -> line.contains("unhealthy") || line.contains("failing health"));
        System.out.println("figures: failed deploy rolled back in " + outcome.elapsed().toMillis() + " ms: " + outcome.message());
    }
}
