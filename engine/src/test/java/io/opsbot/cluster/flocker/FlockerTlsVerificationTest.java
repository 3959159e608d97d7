package io.opsbot.cluster.flocker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flocker's control service is trusted only when its certificate is signed by the configured cluster CA, is in its
 * validity period and names the host opsbot connects to. Anything else is refused before a request is sent, with a
 * message naming Flocker and what is wrong — not retried as if the service were down.
 */
class FlockerTlsVerificationTest {

    static final HeldCertificate CLUSTER_CA = new HeldCertificate.Builder().commonName("cluster-ca")
            .certificateAuthority(0).build();
    static final HeldCertificate USER = new HeldCertificate.Builder().commonName("user-opsbot").signedBy(CLUSTER_CA).build();

    @TempDir
    Path dir;
    MockWebServer server = new MockWebServer();
    Path caPem;
    Path userCrt;
    Path userKey;

    @BeforeEach
    void files() throws IOException {
        caPem = Files.writeString(dir.resolve("cluster.crt"), CLUSTER_CA.certificatePem());
        userCrt = Files.writeString(dir.resolve("user-opsbot.crt"), USER.certificatePem());
        userKey = Files.writeString(dir.resolve("user-opsbot.key"), USER.privateKeyPkcs8Pem());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The control service on loopback presenting {@code certificate} (and requiring a client certificate). */
    void serve(HeldCertificate certificate, HeldCertificate issuer) throws IOException {
        HandshakeCertificates tls = new HandshakeCertificates.Builder().heldCertificate(certificate, issuer.certificate())
                .addTrustedCertificate(CLUSTER_CA.certificate()).build();
        server.useHttps(tls.sslSocketFactory());
        server.requireClientAuth();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        server.enqueue(new MockResponse.Builder().code(200).body("{\"flocker\": \"1.15.0\"}").build());
    }

    FlockerClient client() {
        return new FlockerClient(server.url("/").toString(), caPem, userCrt, userKey, HttpClients.createShared(),
                ClientMetrics.NOOP, new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    String origin() {
        return "https://" + server.url("/").host() + ":" + server.getPort();
    }

    @Test
    void aServerCertificateOfTheClusterCaForThisHostIsTrusted() throws Exception {
        serve(new HeldCertificate.Builder().commonName("control-service").addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1")
                .signedBy(CLUSTER_CA).build(), CLUSTER_CA);

        assertThat(client().version()).isEqualTo("1.15.0");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        HeldCertificate otherCa = new HeldCertificate.Builder().commonName("impostor-ca").certificateAuthority(0).build();
        serve(new HeldCertificate.Builder().commonName("control-service").addSubjectAlternativeName("localhost")
                .signedBy(otherCa).build(), otherCa);

        assertThatThrownBy(() -> client().version()).isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessage("TLS with Flocker at " + origin() + " failed: its certificate is not signed"
                        + " by a CA opsbot trusts for it; refusing to talk to it");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void anExpiredServerCertificateIsRefused() throws Exception {
        long now = System.currentTimeMillis();
        serve(new HeldCertificate.Builder().commonName("control-service").addSubjectAlternativeName("localhost")
                .validityInterval(now - TimeUnit.DAYS.toMillis(30), now - TimeUnit.DAYS.toMillis(1))
                .signedBy(CLUSTER_CA).build(), CLUSTER_CA);

        assertThatThrownBy(() -> client().version()).isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("TLS with Flocker at " + origin() + " failed: its certificate (CN=control-service) has expired"
                        + " (valid until " + java.time.Instant.ofEpochMilli(now - TimeUnit.DAYS.toMillis(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .hasMessageEndingWith("); refusing to talk to it");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aServerCertificateForAnotherHostIsRefused() throws Exception {
        serve(new HeldCertificate.Builder().commonName("control-service").addSubjectAlternativeName("flocker.example.com")
                .signedBy(CLUSTER_CA).build(), CLUSTER_CA);

        assertThatThrownBy(() -> client().version()).isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessage("TLS with Flocker at " + origin() + " failed: its certificate (CN=control-service) is not for "
                        + server.url("/").host() + " (it names flocker.example.com); refusing to talk to it");
        assertThat(server.getRequestCount()).isZero();
    }
}
