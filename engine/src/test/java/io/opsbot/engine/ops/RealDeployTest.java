package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.StepResult;
import io.opsbot.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy's build and push through a real Docker Engine and a real registry (Marathon is the emulator's): the
 * second deploy of the same source builds and pushes nothing.
 */
class RealDeployTest {

    @Test
    void deployBuildsAndPushesForRealAndTheSecondDeployPushesNothing(@TempDir Path home) throws IOException {
        RealComponents.Docker docker = RealComponents.docker();
        RealComponents.Registry registry = RealComponents.registry();
        Path apps = copyOfNodeappWithAFreshBuildContext(home);
        ClusterOperations.Settings settings = SimCluster.settings(Map.of("BASE_IMAGE", docker.baseImage()), registry.hostPort());

        try (SimCluster cluster = new SimCluster(home, c -> new ClusterConfig(c.marathon(), c.mesos(), c.flocker(),
                new ClusterConfig.Registry(registry.baseUri().toString()), new ClusterConfig.Docker(docker.dockerHost()),
                c.weave(), c.ssh(), c.nodes(), c.services(), false), apps, settings)) {
            String tag = DockerImages.contentHash(cluster.catalog.require("nodeapp").buildContext());
            String ref = registry.hostPort() + "/nodeapp:" + tag;

            long start = System.nanoTime();
            Outcome first = cluster.run(cluster.ops.deploy("nodeapp", null, false));
            long firstMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(first.state()).as(first.message()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(first.steps()).extracting(s -> s.result())
                    .containsExactly(StepResult.CHANGED, StepResult.CHANGED, StepResult.CHANGED);
            String digest = cluster.clients.registry().manifestDigest("nodeapp", tag).orElseThrow();
            assertThat(cluster.clients.marathon().app("/nodeapp").image()).isEqualTo(ref);

            start = System.nanoTime();
            Outcome second = cluster.run(cluster.ops.deploy("nodeapp", null, false));
            long secondMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(second.changedSomething()).as(SimCluster.details(second)).isFalse();
            assertThat(second.steps().get(0).detail()).startsWith("image " + ref + " is already built (");
            assertThat(second.steps().get(1).detail()).isEqualTo("registry already has " + ref + "@" + digest);
            assertThat(cluster.clients.registry().manifestDigest("nodeapp", tag)).contains(digest);
            System.out.printf("figures: real deploy (build+push+marathon) %d ms, second deploy (all ok) %d ms%n", firstMs, secondMs);
        }
    }

    /** The repo's nodeapp plus a file with a random id, so its content hash, and so its tag, is new: a real build. */
    private static Path copyOfNodeappWithAFreshBuildContext(Path home) throws IOException {
        Path source = SimCluster.REPO_APPS.resolve("nodeapp");
        Path target = home.resolve("apps").resolve("nodeapp");
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        Files.writeString(target.resolve("build-id.txt"), UUID.randomUUID() + "\n");
        return home.resolve("apps");
    }
}
