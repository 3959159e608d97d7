package io.opsbot.cluster.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.BadRequestException;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when no daemon listens, and how daemon messages are read: no Docker needed. */
class DockerImagesWithoutDaemonTest {

    @TempDir
    Path tmp;

    private String host;
    private DockerImages images;

    @BeforeEach
    void pointAtNothing() {
        host = "unix://" + tmp.resolve("no-daemon.sock");
        images = new DockerImages(host);
    }

    @AfterEach
    void close() {
        images.close();
    }

    @Test
    void aDaemonThatIsNotThereIsNotAvailable() {
        assertThat(images.available()).isFalse();
    }

    @Test
    void buildPushAndInspectReportTheUnreachableDaemonAsTransient() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");

        assertThatThrownBy(() -> images.build(context, "node1:5000/app:1", Map.of(), line -> { }))
                .isInstanceOf(TransientException.class)
                .hasMessageStartingWith("docker build of app failed: the Docker daemon at " + host + " cannot be reached");
        assertThatThrownBy(() -> images.push("node1:5000/app:1", line -> { }))
                .isInstanceOf(TransientException.class)
                .hasMessageStartingWith("docker push of node1:5000/app:1 failed: the Docker daemon at " + host);
        assertThatThrownBy(() -> images.localImageId("app:1"))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("cannot be reached");
    }

    @Test
    void aContextWithoutDockerfileIsRefusedBeforeAskingTheDaemon() {
        assertThatThrownBy(() -> images.build(tmp, "node1:5000/app:1", Map.of(), line -> { }))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessage("docker build of app: " + tmp + " has no Dockerfile");
    }

    @Test
    void theDaemonsMessageIsTakenOutOfItsJsonAnswer() {
        BadRequestException e = new BadRequestException(
                "{\"message\":\"dockerfile parse error line 3: unknown instruction: RUNN\"}\n");

        assertThat(e.getMessage()).startsWith("Status 400: ");
        assertThat(DockerImages.daemonMessage(e)).isEqualTo("dockerfile parse error line 3: unknown instruction: RUNN");
        assertThat(DockerImages.daemonMessage(new BadRequestException("plain words"))).isEqualTo("plain words");
    }

    @Test
    void registryConnectFailuresAreRetryableAndMissingManifestsAreNot() {
        assertThat(DockerImages.isRegistryUnreachable(
                "Get \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused")).isTrue();
        assertThat(DockerImages.isRegistryUnreachable("received unexpected HTTP status: 503 Service Unavailable"))
                .isTrue();
        assertThat(DockerImages.isRegistryUnreachable(
                "manifest for 127.0.0.1:5000/opsbot/nope:latest not found: manifest unknown")).isFalse();
    }

    @Test
    void imageReferencesSplitAtTheTagNotAtTheRegistryPort() {
        assertThat(ImageRef.parse("node1:5000/nodeapp:1.0")).isEqualTo(new ImageRef("node1:5000/nodeapp", "1.0"));
        assertThat(ImageRef.parse("node1:5000/team/nodeapp")).isEqualTo(new ImageRef("node1:5000/team/nodeapp", "latest"));
        assertThat(ImageRef.parse("nodeapp:abc").shortName()).isEqualTo("nodeapp");
        assertThat(ImageRef.parse("node1:5000/team/nodeapp:1").shortName()).isEqualTo("nodeapp");
        assertThatThrownBy(() -> ImageRef.parse("nodeapp@sha256:0123")).isInstanceOf(OpsException.class);
    }
}
