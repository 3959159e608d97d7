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
