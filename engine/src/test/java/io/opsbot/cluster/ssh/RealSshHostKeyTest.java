package io.opsbot.cluster.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import io.opsbot.testing.RealComponents;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host keys against the real OpenSSH server of {@code .ci/services.sh} (127.0.0.1:2222): the key listed in
 * known_hosts is accepted; an unknown host, a changed key and a key of another type are refused before any command
 * runs, with a message that names the host, the presented key's fingerprint and the file — and nothing is added.
 */
class RealSshHostKeyTest {

    @TempDir
    Path dir;

    final RealComponents.Ssh ssh = RealComponents.ssh();
    final String where = ssh.host() + ":" + ssh.port();

    @Test
    void theHostKeyListedInKnownHostsIsAcceptedAndTheCommandRuns() {
        SshRunner.Result result = runner(ssh.knownHosts()).run(ssh.host(), ssh.port(),
                RemoteCommand.journalctl("opsbot-host-key-check", null, 1, null));

        // journalctl ran on the server (whatever it found): the connection was verified and made
        assertThat(result.exitStatus()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aServerThatKnownHostsDoesNotListIsRefusedWithItsFingerprint() throws Exception {
        String realLine = serverLine();
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[" + ssh.host() + "]:2" + realLine.substring(realLine.indexOf(' ')) + "\n"); // the key, for another port

        assertThatThrownBy(() -> runner(knownHosts).run(ssh.host(), ssh.port(), RemoteCommand.journalctl("sshd", null, 1, null)))
                .isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("the SSH host key of " + where + " is unknown: " + knownHosts + " has no line for it"
                        + " (it presents ssh-ed25519 key " + fingerprintOf(realLine) + "); refusing to connect.");
        assertThat(Files.readString(knownHosts)).as("nothing accepted as new").doesNotContain(":" + ssh.port() + " ");
    }

    @Test
    void aChangedHostKeyIsRefusedNamingThePresentedFingerprint() throws Exception {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[" + ssh.host() + "]:" + ssh.port() + " ssh-ed25519 " + otherEd25519Blob() + "\n");
        String before = Files.readString(knownHosts);

        assertThatThrownBy(() -> runner(knownHosts).run(ssh.host(), ssh.port(), RemoteCommand.journalctl("sshd", null, 1, null)))
                .isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("the SSH host key of " + where + " has changed: it presents ssh-ed25519 key "
                        + fingerprintOf(serverLine()) + ", which does not match " + knownHosts + "; refusing to connect");
        assertThat(Files.readString(knownHosts)).isEqualTo(before);
    }

    @Test
    void aKnownHostsLineOfAnotherKeyTypeOnlyIsRefusedAsUnknown() throws Exception {
        PublicKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[" + ssh.host() + "]:" + ssh.port() + " " + PublicKeyEntry.toString(rsa) + "\n");

        assertThatThrownBy(() -> runner(knownHosts).run(ssh.host(), ssh.port(), RemoteCommand.journalctl("sshd", null, 1, null)))
                .isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                .hasMessageStartingWith("the SSH host key of " + where + " is unknown: " + knownHosts
                        + " lists only keys of another type for it (ssh-rsa) (it presents ssh-ed25519 key "
                        + fingerprintOf(serverLine()) + "); refusing to connect.");
    }

    private SshRunner runner(Path knownHosts) {
        return new SshRunner(ssh.user(), ssh.privateKey(), knownHosts, Duration.ofSeconds(20));
    }

    /** The known_hosts line of the server that services.sh wrote: "[127.0.0.1]:2222 ssh-ed25519 AAAA…". */
    private String serverLine() throws IOException {
        return Files.readAllLines(ssh.knownHosts()).stream().filter(l -> l.startsWith("[" + ssh.host() + "]:" + ssh.port() + " "))
                .findFirst().orElseThrow(() -> new AssertionError(ssh.knownHosts() + " has no line for " + where));
    }

    /** OpenSSH's SHA256 fingerprint of a known_hosts line's key, computed here independently of the code under test. */
    private static String fingerprintOf(String line) throws Exception {
        byte[] blob = Base64.getDecoder().decode(line.split(" ")[2]);
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
    }

    /** A fresh Ed25519 public key in SSH wire form (string "ssh-ed25519", string key), base64. */
    private static String otherEd25519Blob() throws Exception {
        byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
            data.writeInt(type.length);
            data.write(type);
            data.writeInt(raw.length);
            data.write(raw);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
