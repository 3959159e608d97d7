package io.opsbot.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every benchmark gets: the repository (for ./opsbot, config/apps and vagrant/), a scratch folder of its own,
 * whether this is a quick run (tiny counts: a smoke test of the harness, not figures), and where to say what it does.
 */
final class Context {

    final Path repo;
    final Path work;
    final boolean quick;
    final PrintStream log;

    Context(Path repo, Path work, boolean quick, PrintStream log) {
        this.repo = repo;
        this.work = work;
        this.quick = quick;
        this.log = log;
    }

    /** {@code full} for a real run, {@code quick} for a smoke run. */
    int count(int full, int quickCount) {
        return quick ? quickCount : full;
    }

    /** A fresh folder under the work folder for one benchmark's homes and files. */
    Path dir(String name) throws IOException {
        Path d = work.resolve(name);
        if (Files.exists(d)) {
            Files.walk(d).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return Files.createDirectories(d);
    }

    Path apps() {
        return repo.resolve("config").resolve("apps");
    }

    void say(String line) {
        log.println("bench: " + line);
        log.flush();
    }
}
