package io.opsbot.cluster.ssh;

import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RemoteCommand} on a node over SSH (sshj) with a key, and returns its output bounded in bytes and
 * lines. Every node's host key is verified against an OpenSSH known_hosts file: a node that is not listed, or that
 * presents another key than the one listed, is refused with a message saying which and how to check it, and no
 * command is sent. Nothing is ever added to the file.
 */
public final class SshRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SshRunner.class);

    /** Chat cannot show more, and a runaway command must not fill the heap. */
    public static final int MAX_OUTPUT_BYTES = 1024 * 1024;
    public static final int MAX_OUTPUT_LINES = 20_000;
    static final int MAX_ERROR_BYTES = 64 * 1024;

    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$");

    /** What a command printed and how it ended; {@code truncated} when output was cut at the bounds. */
    public record Result(int exitStatus, String stdout, String stderr, boolean truncated) {
        public boolean succeeded() {
            return exitStatus == 0;
        }
    }

    private final String user;
    private final Path privateKey;
    private final Path knownHosts;
    private final Duration timeout;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "ssh-output");
        thread.setDaemon(true);
        return thread;
    });

    /** @param knownHosts the OpenSSH known_hosts file listing the nodes' host keys (cluster.ssh.knownHosts) */
    public SshRunner(String user, Path privateKey, Path knownHosts, Duration timeout) {
        this.user = Objects.requireNonNull(user, "user");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.knownHosts = Objects.requireNonNull(knownHosts, "knownHosts: host keys are always verified");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public Result run(String host, int port, RemoteCommand command) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new OpsException("'" + host + "' is not a valid host name");
        }
        String where = host + ":" + port;
        long start = System.nanoTime();
        KnownHostsVerifier verifier = verifier(where);
        try (SSHClient ssh = new SSHClient()) {
            ssh.setConnectTimeout((int) timeout.toMillis());
            ssh.setTimeout((int) timeout.toMillis());
            ssh.addHostKeyVerifier(verifier);
            ssh.connect(host, port);
            ssh.authPublickey(user, ssh.loadKeys(privateKey.toString()));
            try (Session session = ssh.startSession()) {
                Session.Command cmd = session.exec(command.commandLine());
                Future<Bounded> err = readers.submit(() -> Bounded.read(cmd.getErrorStream(), MAX_ERROR_BYTES, Integer.MAX_VALUE));
                Future<Bounded> out = readers.submit(() -> Bounded.read(cmd.getInputStream(), MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES));
                long remaining = timeout.toNanos() - (System.nanoTime() - start);
                Bounded stdout = out.get(Math.max(remaining, 1), TimeUnit.NANOSECONDS);
                if (stdout.truncated()) {
                    cmd.close(); // stop the remote side instead of draining the rest
                }
                Bounded stderr = err.get(Math.max(timeout.toNanos() - (System.nanoTime() - start), 1), TimeUnit.NANOSECONDS);
                cmd.join(Math.max(timeout.toMillis() - (System.nanoTime() - start) / 1_000_000, 1), TimeUnit.MILLISECONDS);
                Integer exit = cmd.getExitStatus();
                int status = exit == null ? (stdout.truncated() ? 0 : -1) : exit;
                LOG.info("svc=ssh host={} command={} exit={} bytes={} truncated={} ms={}", where, command.name(), status,
                        stdout.bytes(), stdout.truncated(), (System.nanoTime() - start) / 1_000_000);
                return new Result(status, stdout.text(), stderr.text(), stdout.truncated());
            }
        } catch (UserAuthException e) {
            if (brokenTransport(e)) {
                // sshj reports a connection lost during the login as an auth failure: it is not a refused key
                throw new TransientException("SSH to " + where + " failed: the connection closed during the login", e);
            }
            throw new OpsException("SSH login as " + user + " to " + where + " was refused; check the configured key", e);
        } catch (TransportException e) {
            if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE || verifier.refusal() != null) {
                // Not transient: an unknown or changed host key needs a person, never a retry.
                throw hostKeyRefused(where, verifier, verifier.findExistingAlgorithms(host, port), e);
            }
            throw new TransientException("SSH to " + where + " failed: " + ApiCaller.describe(e), e);
        } catch (TimeoutException e) {
            throw new TransientException("'" + command.name() + "' on " + where + " did not finish within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted while running '" + command.name() + "' on " + where, e);
        } catch (ExecutionException e) {
            throw new TransientException("SSH to " + where + " failed while reading output: " + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new TransientException("SSH to " + where + " is unreachable: " + ApiCaller.describe(e), e);
        }
    }

    /** Whether an auth failure was in truth the connection breaking (sshj wraps the TransportException). */
    static boolean brokenTransport(UserAuthException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof TransportException) {
                return true;
            }
        }
        return false;
    }

    /** Reads a stream up to a number of bytes and lines; beyond them stops and says so. */
    record Bounded(String text, long bytes, boolean truncated) {
        static Bounded read(InputStream in, int maxBytes, int maxLines) throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int lines = 0;
            int n;
            while ((n = in.read(chunk)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (buffer.size() >= maxBytes || lines >= maxLines) {
                        return new Bounded(buffer.toString(StandardCharsets.UTF_8), buffer.size(), true);
                    }
                    buffer.write(chunk[i]);
                    if (chunk[i] == '\n') {
                        lines++;
                    }
                }
            }
            return new Bounded(buffer.toString(StandardCharsets.UTF_8), buffer.size(), false);
        }
    }

    private KnownHostsVerifier verifier(String where) {
        if (!java.nio.file.Files.isRegularFile(knownHosts)) {
            throw new OpsException("cannot verify the SSH host key of " + where + ": there is no known_hosts file at "
                    + knownHosts + " (cluster.ssh.knownHosts); opsbot connects only to nodes whose host keys it knows");
        }
        try {
            return new KnownHostsVerifier(knownHosts.toFile());
        } catch (IOException e) {
            throw new OpsException("cannot read the SSH known_hosts file " + knownHosts + ": " + ApiCaller.describe(e), e);
        }
    }

    private OpsException hostKeyRefused(String where, KnownHostsVerifier verifier, java.util.List<String> listedTypes,
                                        TransportException cause) {
        String presented = verifier.presented() == null ? "its host key" : verifier.presented();
        if (verifier.refusal() == KnownHostsVerifier.Refusal.CHANGED_KEY) {
            LOG.warn("svc=ssh host={} host_key_changed presented=\"{}\" known_hosts={} refused", where, presented, knownHosts);
            return new OpsException("the SSH host key of " + where + " has changed: it presents " + presented
                    + ", which does not match " + knownHosts + "; refusing to connect (a reinstalled node, or someone in"
                    + " between: check the fingerprint on the node before you replace its line)", cause);
        }
        if (verifier.refusal() == KnownHostsVerifier.Refusal.UNKNOWN_HOST) {
            LOG.warn("svc=ssh host={} host_key_unknown presented=\"{}\" known_hosts={} refused", where, presented, knownHosts);
            String listed = listedTypes.isEmpty() ? " has no line for it"
                    : " lists only keys of another type for it (" + String.join(", ", listedTypes) + ")";
            return new OpsException("the SSH host key of " + where + " is unknown: " + knownHosts + listed
                    + " (it presents " + presented + "); refusing to connect. Check that fingerprint on the node"
                    + " (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add its line to " + knownHosts, cause);
        }
        return new OpsException("the SSH host key of " + where + " could not be verified against " + knownHosts
                + "; refusing to connect (" + ApiCaller.describe(cause) + ")", cause);
    }
}
