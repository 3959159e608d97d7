package io.opsbot.bot;

import io.opsbot.engine.JdbcJournal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The journal being opened on a thread of its own while the start wires the rest ({@link Opsbot}): H2's start and
 * the schema check take a one-shot {@code exec} about as long as everything else it does before its command, and the
 * machine has a second CPU for it. {@link #join()} gives the journal, or throws what opening it threw, unwrapped.
 */
final class JournalOpening {

    private final CompletableFuture<JdbcJournal> opened = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();

    private JournalOpening() {
    }

    static JournalOpening start(Supplier<JdbcJournal> open) {
        JournalOpening opening = new JournalOpening();
        Thread thread = new Thread(() -> {
            try {
                opening.opened.complete(open.get());
            } catch (Throwable failed) {
                opening.opened.completeExceptionally(failed);
            }
        }, "journal-open");
        thread.setDaemon(true);
        thread.start();
        return opening;
    }

    /**
     * The journal the bot's start will use: the default H2 file under {@code home}, opened now, before
     * {@code configFile} is read, when that file cannot name another (no {@code journal} in its text, or no file: the
     * local default); empty otherwise, and the start opens the configured journal as before. On a fresh home that
     * overlaps the journal's creation (~1 s, the critical path to ready) with reading opsbot.yaml.
     */
    static java.util.Optional<JournalOpening> ofDefaultBeforeTheConfiguration(java.nio.file.Path configFile, java.nio.file.Path home) {
        if (configFile != null) {
            try {
                if (java.nio.file.Files.readString(configFile).toLowerCase(java.util.Locale.ROOT).contains("journal")) {
                    return java.util.Optional.empty();
                }
            } catch (java.io.IOException | RuntimeException unreadable) {
                return java.util.Optional.empty(); // the configuration's load says why
            }
        }
        return java.util.Optional.of(start(() -> Opsbot.openDefaultJournal(home)));
    }

    /** True the first time only: the start that uses this opening owns it (closes it with the rest). */
    boolean take() {
        return taken.compareAndSet(false, true);
    }

    /** Closes it (once opened) unless a start took it: for a start that failed before it could. */
    void closeUnlessTaken() {
        if (take()) {
            closeIfOpened();
        }
    }

    /** The open journal, once it is; what opening it threw (a {@code JournalUnavailableException}…) as it was thrown. */
    JdbcJournal join() {
        try {
            return opened.join();
        } catch (CompletionException wrapped) {
            Throwable cause = wrapped.getCause();
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw wrapped;
        }
    }

    /**
     * When the journal could not be opened, throws that failure (with {@code later}, what failed after it, suppressed):
     * the reason a start used to give when the journal opened before the rest. Returns when it opened.
     */
    void throwItsFailure(Throwable later) {
        try {
            join();
        } catch (RuntimeException | Error first) {
            if (first != later) {
                first.addSuppressed(later);
            }
            throw first;
        }
    }

    /** Closes the journal once opened; one that could not be opened has nothing to close (its failure was reported). */
    void closeIfOpened() {
        JdbcJournal journal;
        try {
            journal = join();
        } catch (RuntimeException | Error failed) {
            return;
        }
        journal.close();
    }
}
