package io.opsbot.sim.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH server per node on loopback. Public-key login as {@code opsbot} with the key made at first start
 * (home/ssh/id_rsa, OpenSSH format); every exec request goes to {@link RemoteCommands}, never to a shell.
 */
public final class SshNodes implements AutoCloseable {
  public static final String USER = "opsbot";
  private static final Logger log = LoggerFactory.getLogger(SshNodes.class);

  private static final org.apache.sshd.common.AttributeRepository.AttributeKey<LoginFaults.Effect> FAULT =
      new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

  private final Map<String, SshServer> servers = new LinkedHashMap<>();
  private final ExecutorService commands = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sim-ssh-command");
    t.setDaemon(true);
    return t;
  });
  private final Path clientKey;
  private final Path knownHosts;

  public SshNodes(Path dir, List<String> nodes, RemoteCommands remote) {
    this(dir, nodes, remote, LoginFaults.NONE);
  }

  /** @param faults asked at each login attempt whether an injected fault refuses or drops it */
  public SshNodes(Path dir, List<String> nodes, RemoteCommands remote, LoginFaults faults) {
    try {
      Files.createDirectories(dir);
      clientKey = dir.resolve("id_rsa");
      Path authorized = dir.resolve("authorized_keys");
      if (!Files.exists(clientKey) || !Files.exists(authorized)) {
        makeClientKey(clientKey, authorized);
      }
      AuthorizedKeysAuthenticator keys = new AuthorizedKeysAuthenticator(authorized);
      SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("host_key"));
      hostKeys.setAlgorithm("RSA");
      hostKeys.setKeySize(2048);
      for (String node : nodes) {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(hostKeys);
        sshd.setPublickeyAuthenticator(authenticator(node, keys, faults));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setCommandFactory((channel, command) -> new NodeCommand(node, command, remote));
        sshd.start();
        servers.put(node, sshd);
      }
      knownHosts = writeKnownHosts(dir.resolve("known_hosts"), hostKeys);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start the emulated SSH servers", e);
    }
  }

  private static PublickeyAuthenticator authenticator(String node, AuthorizedKeysAuthenticator keys, LoginFaults faults) {
    return (user, key, session) -> {
      // a client tries several signature algorithms in one login: the fault decided at the first try holds for all
      LoginFaults.Effect effect = session.getAttribute(FAULT);
      if (effect == null) {
        effect = faults.at(node);
        session.setAttribute(FAULT, effect);
      }
      switch (effect) {
        case REFUSE -> {
          log.info("ssh node={} user={} login refused (injected fault)", node, user);
          return false;
        }
        case DROP -> {
          log.info("ssh node={} user={} connection dropped during login (injected fault)", node, user);
          session.close(true);
          return false;
        }
        default -> {
          return USER.equals(user) && keys.authenticate(user, key, session);
        }
      }
    };
  }

  private static void makeClientKey(Path privateKey, Path authorized) throws IOException {
    KeyPair pair;
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      pair = gen.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (OutputStream out = Files.newOutputStream(privateKey)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "opsbot@sim", null, out);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    try {
      Files.setPosixFilePermissions(privateKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system.
    }
    try (OutputStream out = Files.newOutputStream(authorized)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(pair.getPublic(), "opsbot@sim", out);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    Files.copy(authorized, privateKey.resolveSibling("id_rsa.pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  public Path clientKey() {
    return clientKey;
  }

  /**
   * An OpenSSH known_hosts file naming every node's server ({@code [127.0.0.1]:PORT}) with the host key, rewritten at
   * each start (the ports change): clients verify the emulated nodes' host keys as they would a real cluster's.
   */
  public Path knownHosts() {
    return knownHosts;
  }

  private Path writeKnownHosts(Path file, SimpleGeneratorHostKeyProvider hostKeys) throws IOException {
    StringBuilder lines = new StringBuilder("# Written by opsbot's emulated cluster at each start: its nodes' SSH host keys.\n");
    Iterable<KeyPair> keys = hostKeys.loadKeys(null);
    for (SshServer server : servers.values()) {
      for (KeyPair pair : keys) {
        lines.append("[127.0.0.1]:").append(server.getPort()).append(' ')
            .append(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(pair.getPublic())).append('\n');
      }
    }
    Files.writeString(file, lines.toString());
    return file;
  }

  public Map<String, Integer> ports() {
    Map<String, Integer> out = new LinkedHashMap<>();
    servers.forEach((node, s) -> out.put(node, s.getPort()));
    return out;
  }

  @Override
  public void close() {
    for (SshServer s : servers.values()) {
      try {
        s.stop(true);
      } catch (IOException e) {
        log.debug("ssh server stop failed: {}", e.toString());
      }
    }
    commands.shutdownNow();
  }

  /** One exec request: answered from the model on a worker thread, then the channel closes with the exit status. */
  private final class NodeCommand implements Command {
    private final String node;
    private final String line;
    private final RemoteCommands remote;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    NodeCommand(String node, String line, RemoteCommands remote) {
      this.node = node;
      this.line = line;
      this.remote = remote;
    }

    @Override
    public void setInputStream(java.io.InputStream in) {
      // Commands read no input.
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
      commands.execute(() -> {
        int status = 1;
        try {
          RemoteCommands.Result r = remote.run(node, line);
          log.debug("ssh node={} exit={} command={}", node, r.exit(), line);
          out.write(r.stdout().getBytes(StandardCharsets.UTF_8));
          out.flush();
          err.write(r.stderr().getBytes(StandardCharsets.UTF_8));
          err.flush();
          status = r.exit();
        } catch (IOException | RuntimeException e) {
          log.warn("ssh node={} command failed", node, e);
        } finally {
          exit.onExit(status);
        }
      });
    }

    @Override
    public void destroy(ChannelSession channel) {
      // Nothing runs after start() returns its output.
    }
  }
}
