package io.opsbot.engine.ops;

import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * Runs a {@link LogCommand} on a node over SSH (sshj) and reads a bounded amount of its output. Only log
 * commands: the type is the guarantee that nothing else reaches a remote shell from here.
 */
final class SshShell {

    /** Far above 500 lines of ordinary log text; the report cuts to its own bound afterwards. */
    static final int MAX_READ_BYTES = 1024 * 1024;

    record Result(int exitStatus, String stdout, String stderr) {}

    private final String user;
    private final Path key;
    private final Path knownHosts;
    private final Duration timeout;

    SshShell(String user, Path key, Path knownHosts, Duration timeout) {
        this.user = user;
        this.key = key;
        this.knownHosts = knownHosts;
        this.timeout = timeout;
    }

    Result run(String host, int port, LogCommand command) {
        String where = host + ":" + port;
        try (SSHClient ssh = new SSHClient()) {
            ssh.setConnectTimeout((int) timeout.toMillis());
            ssh.setTimeout((int) timeout.toMillis());
            if (knownHosts == null) {
                // No known_hosts configured (the emulated cluster, tests): the operator chose not to pin keys.
                ssh.addHostKeyVerifier(new PromiscuousVerifier());
            } else {
                ssh.loadKnownHosts(knownHosts.toFile());
            }
            ssh.connect(host, port);
            ssh.authPublickey(user, ssh.loadKeys(key.toString()));
            try (Session session = ssh.startSession()) {
                Session.Command cmd = session.exec(command.line());
                String out = read(cmd.getInputStream());
                String err = read(cmd.getErrorStream());
                cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Integer exit = cmd.getExitStatus();
                return new Result(exit == null ? -1 : exit, out, err);
            }
        } catch (UserAuthException e) {
            throw new OpsException("SSH login as " + user + " to " + where + " was refused; check cluster.ssh.key", e);
        } catch (IOException e) {
            throw new TransientException("SSH to " + where + " failed: " + e.getMessage(), e);
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) != -1) {
            if (buffer.size() < MAX_READ_BYTES) {
                buffer.write(chunk, 0, Math.min(n, MAX_READ_BYTES - buffer.size()));
            }
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
