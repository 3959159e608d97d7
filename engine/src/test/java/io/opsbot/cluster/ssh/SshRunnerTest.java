package io.opsbot.cluster.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.testing.TestSshServer;
import io.opsbot.cluster.testing.TestSshServer.Answer;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import net.schmizz.sshj.common.KeyType;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshRunnerTest {

    static final String REPORT_LINE = RemoteCommand.weaveGet("report", "application/json").commandLine();

    @TempDir
    Path dir;
    TestSshServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TestSshServer(dir, "ops", command -> {
            if (command.equals(REPORT_LINE)) {
                return Answer.ok("{\"Ready\": true}\n");
            }
            if (command.startsWith("journalctl")) {
                return new Answer(new byte[0], "No journal files were found.\n", 1);
            }
            if (command.startsWith("tail -n 10000")) {
                return new Answer("x".repeat(3 * 1024 * 1024).getBytes(StandardCharsets.UTF_8), "", 0);
            }
            if (command.startsWith("tail -n 5000")) {
                return new Answer("line\n".repeat(50_000).getBytes(StandardCharsets.UTF_8), "", 0);
            }
            return new Answer(new byte[0], "unexpected command\n", 127);
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    SshRunner runner() throws Exception {
        return new SshRunner("ops", server.clientKeyFile, server.knownHosts(), Duration.ofSeconds(20));
    }

    @Test
    void runsTheExactCommandLineAndReturnsItsOutput() throws Exception {
        SshRunner.Result result = runner().run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json"));

        assertThat(server.commands).containsExactly(REPORT_LINE);
        assertThat(result).isEqualTo(new SshRunner.Result(0, "{\"Ready\": true}\n", "", false));
    }

    @Test
    void failingCommandKeepsItsExitStatusAndErrorOutput() throws Exception {
        SshRunner.Result result = runner().run("127.0.0.1", server.port(), RemoteCommand.journalctl("zookeeper", null, 10, null));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.exitStatus()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("No journal files were found.\n");
    }

    @Test
    void outputIsCutAtOneMebibyte() throws Exception {
        SshRunner.Result result = runner().run("127.0.0.1", server.port(),
                RemoteCommand.tailFile("/var/log/apps", "nodeapp.log", 10_000, null));

        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout()).hasSize(SshRunner.MAX_OUTPUT_BYTES);
    }

    @Test
    void outputIsCutAtTheLineBound() throws Exception {
        SshRunner.Result result = runner().run("127.0.0.1", server.port(),
                RemoteCommand.tailFile("/var/log/apps", "nodeapp.log", 5000, null));

        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout().lines()).hasSize(SshRunner.MAX_OUTPUT_LINES);
    }

    @Test
    void aHostThatKnownHostsDoesNotListIsRefusedNamingItsFingerprintAndNothingRuns() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:1 " + PublicKeyEntry.toString(server.hostKey()) + "\n"); // another port: another host
        String fingerprint = KnownHostsVerifier.fingerprint(server.hostKey());

        assertThatThrownBy(() -> new SshRunner("ops", server.clientKeyFile, knownHosts, Duration.ofSeconds(20))
                .run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("the SSH host key of 127.0.0.1:" + server.port() + " is unknown: " + knownHosts
                        + " has no line for it (it presents " + KeyType.fromKey(server.hostKey()) + " key " + fingerprint
                        + "); refusing to connect.");
        assertThat(server.commands).isEmpty();
        assertThat(Files.readString(knownHosts)).as("nothing is added to known_hosts").doesNotContain(":" + server.port());
    }

    @Test
    void withoutAKnownHostsFileNothingConnects() throws Exception {
        Path missing = dir.resolve("no-such-known_hosts");

        assertThatThrownBy(() -> new SshRunner("ops", server.clientKeyFile, missing, Duration.ofSeconds(20))
                .run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(OpsException.class)
                .hasMessage("cannot verify the SSH host key of 127.0.0.1:" + server.port() + ": there is no known_hosts file at "
                        + missing + " (cluster.ssh.knownHosts); opsbot connects only to nodes whose host keys it knows");
        assertThat(server.commands).isEmpty();
        assertThat(missing).doesNotExist();
    }

    @Test
    void aKnownHostsEntryThatMatchesIsAccepted() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(server.hostKey()) + "\n");

        SshRunner.Result result = new SshRunner("ops", server.clientKeyFile, knownHosts, Duration.ofSeconds(20))
                .run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json"));

        assertThat(result.succeeded()).isTrue();
    }

    @Test
    void aHostKeyThatDiffersFromKnownHostsIsRefused() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(sameTypeOtherKey(server.hostKey())) + "\n");

        assertThatThrownBy(() -> new SshRunner("ops", server.clientKeyFile, knownHosts, Duration.ofSeconds(20))
                .run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("the SSH host key of 127.0.0.1:" + server.port() + " has changed: it presents "
                        + KeyType.fromKey(server.hostKey()) + " key "
                        + KnownHostsVerifier.fingerprint(server.hostKey()) + ", which does not match " + knownHosts
                        + "; refusing to connect");
        assertThat(server.commands).isEmpty();
    }

    /** Another key of the same algorithm and size as {@code key}: what a reinstalled node (or an impostor) presents. */
    static PublicKey sameTypeOtherKey(PublicKey key) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(key.getAlgorithm());
        if (key instanceof ECPublicKey ec) {
            generator.initialize(ec.getParams());
        } else if (key instanceof RSAPublicKey rsa) {
            generator.initialize(rsa.getModulus().bitLength());
        }
        return generator.generateKeyPair().getPublic();
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefusedWithAClearMessage() throws Exception {
        Path knownHosts = server.knownHosts();
        assertThatThrownBy(() -> new SshRunner("mallory", server.clientKeyFile, knownHosts, Duration.ofSeconds(20))
                .run("127.0.0.1", server.port(), RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(OpsException.class)
                .hasMessage("SSH login as mallory to 127.0.0.1:" + server.port() + " was refused; check the configured key");
    }

    @Test
    void anUnreachableNodeIsTransient() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        int closed = port;
        SshRunner runner = runner();
        assertThatThrownBy(() -> runner.run("127.0.0.1", closed, RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(TransientException.class)
                .hasMessage("SSH to 127.0.0.1:" + closed + " is unreachable: connection refused");
    }

    @Test
    void hostNamesAreValidated() throws Exception {
        SshRunner runner = runner();
        assertThatThrownBy(() -> runner.run("node1; reboot", 22, RemoteCommand.weaveGet("report", "application/json")))
                .isInstanceOf(OpsException.class).hasMessageContaining("not a valid host name");
    }
}
