package io.opsbot.cluster.flocker;

import static io.opsbot.cluster.testing.Responses.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlockerClientTest {

    static final String NODE2 = "cf0f0346-17b2-4812-beca-1434997d6c3f";
    static final String NODE3 = "7ec3c4eb-6b1c-43da-8015-a163f7d15244";
    static final String MONGO = "ac5fad52-86e4-4ca4-9c3f-3a5f2d1c1b11";

    // The cluster CA, as flocker-ca would create it, signing the control service and a user certificate.
    static final HeldCertificate CLUSTER_CA = new HeldCertificate.Builder().commonName("cluster-ca")
            .certificateAuthority(0).build();
    static final HeldCertificate CONTROL = new HeldCertificate.Builder().commonName("control-service")
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").signedBy(CLUSTER_CA).build();
    static final HeldCertificate USER = new HeldCertificate.Builder().commonName("user-opsbot").signedBy(CLUSTER_CA).build();

    @TempDir
    Path dir;
    MockWebServer server = new MockWebServer();
    Path caPem;
    Path userCrt;
    Path userKey;

    @BeforeEach
    void start() throws IOException {
        HandshakeCertificates serverTls = new HandshakeCertificates.Builder().heldCertificate(CONTROL)
                .addTrustedCertificate(CLUSTER_CA.certificate()).build();
        server.useHttps(serverTls.sslSocketFactory());
        server.requireClientAuth();
        server.start();
        caPem = Files.writeString(dir.resolve("cluster.crt"), CLUSTER_CA.certificatePem());
        userCrt = Files.writeString(dir.resolve("user-opsbot.crt"), USER.certificatePem());
        userKey = Files.writeString(dir.resolve("user-opsbot.key"), USER.privateKeyPkcs8Pem());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    FlockerClient client(Path cert, Path key) {
        return new FlockerClient(server.url("/").toString(), caPem, cert, key, HttpClients.createShared(), ClientMetrics.NOOP,
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    @Test
    void aClientWithTheUserCertificateIsServed() throws Exception {
        server.enqueue(json(200, "{\"flocker\": \"1.15.0\"}"));

        assertThat(client(userCrt, userKey).version()).isEqualTo("1.15.0");

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/v1/version");
        assertThat(request.getHandshake().peerPrincipal().getName()).isEqualTo("CN=user-opsbot");
    }

    @Test
    void aConnectionOpenedAheadIsTheOneTheReadsUse() throws Exception {
        server.enqueue(json(200, "{\"flocker\": \"1.15.0\"}"));
        server.enqueue(json(200, "[{\"host\": \"10.0.0.12\", \"uuid\": \"" + NODE2 + "\"}]"));
        FlockerClient client = client(userCrt, userKey);

        assertThat(client.connect()).isTrue();
        assertThat(client.nodes()).containsExactly(new FlockerNode(NODE2, "10.0.0.12"));

        RecordedRequest ahead = server.takeRequest();
        RecordedRequest read = server.takeRequest();
        assertThat(ahead.getTarget()).isEqualTo("/v1/version");
        assertThat(ahead.getHandshake().peerPrincipal().getName()).isEqualTo("CN=user-opsbot");
        assertThat(read.getTarget()).isEqualTo("/v1/state/nodes");
        assertThat(read.getConnectionIndex()).as("one TCP connection and one TLS handshake for both")
                .isEqualTo(ahead.getConnectionIndex());
        assertThat(read.getExchangeIndex()).isEqualTo(1);
    }

    @Test
    void aConnectionRefusedAheadThrowsNothingAndTheReadStillSaysWhy() throws Exception {
        FlockerClient client = clientOfAnotherCa();

        assertThat(client.connect()).isFalse();
        assertThatThrownBy(client::version).isInstanceOf(OpsException.class).hasMessageContaining("Flocker at https://");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aClientWithoutACertificateIsRejectedByTheServer() {
        server.enqueue(json(200, "{\"flocker\": \"1.15.0\"}"));
        HandshakeCertificates trustOnly = new HandshakeCertificates.Builder().addTrustedCertificate(CLUSTER_CA.certificate()).build();
        OkHttpClient anonymous = HttpClients.createShared().newBuilder()
                .sslSocketFactory(trustOnly.sslSocketFactory(), trustOnly.trustManager()).build();

        assertThatThrownBy(() -> {
            try (Response response = anonymous.newCall(new Request.Builder().url(server.url("/v1/version")).build()).execute()) {
                response.body().string();
            }
        }).isInstanceOf(IOException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aCertificateFromAnotherCaIsRejectedWithAClearError() throws Exception {
        FlockerClient client = clientOfAnotherCa();
        server.enqueue(json(200, "{\"flocker\": \"1.15.0\"}"));

        assertThatThrownBy(client::version).isInstanceOf(OpsException.class)
                .hasMessageContaining("Flocker at https://");
        assertThat(server.getRequestCount()).isZero();
    }

    /**
     * Flocker's control service (Twisted over pyOpenSSL) may speak TLS 1.2 only, and asks for the client certificate the
     * TLS 1.2 way: the certificate held in memory is offered there too, an RSA key as {@code flocker-ca} makes them.
     */
    @Test
    void aServerSpeakingTls12OnlyGetsTheRsaClientCertificate() throws Exception {
        server.close();
        HeldCertificate rsaUser = new HeldCertificate.Builder().commonName("user-rsa").rsa2048().signedBy(CLUSTER_CA).build();
        Path crt = Files.writeString(dir.resolve("rsa12.crt"), rsaUser.certificatePem());
        Path key = Files.writeString(dir.resolve("rsa12.key"), rsaUser.privateKeyPkcs8Pem());
        javax.net.ssl.SSLSocketFactory tls = new HandshakeCertificates.Builder().heldCertificate(CONTROL)
                .addTrustedCertificate(CLUSTER_CA.certificate()).build().sslSocketFactory();
        try (MockWebServer tls12 = new MockWebServer()) {
            tls12.useHttps(new Tls12Only(tls));
            tls12.requireClientAuth();
            tls12.start();
            tls12.enqueue(json(200, "{\"flocker\": \"1.15.0\"}"));
            FlockerClient client = new FlockerClient(tls12.url("/").toString(), caPem, crt, key, HttpClients.createShared(),
                    ClientMetrics.NOOP, new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)));

            assertThat(client.version()).isEqualTo("1.15.0");
            RecordedRequest request = tls12.takeRequest();
            assertThat(request.getHandshake().tlsVersion()).isEqualTo(okhttp3.TlsVersion.TLS_1_2);
            assertThat(request.getHandshake().peerPrincipal().getName()).isEqualTo("CN=user-rsa");
        }
    }

    /** Server sockets that speak TLS 1.2 and nothing newer. */
    private static final class Tls12Only extends javax.net.ssl.SSLSocketFactory {
        private final javax.net.ssl.SSLSocketFactory delegate;

        Tls12Only(javax.net.ssl.SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        private java.net.Socket only12(java.net.Socket socket) {
            ((javax.net.ssl.SSLSocket) socket).setEnabledProtocols(new String[] {"TLSv1.2"});
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose) throws IOException {
            return only12(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws IOException {
            return only12(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort)
                throws IOException {
            return only12(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            return only12(delegate.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress,
                                            int localPort) throws IOException {
            return only12(delegate.createSocket(address, port, localAddress, localPort));
        }
    }

    @Test
    void anRsaKeyInPkcs1FormWorksToo() throws Exception {
        HeldCertificate rsaUser = new HeldCertificate.Builder().commonName("user-rsa").rsa2048().signedBy(CLUSTER_CA).build();
        Path crt = Files.writeString(dir.resolve("rsa.crt"), rsaUser.certificatePem());
        Path key = Files.writeString(dir.resolve("rsa.key"), rsaUser.privateKeyPkcs1Pem());
        assertThat(rsaUser.privateKeyPkcs1Pem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        server.enqueue(json(200, "[{\"host\": \"10.0.0.12\", \"uuid\": \"" + NODE2 + "\"}]"));

        assertThat(client(crt, key).nodes()).containsExactly(new FlockerNode(NODE2, "10.0.0.12"));
        assertThat(server.takeRequest().getHandshake().peerPrincipal().getName()).isEqualTo("CN=user-rsa");
    }

    @Test
    void datasetsConfigurationAndStateAreTyped() throws Exception {
        server.enqueue(json(200, """
                [{"deleted": false, "dataset_id": "%s", "maximum_size": 67108864, "primary": "%s",
                  "metadata": {"name": "mongo"}},
                 {"deleted": true, "dataset_id": "11111111-2222-3333-4444-555555555555", "primary": "%s", "metadata": {}}]"""
                .formatted(MONGO, NODE2, NODE3)));
        server.enqueue(json(200, """
                [{"primary": "%s", "maximum_size": 67108864, "dataset_id": "%s", "path": "/flocker/%s"},
                 {"dataset_id": "99999999-2222-3333-4444-555555555555"}]""".formatted(NODE2, MONGO, MONGO)));

        FlockerClient flocker = client(userCrt, userKey);

        assertThat(flocker.datasets()).containsExactly(
                new Dataset(MONGO, NODE2, 67108864L, false, Map.of("name", "mongo")),
                new Dataset("11111111-2222-3333-4444-555555555555", NODE3, null, true, Map.of()));
        assertThat(flocker.stateDatasets()).containsExactly(
                new DatasetState(MONGO, NODE2, "/flocker/" + MONGO, 67108864L),
                new DatasetState("99999999-2222-3333-4444-555555555555", null, null, null));
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v1/configuration/datasets");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v1/state/datasets");
    }

    @Test
    void moveAndCreateSendTheDocumentedBodies() throws Exception {
        server.enqueue(json(200, """
                {"deleted": false, "dataset_id": "%s", "maximum_size": 67108864, "primary": "%s", "metadata": {"name": "mongo"}}"""
                .formatted(MONGO, NODE3)));
        server.enqueue(json(201, """
                {"deleted": false, "dataset_id": "%s", "maximum_size": 1073741824, "primary": "%s", "metadata": {"name": "logs"}}"""
                .formatted("22222222-2222-3333-4444-555555555555", NODE2)));
        FlockerClient flocker = client(userCrt, userKey);

        assertThat(flocker.moveDataset(MONGO, NODE3).primary()).isEqualTo(NODE3);
        assertThat(flocker.createDataset(NODE2, 1073741824L, Map.of("name", "logs")).metadata()).containsEntry("name", "logs");

        RecordedRequest move = server.takeRequest();
        assertThat(move.getMethod()).isEqualTo("POST");
        assertThat(move.getTarget()).isEqualTo("/v1/configuration/datasets/" + MONGO);
        assertThat(Json.MAPPER.readTree(move.getBody().utf8())).isEqualTo(Json.MAPPER.readTree("{\"primary\": \"" + NODE3 + "\"}"));
        RecordedRequest create = server.takeRequest();
        assertThat(create.getTarget()).isEqualTo("/v1/configuration/datasets");
        assertThat(Json.MAPPER.readTree(create.getBody().utf8())).isEqualTo(Json.MAPPER.readTree(
                "{\"primary\": \"" + NODE2 + "\", \"maximum_size\": 1073741824, \"metadata\": {\"name\": \"logs\"}}"));
    }

    @Test
    void flockerErrorsKeepTheirDescription() {
        server.enqueue(json(404, "{\"description\": \"Dataset not found.\"}"));
        server.enqueue(json(400, "{\"description\": \"The provided JSON doesn't match the required schema.\", \"errors\": [\"'primary' is a required property\"]}"));
        FlockerClient flocker = client(userCrt, userKey);

        assertThatThrownBy(() -> flocker.moveDataset(MONGO, NODE3)).isInstanceOf(OpsException.class)
                .hasMessage("no dataset " + MONGO + " in Flocker: Dataset not found.");
        assertThatThrownBy(() -> flocker.createDataset(NODE2, null, null)).isInstanceOf(OpsException.class)
                .hasMessage("Flocker rejected the request for new dataset (HTTP 400): The provided JSON doesn't match "
                        + "the required schema. ('primary' is a required property)");
        assertThatThrownBy(() -> flocker.moveDataset("../x", NODE3)).hasMessage("'../x' is not a Flocker dataset UUID");
    }

    @Test
    void missingOrBrokenKeyFilesAreReportedByName() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.key"), "nothing here");

        assertThatThrownBy(() -> client(userCrt, empty)).isInstanceOf(OpsException.class)
                .hasMessageContaining("no private key").hasMessageContaining("empty.key");
        assertThatThrownBy(() -> client(userCrt, dir.resolve("absent.key"))).isInstanceOf(OpsException.class)
                .hasMessageContaining("absent.key");
    }

    /** A client whose certificate another CA signed (user-mallory): the control service must refuse it. */
    private FlockerClient clientOfAnotherCa() throws Exception {
        HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0).build();
        HeldCertificate stranger = new HeldCertificate.Builder().commonName("user-mallory").signedBy(otherCa).build();
        Path crt = Files.writeString(dir.resolve("m.crt"), stranger.certificatePem());
        Path key = Files.writeString(dir.resolve("m.key"), stranger.privateKeyPkcs8Pem());
        return client(crt, key);
    }
}
