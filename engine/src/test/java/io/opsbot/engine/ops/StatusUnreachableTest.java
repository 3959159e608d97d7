package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.Report;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusUnreachableTest {

    @Test
    void anUnreachableComponentIsShownAsSuchAndTheRestStillShown(@TempDir Path home) {
        // Port 9 (discard) on loopback: nothing listens there.
        try (SimCluster cluster = new SimCluster(home, c -> new ClusterConfig(c.marathon(),
                new ClusterConfig.Mesos("http://127.0.0.1:9", null), c.flocker(), c.registry(), c.docker(), c.weave(),
                c.ssh(), c.nodes(), c.services(), c.emulated()))) {
            Report status = cluster.ops.status(null);

            assertThat(status.sections().get(0).heading()).isEqualTo("Mesos agents");
            assertThat(status.sections().get(0).lines()).singleElement().asString().startsWith("unreachable: ");
            assertThat(status.sections().get(1).lines()).anyMatch(l -> l.startsWith("/nodeapp "));
        }
    }
}
