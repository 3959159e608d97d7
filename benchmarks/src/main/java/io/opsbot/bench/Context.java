package io.opsbot.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every benchmark gets: the repository (for ./opsbot, config/apps and vagrant/), a scratch folder of its own,
 * whether this is a quick run (tiny counts: a smoke test of the harness, not figures), and where to say what it does.
 */
final class Context {

    final Path repo;
    final Path work;
    final boolean quick;
    final PrintStream log;
    /** When the item running now should stop adding rounds (System.nanoTime()); see {@link #enough}. */
    private volatile long softDeadline = Long.MAX_VALUE;

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

    /** The item starting now has {@code budget} to run its rounds in (a soft bound: at least its minimum is run). */
    void budget(Duration budget) {
        softDeadline = System.nanoTime() + budget.toNanos();
    }

    /**
     * True when a loop of rounds should stop: it has run {@code done} of at least {@code min} and the item's budget is
     * spent. Figures say how many runs they are over, so a shortened series shows in the table.
     */
    boolean enough(int done, int min) {
        return done >= min && System.nanoTime() > softDeadline;
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
