package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.StepResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** move of the stateful app (mongo) between nodes in the emulated cluster. */
class MoveOperationTest {

    @TempDir
    static Path home;
    static SimCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void moveTwiceMovesTheDatasetAndTheTaskOnceAndChangesNothingTheSecondTime() {
        Operation move = cluster.ops.move("mongo", "node3");
        assertThat(move.needsConfirmation()).isTrue();
        assertThat(move.resources()).containsExactly("app:/mongo", "dataset:mongo");
        Plan plan = cluster.engine.plan(move);
        assertThat(plan.steps().get(0).check().text()).isEqualTo("dataset mongo: node2 → node3");

        Outcome first = cluster.run(move);

        assertThat(first.state()).as(first.message() + " " + cluster.progress).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(first.steps()).extracting(s -> s.result())
                .containsExactly(StepResult.CHANGED, StepResult.CHANGED, StepResult.OK);
        assertThat(first.steps().get(2).detail()).startsWith("mongo runs on node3 (task ").endsWith("with dataset mongo attached there");
        assertThat(hosts()).containsExactly("node3");
        assertThat(cluster.clients.marathon().app("/mongo").constraints()).contains(List.of("hostname", "CLUSTER", "node3"));

        Outcome second = cluster.run(cluster.ops.move("mongo", "node3"));

        assertThat(second.changedSomething()).isFalse();
        assertThat(second.steps().get(0).detail()).isEqualTo("dataset mongo is already on node3");
        assertThat(hosts()).containsExactly("node3");
    }

    @Test
    void moveOfAStatelessAppIsRefusedWithAHint() {
        assertThatThrownBy(() -> cluster.ops.move("nodeapp", "node3"))
                .isInstanceOf(OpsException.class)
                .hasMessage("nodeapp has no Flocker dataset: move is for stateful apps (mongo); use scale or constraints instead");
    }

    @Test
    void moveToAnUnknownNodeNamesTheKnownOnes() {
        assertThatThrownBy(() -> cluster.ops.move("mongo", "node9"))
                .isInstanceOf(OpsException.class)
                .hasMessage("no node named 'node9'; known nodes: node1, node2, node3");
    }

    private static List<String> hosts() {
        return cluster.clients.marathon().app("/mongo", Embed.TASKS).tasks().stream().map(t -> t.host()).toList();
    }
}
