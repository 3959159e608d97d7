package io.opsbot.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Making RSA keys is the slowest part of a first start; tests make them once (through a real first start) and
 * copy the certificates and SSH keys into each fresh home, which is what a second start finds.
 */
final class TestHomes {
  private static Path template;

  private TestHomes() {}

  static synchronized Path withKeys(Path home) {
    try {
      if (template == null) {
        template = Files.createTempDirectory("opsbot-sim-keys");
        Sim.start(new SimOptions(template, 0, null, 1, false)).close();
      }
      for (String dir : new String[] {"flocker", "ssh"}) {
        Path from = template.resolve(dir);
        Path to = home.resolve(dir);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
