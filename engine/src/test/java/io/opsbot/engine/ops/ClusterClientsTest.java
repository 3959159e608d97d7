package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.testing.Responses;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.OpsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the clients set up at start, and what they leave to first use. */
class ClusterClientsTest {

    @TempDir
    Path dir;

    private static ClusterConfig config(String marathon, List<String> mesos, String registry, Map<String, String> weave,
                                        ClusterConfig.Flocker flocker) {
        return new ClusterConfig(new ClusterConfig.Marathon(marathon, null, null, null),
                new ClusterConfig.Mesos(null, mesos), flocker, new ClusterConfig.Registry(registry), null,
                weave == null ? null : new ClusterConfig.Weave(null, null, weave), null, Map.of(), null, false);
    }

    @Test
    void theSharedClientSetsUpTlsOnlyWhenAServiceItReachesIsConfiguredWithHttps() {
        assertThat(ClusterClients.anyHttps(config("http://m:8080", List.of("http://m:5050"), "http://r:5000",
                Map.of("node1", "http://n1:6784"), new ClusterConfig.Flocker("https://f:4523", "ca", "c", "k"))))
                .as("Flocker brings its own TLS").isFalse();
        assertThat(ClusterClients.anyHttps(config("HTTPS://m:8443", List.of(), null, null, null))).isTrue();
        assertThat(ClusterClients.anyHttps(config("http://m:8080", List.of("http://a:5050", "https://b:5050"), null,
                null, null))).isTrue();
        assertThat(ClusterClients.anyHttps(config("http://m:8080", List.of(), "https://r:5000", null, null))).isTrue();
        assertThat(ClusterClients.anyHttps(config("http://m:8080", List.of(), null, Map.of("node2", "https://n2:6784"),
                null))).isTrue();
    }

    @Test
    void flockersCertificatesAreReadOnFirstUseSoOtherCommandsRunWithoutThem() {
        Path missing = dir.resolve("missing.crt");
        try (ClusterClients clients = ClusterClients.connect(config("http://127.0.0.1:1", List.of(), null, null,
                new ClusterConfig.Flocker("https://127.0.0.1:2", missing.toString(), missing.toString(),
                        missing.toString())))) {
            assertThat(clients.hasFlocker()).isTrue();
            assertThatThrownBy(clients::flocker).isInstanceOf(OpsException.class).hasMessageContaining("missing.crt");
        }
    }

    @Test
    void flockerConnectedAheadWithUnreadableCertificatesLeavesTheErrorToTheRead() {
        Path missing = dir.resolve("missing.crt");
        try (ClusterClients clients = ClusterClients.connect(config("http://127.0.0.1:1", List.of(), null, null,
                new ClusterConfig.Flocker("https://127.0.0.1:2", missing.toString(), missing.toString(),
                        missing.toString())))) {
            clients.connectFlockerAhead();
            assertThatThrownBy(clients::flocker).isInstanceOf(OpsException.class).hasMessageContaining("missing.crt");
        }
    }

    @Test
    void aFlockerReadAfterTheConnectionOpenedAheadWaitsForItAndReusesIt() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().commonName("cluster-ca").certificateAuthority(0).build();
        HeldCertificate control = new HeldCertificate.Builder().commonName("control-service")
                .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").signedBy(ca).build();
        HeldCertificate user = new HeldCertificate.Builder().commonName("user-opsbot").signedBy(ca).build();
        Path caPem = Files.writeString(dir.resolve("cluster.crt"), ca.certificatePem());
        Path userCrt = Files.writeString(dir.resolve("user-opsbot.crt"), user.certificatePem());
        Path userKey = Files.writeString(dir.resolve("user-opsbot.key"), user.privateKeyPkcs8Pem());
        try (MockWebServer server = new MockWebServer()) {
            server.useHttps(new HandshakeCertificates.Builder().heldCertificate(control)
                    .addTrustedCertificate(ca.certificate()).build().sslSocketFactory());
            server.requireClientAuth();
            server.start();
            server.enqueue(Responses.json(200, "{\"flocker\": \"1.15.0\"}"));
            server.enqueue(Responses.json(200, "[]"));
            try (ClusterClients clients = ClusterClients.connect(config("http://127.0.0.1:1", List.of(), null, null,
                    new ClusterConfig.Flocker(server.url("/").toString(), caPem.toString(), userCrt.toString(),
                            userKey.toString())))) {
                clients.connectFlockerAhead();
                assertThat(clients.flocker().nodes()).isEmpty();
            }
            RecordedRequest ahead = server.takeRequest();
            RecordedRequest read = server.takeRequest();
            assertThat(ahead.getTarget()).isEqualTo("/v1/version");
            assertThat(read.getTarget()).isEqualTo("/v1/state/nodes");
            assertThat(read.getConnectionIndex()).as("the read did not handshake again").isEqualTo(ahead.getConnectionIndex());
        }
    }
}
