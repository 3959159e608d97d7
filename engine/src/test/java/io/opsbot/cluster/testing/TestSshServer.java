package io.opsbot.cluster.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An SSH server on 127.0.0.1 (Apache MINA sshd) that accepts one user's key and answers each command line with
 * what {@code behaviour} says, recording the command lines it was sent.
 */
public final class TestSshServer implements AutoCloseable {

    /** What a command does: its output, error output and exit status. */
    public record Answer(byte[] stdout, String stderr, int exit) {
        public static Answer ok(String stdout) {
            return new Answer(stdout.getBytes(StandardCharsets.UTF_8), "", 0);
        }
    }

    public final List<String> commands = new CopyOnWriteArrayList<>();
    public final KeyPair clientKey;
    public final Path clientKeyFile;
    private final Path dir;
    private final SshServer sshd;

    public TestSshServer(Path dir, String user, Function<String, Answer> behaviour) throws IOException {
        this.dir = dir;
        this.clientKey = rsa();
        this.clientKeyFile = Files.writeString(dir.resolve("id_rsa"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(clientKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        sshd.setPublickeyAuthenticator((username, key, session) -> username.equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        sshd.setCommandFactory((channel, command) -> {
            commands.add(command);
            return new Canned(behaviour.apply(command));
        });
        sshd.start();
    }

    public int port() {
        return sshd.getPort();
    }

    public PublicKey hostKey() throws IOException {
        try {
            return sshd.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** A known_hosts file (in the server's folder) that lists this server's host key for [127.0.0.1]:port. */
    public Path knownHosts() throws IOException {
        return Files.writeString(dir.resolve("known_hosts_" + port()), "[127.0.0.1]:" + port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(hostKey()) + "\n");
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private static final class Canned implements Command {
        private final Answer answer;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        Canned(Answer answer) {
            this.answer = answer;
        }

        @Override
        public void setInputStream(InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread thread = new Thread(() -> {
                try {
                    out.write(answer.stdout());
                    out.flush();
                    err.write(answer.stderr().getBytes(StandardCharsets.UTF_8));
                    err.flush();
                    exit.onExit(answer.exit());
                } catch (IOException e) {
                    // The client closed the channel early (output bounds): nothing more to send.
                    exit.onExit(141);
                }
            }, "test-ssh-command");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
