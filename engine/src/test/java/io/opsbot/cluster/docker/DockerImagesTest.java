package io.opsbot.cluster.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real Docker Engine and registry (see {@link RealDocker}). */
class DockerImagesTest {

    private static final Path NODEAPP = Path.of("..", "config", "apps", "nodeapp").toAbsolutePath().normalize();

    private static RealDocker docker;
    private static DockerImages images;
    private static DockerClient raw;
    private static final List<String> createdImages = new CopyOnWriteArrayList<>();
    private static final List<String[]> pushedManifests = new CopyOnWriteArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect() {
        docker = RealDocker.require();
        images = new DockerImages(docker.dockerHost());
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(docker.dockerHost()).build();
        raw = DockerClientImpl.getInstance(config,
                new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (raw != null) {
            for (String ref : createdImages) {
                try {
                    raw.removeImageCmd(ref).withForce(true).exec();
                } catch (RuntimeException ignored) {
                    // Already gone, or never built because the test failed before.
                }
            }
            raw.close();
        }
        for (String[] manifest : pushedManifests) {
            HttpRequest delete = HttpRequest.newBuilder(URI.create(
                    "http://" + docker.registry() + "/v2/" + manifest[0] + "/manifests/" + manifest[1]))
                    .DELETE().build();
            RealDocker.HTTP.send(delete, HttpResponse.BodyHandlers.discarding());
        }
        if (images != null) {
            images.close();
        }
    }

    private static String testName(String prefix) {
        return prefix + "-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private BuildResult buildOnBase(Path context, String ref, List<String> progress) {
        createdImages.add(ref);
        return images.build(context, ref, Map.of("BASE_IMAGE", docker.baseImage()), progress::add);
    }

    @Test
    void nodeappIsBuiltTaggedByContentHashPushedAndTheRegistryServesThePushedDigest() throws Exception {
        String name = testName("nodeapp");
        String hash = images.contentHash(NODEAPP);
        String ref = docker.registry() + "/" + name + ":" + hash;
        List<String> buildLog = new ArrayList<>();

        BuildResult built = buildOnBase(NODEAPP, ref, buildLog);

        assertThat(built.imageId()).startsWith("sha256:");
        assertThat(images.localImageId(ref)).contains(built.imageId());
        assertThat(buildLog).anyMatch(line -> line.startsWith("Step 1/"));
        assertThat(docker.registryDigest(name, hash)).isEmpty();

        List<String> pushLog = new ArrayList<>();
        PushResult first = images.push(ref, pushLog::add);
        pushedManifests.add(new String[] {name, first.digest()});

        assertThat(first.digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(docker.registryDigest(name, hash)).contains(first.digest());
        assertThat(pushLog).isNotEmpty().noneMatch(line -> line.endsWith(": Pushing"));

        PushResult second = images.push(ref, line -> { });

        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(docker.registryDigest(name, hash)).contains(first.digest());
        System.out.printf("figures: nodeapp build on %s %d ms, first push %d ms, second push %d ms%n",
                docker.baseImage(), built.took().toMillis(), first.took().toMillis(), second.took().toMillis());
    }

    @Test
    void theDaemonGetsTheHashedFilesOnlyWithTheirExecutableBit() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("sent"));
        Files.writeString(context.resolve(".dockerignore"), "**/*.secret\n");
        Files.writeString(context.resolve("top.secret"), "never sent\n");
        Path script = Files.writeString(context.resolve("run.sh"), "#!/bin/sh\necho ok\n");
        script.toFile().setExecutable(true);
        Files.writeString(context.resolve("Dockerfile"), """
                ARG BASE_IMAGE
                FROM ${BASE_IMAGE}
                COPY . /ctx/
                RUN test ! -e /ctx/top.secret && test -x /ctx/run.sh && /ctx/run.sh
                """);
        String ref = docker.registry() + "/" + testName("sent") + ":" + images.contentHash(context);

        BuildResult built = buildOnBase(context, ref, new ArrayList<>());

        assertThat(images.localImageId(ref)).contains(built.imageId());
    }

    @Test
    void aDockerfileSyntaxErrorCarriesTheDaemonsMessage() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(context.resolve("Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUNN echo hi\n");
        String ref = docker.registry() + "/" + testName("broken") + ":1";

        assertThatThrownBy(() -> buildOnBase(context, ref, new ArrayList<>()))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("docker build of " + ref.substring(ref.indexOf('/') + 1, ref.lastIndexOf(':'))
                        + " failed")
                .hasMessageContaining("unknown instruction: RUNN");
    }

    @Test
    void aFailingStepIsNamedWithTheDaemonsMessage() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("failing"));
        Files.writeString(context.resolve("Dockerfile"),
                "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo preparing\nRUN exit 3\n");
        String name = testName("failing");

        assertThatThrownBy(() -> buildOnBase(context, docker.registry() + "/" + name + ":1", new ArrayList<>()))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("docker build of " + name + " failed at step 4/4 (RUN exit 3): ")
                .hasMessageContaining("returned a non-zero code: 3");
    }

    @Test
    void aMissingBaseImageCarriesTheDaemonsMessage() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("nobase"));
        Files.writeString(context.resolve("Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n");
        String name = testName("nobase");
        // A repository the local registry does not have: the daemon's pull fails without leaving the machine.
        String missingBase = docker.registry() + "/opsbot/" + testName("no-such-base") + ":latest";

        assertThatThrownBy(() -> images.build(context, docker.registry() + "/" + name + ":1",
                        Map.of("BASE_IMAGE", missingBase), line -> { }))
                .isInstanceOf(OpsException.class)
                .hasMessageStartingWith("docker build of " + name + " failed")
                .hasMessageContaining(missingBase.substring(0, missingBase.lastIndexOf(':')));
    }

    @Test
    void pushingToAnUnreachableRegistryIsATransientFailureWithTheDaemonsMessage() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String ref = "127.0.0.1:" + closedPort + "/" + testName("unreachable") + ":1";
        createdImages.add(ref);
        raw.tagImageCmd(docker.baseImage(), ref.substring(0, ref.lastIndexOf(':')), "1").exec();

        assertThatThrownBy(() -> images.push(ref, line -> { }))
                .isInstanceOf(TransientException.class)
                .hasMessageStartingWith("docker push of " + ref + " failed: ")
                .hasMessageContaining("connection refused");
    }

    @Test
    void pushingAnImageTheDaemonDoesNotHaveIsRefused() {
        String ref = docker.registry() + "/" + testName("absent") + ":1";

        assertThatThrownBy(() -> images.push(ref, line -> { }))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("docker push of " + ref + " failed: ")
                .hasMessageContaining("does not exist");
    }

    @Test
    void anUnknownImageHasNoLocalId() {
        assertThat(images.localImageId(testName("unknown") + ":never")).isEmpty();
        assertThat(images.localImageId(docker.baseImage())).hasValueSatisfying(id -> assertThat(id).startsWith("sha256:"));
    }
}
