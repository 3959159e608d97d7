package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What users see when the cluster misbehaves: faults injected through the emulator's control API. */
class FailurePathsTest {

    @TempDir
    Path home;
    SimCluster cluster;

    @BeforeEach
    void start() {
        cluster = new SimCluster(home);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void withAnAgentDownHostnameUniqueAllowsOneInstanceFewer() throws Exception {
        cluster.control("/_sim/agents/node3/down", "{}");

        assertThatThrownBy(() -> cluster.ops.scale("nodeapp", 3))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("the cluster has 2 active agents, so it can run at most 2 instances; asked for 3");
        assertThat(cluster.ops.status(null).sections().get(0).lines()).anyMatch(l -> l.startsWith("node3 INACTIVE"));
    }

    @Test
    void marathonFailingIsShownAsUnreachableWhileTheRestOfStatusIsShown() throws Exception {
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"pathPrefix\": \"/v2/\", \"status\": 503, \"count\": 100}");

        Report status = cluster.ops.status(null);

        assertThat(status.sections().get(1).heading()).isEqualTo("Marathon apps");
        assertThat(status.sections().get(1).lines()).singleElement().asString().startsWith("unreachable: ");
        assertThat(status.sections().get(0).lines()).hasSize(3).allMatch(l -> l.contains(" active: "));
        assertThat(status.sections().get(4).lines()).singleElement().asString().startsWith("Flocker dataset mongo (");
    }

    @Test
    void aBurstOf503sWhileAMoveIsPreparedIsRiddenOutLikeTheStepsRideItOut() throws Exception {
        // five answers: more than the HTTP client's three quick attempts, as in a Marathon leader election
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"method\": \"GET\", \"pathPrefix\": \"/v2/apps/mongo\","
                + " \"status\": 503, \"count\": 5}");

        assertThat(cluster.ops.move("mongo", "node3").title()).isEqualTo("move mongo node3");

        // lasting: it gives up, naming Marathon
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"method\": \"GET\", \"pathPrefix\": \"/v2/apps/mongo\","
                + " \"status\": 503, \"count\": 100}");
        assertThatThrownBy(() -> cluster.ops.move("mongo", "node3"))
                .isInstanceOf(io.opsbot.engine.TransientException.class)
                .hasMessageContaining("Marathon at http://127.0.0.1:").hasMessageContaining("HTTP 503");
    }

    @Test
    void aRollbackMarathonRefusesWith503EndsTheDeploySayingSoAndNeverDeploysTheFailingVersionAgain() throws Exception {
        cluster.control("/_sim/images/failing", "{\"image\": \"node1:5000/nodeapp:2.0\"}");
        // every PUT of nodeapp after the deploy's own write: the rollback's
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"method\": \"PUT\", \"pathPrefix\": \"/v2/apps/nodeapp\","
                + " \"status\": 503, \"count\": 100, \"phase\": \"verify\"}");
        long before = writes();

        io.opsbot.engine.Outcome outcome = cluster.run(cluster.ops.deploy("nodeapp", "2.0", false));

        assertThat(outcome.state()).isEqualTo(io.opsbot.engine.Outcome.State.FAILED);
        assertThat(outcome.message()).contains("deploy of nodeapp failed: tasks of the new version keep failing")
                .contains(". The rollback to version ").contains(" could not be asked for: Marathon at http://127.0.0.1:")
                .contains("HTTP 503");
        // a transient fault in the rollback is not retried as the deploy: the failing version was written once
        assertThat(writes() - before).isEqualTo(1);
    }

    private long writes() throws Exception {
        return cluster.read("/_sim/writes").path("total").asLong();
    }

    @Test
    void deployOnlyOfAnAppMarathonDoesNotRunAsksForAVersion() throws Exception {
        cluster.clients.marathon().deleteApp("/nginx", true);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> cluster.clients.marathon().findApp("/nginx").isEmpty());

        assertThatThrownBy(() -> cluster.ops.deploy("nginx", null, true))
                .isInstanceOf(OpsException.class)
                .hasMessage("nginx does not run in Marathon yet, so there is no running version to deploy with --only; give --version");
        // Without --only the deploy creates it, and a second deploy finds it in place.
        assertThat(cluster.run(cluster.ops.deploy("nginx", null, false)).changedSomething()).isTrue();
        assertThat(cluster.run(cluster.ops.deploy("nginx", null, false)).changedSomething()).isFalse();
    }
}
