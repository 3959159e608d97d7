package io.opsbot.bot;

import io.opsbot.engine.JdbcJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The default journal ({@code home/journal}, H2) begun before {@code opsbot.yaml} is read, so that H2's start
     * overlaps the configuration's: only when that file already exists (a first start, or a bad configuration, leaves
     * no journal behind that the old order would not have made) and when the configuration cannot name another one —
     * no file (the local default), or a file whose text does not mention {@code journal} at all. Null otherwise:
     * the journal then opens after the configuration, as it names it. Whoever gets an opening must join or close it.
     */
    static JournalOpening beforeConfig(Path configFile, Path home, Supplier<JdbcJournal> openDefault) {
        if (!Files.isRegularFile(home.resolve("journal.mv.db"))) {
            return null;
        }
        if (configFile != null) {
            try {
                if (Files.readString(configFile).contains("journal")) {
                    return null;
                }
            } catch (IOException | RuntimeException unreadable) {
                return null; // the configuration's loader says why
            }
        }
        return start(openDefault);
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
