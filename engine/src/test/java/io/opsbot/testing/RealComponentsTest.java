package io.opsbot.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Each real component that ./run-tests starts really answers; and the helper never skips in CI. */
class RealComponentsTest {

    @Test
    void postgresAnswersSelectOne() throws Exception {
        RealComponents.Postgres pg = RealComponents.postgres();
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select 1")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void dockerEngineAnswersPingOverItsUnixSocket() throws Exception {
        RealComponents.Docker docker = RealComponents.docker();
        String response = docker.http("GET", "/_ping");
        assertThat(response).matches("(?s)HTTP/1\\.[01] 200 .*").endsWith("OK");
    }

    @Test
    void dockerEngineHasTheLocalBaseImage() throws Exception {
        RealComponents.Docker docker = RealComponents.docker();
        String response = docker.http("GET", "/images/" + docker.baseImage() + "/json");
        assertThat(response).as("inspect %s", docker.baseImage()).matches("(?s)HTTP/1\\.[01] 200 .*");
    }

    @Test
    void registryAnswersTheV2ApiCheck() throws Exception {
        RealComponents.Registry registry = RealComponents.registry();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(registry.baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void sshServerSendsAnSsh2Banner() throws Exception {
        RealComponents.Ssh ssh = RealComponents.ssh();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ssh.host(), ssh.port()), 5_000);
            socket.setSoTimeout(5_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("SSH-2.0-");
        }
        assertThat(Files.readString(ssh.privateKey())).contains("PRIVATE KEY");
    }

    @Test
    void sshLoginWithTheTestKeyRunsCommandsAsTheTestUser() throws Exception {
        RealComponents.Ssh ssh = RealComponents.ssh();
        assertThat(runOverSsh(ssh, "id -un")).isEqualTo(ssh.user());
    }

    @Test
    void rsyslogWritesAUdpMessageToItsProgramsFileWithAnRfc3339Timestamp() throws Exception {
        RealComponents.Rsyslog rsyslog = RealComponents.rsyslog();
        String tag = uniqueTag();
        String marker = "marker-" + UUID.randomUUID();
        Path file = sendAndAwait(rsyslog, tag, marker);
        try {
            assertThat(Files.readString(file).strip())
                    .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([+-]\\d{2}:\\d{2}|Z) \\S+ " + tag + ": " + marker);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theSshTestUserCanReadTheCentralLogs() throws Exception {
        RealComponents.Rsyslog rsyslog = RealComponents.rsyslog();
        RealComponents.Ssh ssh = RealComponents.ssh();
        String tag = uniqueTag();
        String marker = "marker-" + UUID.randomUUID();
        Path file = sendAndAwait(rsyslog, tag, marker);
        try {
            assertThat(runOverSsh(ssh, "cat " + file)).contains(marker);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String uniqueTag() {
        return "opsbot-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Sends one syslog line over UDP and waits until rsyslog has written it; returns the file. */
    private static Path sendAndAwait(RealComponents.Rsyslog rsyslog, String tag, String marker) throws Exception {
        // <14> = facility user, severity info; an RFC 3164 line with an RFC 3339 timestamp
        // (milliseconds: rsyslog 8.2302 garbles fractions of a second longer than 6 digits).
        String line = "<14>" + OffsetDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"))
                + " opsbot-test " + tag + ": " + marker;
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(rsyslog.host()), rsyslog.port()));
        }
        Path file = rsyslog.logFileOf(tag);
        await("message tagged " + tag + " in " + file).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(file) && Files.readString(file).contains(marker));
        return file;
    }

    private static String runOverSsh(RealComponents.Ssh ssh, String command) throws Exception {
        try (SSHClient client = new SSHClient()) {
            client.addHostKeyVerifier(new PromiscuousVerifier()); // a throwaway host key made by run-tests
            client.setConnectTimeout(5_000);
            client.setTimeout(10_000);
            client.connect(ssh.host(), ssh.port());
            client.authPublickey(ssh.user(), client.loadKeys(ssh.privateKey().toString()));
            try (Session session = client.startSession(); Session.Command cmd = session.exec(command)) {
                String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
                cmd.join(10, TimeUnit.SECONDS);
                assertThat(cmd.getExitStatus()).as("exit status of '%s'", command).isZero();
                return out.strip();
            }
        }
    }

    @Test
    void aMissingComponentFailsTheTestInCiNamingItAndHowToStartIt() {
        assertThatThrownBy(() -> RealComponents.unavailable("rsyslog", "OPSBOT_TEST_RSYSLOG is not set", true))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("rsyslog is not available: OPSBOT_TEST_RSYSLOG is not set")
                .hasMessageContaining("./run-tests");
    }

    @Test
    void aMissingComponentSkipsTheTestOutsideCi() {
        assertThatThrownBy(() -> RealComponents.unavailable("rsyslog", "OPSBOT_TEST_RSYSLOG is not set", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("rsyslog is not available")
                .hasMessageContaining("./run-tests");
    }
}
