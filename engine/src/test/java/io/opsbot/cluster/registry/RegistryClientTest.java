package io.opsbot.cluster.registry;

import static io.opsbot.cluster.testing.Responses.json;
import static io.opsbot.cluster.testing.Responses.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryClientTest {

    static final String DIGEST = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    MockWebServer server = new MockWebServer();
    RegistryClient registry;

    @BeforeEach
    void start() throws IOException {
        server.start();
        registry = new RegistryClient(server.url("/").toString(), Auth.basic("ci", "pw"), HttpClients.shared(),
                ClientMetrics.NOOP, new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void pingAsksForTheV2Root() throws Exception {
        server.enqueue(new MockResponse(200, Headers.of("Docker-Distribution-API-Version", "registry/2.0",
                "Content-Type", "application/json; charset=utf-8"), "{}"));

        assertThat(registry.ping()).isTrue();

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/v2/");
        assertThat(request.getHeaders().get("Authorization")).startsWith("Basic ");
    }

    @Test
    void catalogAndTags() throws Exception {
        server.enqueue(json(200, "{\"repositories\": [\"nginx\", \"nodeapp\", \"team/mongo\"]}"));
        server.enqueue(json(200, "{\"name\": \"team/mongo\", \"tags\": [\"3.4\", \"latest\"]}"));
        server.enqueue(json(200, "{\"name\": \"nodeapp\", \"tags\": null}"));
        server.enqueue(json(404, "{\"errors\": [{\"code\": \"NAME_UNKNOWN\", \"message\": \"repository name not known to registry\", \"detail\": {\"name\": \"nope\"}}]}"));

        assertThat(registry.catalog()).containsExactly("nginx", "nodeapp", "team/mongo");
        assertThat(registry.tags("team/mongo")).containsExactly("3.4", "latest");
        assertThat(registry.tags("nodeapp")).isEmpty();
        assertThat(registry.tags("nope")).isEmpty();

        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/_catalog");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/team/mongo/tags/list");
    }

    @Test
    void digestOfATagComesFromAHeadRequestWithEveryManifestKindAccepted() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200)
                .setHeader("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                .setHeader("Docker-Content-Digest", DIGEST).setHeader("Content-Length", "0").build());

        assertThat(registry.manifestDigest("nodeapp", "a1")).contains(DIGEST);

        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("HEAD");
        assertThat(request.getTarget()).isEqualTo("/v2/nodeapp/manifests/a1");
        assertThat(request.getHeaders().get("Accept")).contains(
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.index.v1+json");
    }

    @Test
    void absentTagIsEmpty() {
        server.enqueue(status(404)); // HEAD answers carry no body

        assertThat(registry.manifestDigest("nodeapp", "missing")).isEmpty();
    }

    @Test
    void registryWithoutTheDigestHeaderGetsAGetAndTheDigestIsComputed() throws Exception {
        String manifest = "{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"layers\": []}";
        server.enqueue(status(200));
        server.enqueue(new MockResponse(200, Headers.of("Content-Type", "application/vnd.oci.image.manifest.v1+json"), manifest));

        String digest = registry.manifestDigest("nodeapp", "b2").orElseThrow();

        assertThat(digest).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        server.takeRequest();
        assertThat(server.takeRequest().getMethod()).isEqualTo("GET");
    }

    @Test
    void manifestUnknownOnGetIsEmptyToo() {
        server.enqueue(status(200));
        server.enqueue(json(404, "{\"errors\": [{\"code\": \"MANIFEST_UNKNOWN\", \"message\": \"manifest unknown\", \"detail\": {\"Tag\": \"b2\"}}]}"));

        assertThat(registry.manifestDigest("nodeapp", "b2")).isEmpty();
    }

    @Test
    void errorsCarryTheRegistryCodesAndHostileNamesAreRejected() {
        server.enqueue(json(400, "{\"errors\": [{\"code\": \"NAME_INVALID\", \"message\": \"invalid repository name\"}]}"));
        server.enqueue(status(503));
        server.enqueue(status(503));

        assertThatThrownBy(() -> registry.tags("x")).isInstanceOf(OpsException.class)
                .hasMessageEndingWith("answered 400 for repository x: NAME_INVALID: invalid repository name");
        assertThatThrownBy(registry::catalog).isInstanceOf(TransientException.class);
        for (String hostile : new String[] {"../etc", "Nodeapp", "a b", "x?y", "a//b"}) {
            assertThatThrownBy(() -> registry.tags(hostile)).isInstanceOf(OpsException.class).hasMessageContaining("not a valid repository name");
        }
        assertThatThrownBy(() -> registry.manifestDigest("nodeapp", "../x")).hasMessageContaining("not a valid image tag");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }
}
