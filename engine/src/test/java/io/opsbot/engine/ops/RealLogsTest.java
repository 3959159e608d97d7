package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.Report;
import io.opsbot.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logs over a real SSH connection to a real sshd, reading the real rsyslog's per-program file that a container
 * wrote to through Docker's syslog log driver. The hostile patterns reach the real grep as literal text.
 */
class RealLogsTest {

    @Test
    void anAppsLineSentThroughSyslogIsFoundOverSshAndHostileTextStaysLiteral(@TempDir Path home) throws Exception {
        RealComponents.Ssh ssh = RealComponents.ssh();
        RealComponents.Rsyslog rsyslog = RealComponents.rsyslog();
        RealComponents.Docker docker = RealComponents.docker();
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String app = "nodeapp-" + id;
        String unique = "opsbot-real-logs-" + id;
        String pwned = "/tmp/pwned-" + id;
        String hostileLine = "hostile $(touch " + pwned + ") `touch " + pwned + "-b` '; touch " + pwned + "-c; echo '";

        ClusterOperations ops = operations(home, app, ssh);
        run(docker, List.of("docker", "run", "--rm", "--log-driver=syslog",
                "--log-opt", "syslog-address=udp://" + rsyslog.host() + ":" + rsyslog.port(), "--log-opt", "tag=" + app,
                docker.baseImage(), "echo", unique));
        run(docker, List.of("docker", "run", "--rm", "--log-driver=syslog",
                "--log-opt", "syslog-address=udp://" + rsyslog.host() + ":" + rsyslog.port(), "--log-opt", "tag=" + app,
                docker.baseImage(), "echo", hostileLine));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(lines(ops.logs(app, null, null, unique, 10))).singleElement().asString().endsWith(unique));
        assertThat(lines(ops.logs(app, null, Duration.ofMinutes(10), null, 10))).anyMatch(l -> l.endsWith(unique));

        for (String hostile : List.of("$(touch " + pwned + ")", "`touch " + pwned + "-b`", "'; touch " + pwned + "-c; echo '")) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(lines(ops.logs(app, null, null, hostile, 10))).as(hostile)
                            .singleElement().asString().endsWith(hostileLine));
        }
        for (String hostile : List.of("; rm -rf /", "| touch " + pwned + "-d", "\\\" && touch " + pwned + "-e")) {
            assertThat(lines(ops.logs(app, null, null, hostile, 10))).as(hostile).containsExactly("no lines");
        }
        for (String suffix : List.of("", "-b", "-c", "-d", "-e")) {
            assertThat(Path.of(pwned + suffix)).doesNotExist();
        }
    }

    @Test
    void aServiceTheInventoryGivesALogFileIsReadFromThatFileOverSsh(@TempDir Path home) throws Exception {
        RealComponents.Ssh ssh = RealComponents.ssh();
        RealComponents.Rsyslog rsyslog = RealComponents.rsyslog();
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String program = "opsbot-svc-" + id;
        String pwned = "/tmp/pwned-" + id;
        String hostileLine = "it's $(touch " + pwned + ") `touch " + pwned + "-b` done";
        // The service logs to a file instead of the journal: here the file rsyslog writes for its syslog tag.
        Map<String, ClusterConfig.Service> inventory = Map.of("billing",
                new ClusterConfig.Service(List.of("node1"), null, rsyslog.logFileOf(program).toString()));
        ClusterOperations ops = operations(home, "nodeapp", ssh, inventory);

        sendSyslog(rsyslog, program, "Billing run STARTED " + id);
        sendSyslog(rsyslog, program, hostileLine);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(lines(ops.logs("billing", null, null, null, 10))).hasSize(2));
        Report started = ops.logs("billing", null, Duration.ofMinutes(10), "billing run started", 10);
        assertThat(started.sections().get(0).heading()).isEqualTo("node1: " + rsyslog.logFileOf(program));
        assertThat(lines(started)).singleElement().asString().endsWith("Billing run STARTED " + id);
        // --case: the real grep matches letter case exactly.
        assertThat(lines(ops.logs("billing", null, null, "billing run started", 10, true))).containsExactly("no lines");
        assertThat(lines(ops.logs("billing", null, null, "Billing run STARTED", 10, true))).singleElement().asString()
                .endsWith("Billing run STARTED " + id);
        assertThat(lines(ops.logs("billing", null, null, "$(touch " + pwned + ")", 10))).singleElement().asString()
                .endsWith(hostileLine);
        assertThat(lines(ops.logs("billing", null, null, "'; touch " + pwned + "-c; echo '", 10))).containsExactly("no lines");
        for (String suffix : List.of("", "-b", "-c")) {
            assertThat(Path.of(pwned + suffix)).doesNotExist();
        }
    }

    /**
     * One RFC 5424 message over UDP, which rsyslog files under its APP-NAME. The time is in milliseconds: rsyslog
     * reads at most 6 fraction digits.
     */
    private static void sendSyslog(RealComponents.Rsyslog rsyslog, String program, String message) throws IOException {
        byte[] datagram = ("<14>1 " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " opsbot-test " + program + " - - - " + message)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            socket.send(new java.net.DatagramPacket(datagram, datagram.length,
                    java.net.InetAddress.getByName(rsyslog.host()), rsyslog.port()));
        }
    }

    private static List<String> lines(Report report) {
        return report.sections().get(0).lines();
    }

    private static ClusterOperations operations(Path home, String app, RealComponents.Ssh ssh) throws IOException {
        return operations(home, app, ssh, null);
    }

    private static ClusterOperations operations(Path home, String app, RealComponents.Ssh ssh,
            Map<String, ClusterConfig.Service> services) throws IOException {
        Path dir = Files.createDirectories(home.resolve("apps").resolve(app));
        Files.writeString(dir.resolve("app.yaml"), "id: /" + app + "\nimage: " + app + "\n");
        Files.writeString(dir.resolve("marathon.json.j2"), "{\"id\": \"{{ id }}\"}\n");
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        ClusterConfig config = new ClusterConfig(null, null, null, null, null, null,
                new ClusterConfig.Ssh(ssh.user(), ssh.privateKey().toString(), ssh.knownHosts().toString(), ssh.port(), null),
                Map.of("node1", ssh.host()), services, false);
        return new ClusterOperations(ClusterClients.connect(config), AppCatalog.load(home.resolve("apps")),
                Duration.ofSeconds(30));
    }

    private static void run(RealComponents.Docker docker, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", docker.dockerHost());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
