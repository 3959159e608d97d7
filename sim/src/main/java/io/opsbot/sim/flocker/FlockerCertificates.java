package io.opsbot.sim.flocker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Flocker's certificate layout, made once and kept under home/flocker: {@code cluster.crt} (the CA),
 * {@code control-service.crt/.key} (for 127.0.0.1 and localhost) and the API user {@code user-opsbot.crt/.key}
 * (PKCS#8 PEM). RSA like Flocker's own {@code flocker-ca}.
 */
public final class FlockerCertificates {
  private final Path dir;
  private final HeldCertificate ca;
  private final HeldCertificate server;

  private FlockerCertificates(Path dir, HeldCertificate ca, HeldCertificate server) {
    this.dir = dir;
    this.ca = ca;
    this.server = server;
  }

  public static FlockerCertificates loadOrCreate(Path dir) {
    try {
      Files.createDirectories(dir);
      if (!Files.exists(dir.resolve("cluster.key")) || !Files.exists(dir.resolve("user-opsbot.key"))) {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).rsa2048()
            .commonName("opsbot-sim flocker cluster").organizationalUnit("opsbot-sim").duration(3650, java.util.concurrent.TimeUnit.DAYS).build();
        HeldCertificate server = new HeldCertificate.Builder().signedBy(ca).rsa2048().commonName("control-service")
            .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost")
            .duration(3650, java.util.concurrent.TimeUnit.DAYS).build();
        HeldCertificate user = new HeldCertificate.Builder().signedBy(ca).rsa2048().commonName("user-opsbot")
            .duration(3650, java.util.concurrent.TimeUnit.DAYS).build();
        write(dir, "cluster", ca);
        write(dir, "control-service", server);
        write(dir, "user-opsbot", user);
      }
      return new FlockerCertificates(dir, read(dir, "cluster"), read(dir, "control-service"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make or read Flocker certificates in " + dir, e);
    }
  }

  private static void write(Path dir, String name, HeldCertificate cert) throws IOException {
    Files.writeString(dir.resolve(name + ".crt"), cert.certificatePem());
    Path key = dir.resolve(name + ".key");
    Files.writeString(key, cert.privateKeyPkcs8Pem());
    try {
      Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the key keeps the default permissions.
    }
  }

  private static HeldCertificate read(Path dir, String name) throws IOException {
    return HeldCertificate.decode(Files.readString(dir.resolve(name + ".crt")) + Files.readString(dir.resolve(name + ".key")));
  }

  public Path caFile() {
    return dir.resolve("cluster.crt");
  }

  public Path userCert() {
    return dir.resolve("user-opsbot.crt");
  }

  public Path userKey() {
    return dir.resolve("user-opsbot.key");
  }

  /** Server side TLS: presents the control-service certificate and trusts only client certificates of this CA. */
  public SSLContext serverContext() {
    return new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate())
        .addTrustedCertificate(ca.certificate()).build().sslContext();
  }
}
