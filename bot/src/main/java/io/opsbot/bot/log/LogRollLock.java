package io.opsbot.bot.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Who may roll opsbot.log. A long-running bot's Logback rolls the file while it runs, and its rename replaces any
 * archive that already has the name it picks: had a one-shot exec rolled the same file first (a cron job just after
 * midnight, before the bot's first line of the day), the bot's roll would replace the exec's archive — the bot's whole
 * previous day. So a process that logs through Logback holds an exclusive lock on {@code logs/.opsbot.log.lock} for
 * its life, and an exec rolls only while it can take that lock: beside a running bot, an exec only appends.
 */
public final class LogRollLock {

    static final String NAME = ".opsbot.log.lock";
    /** Open for the process's life once held: the OS releases the lock when the process ends, however it ends. */
    private static FileChannel held;

    private LogRollLock() {
    }

    /** For a process that logs through Logback (the bot, the console, the sim): holds the lock of its log folder. */
    public static synchronized void holdWhileRunning() {
        if (held == null) {
            held = lock(OneShotLogProvider.logDir());
        }
    }

    /**
     * The lock of {@code dir}, held until the channel is closed (kept reachable: an unreachable channel is closed
     * by the JVM, and the lock with it); null when another process holds it, or the folder cannot be written — then
     * Logback says so itself when it opens the log.
     */
    static FileChannel lock(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (channel.tryLock() != null) {
                    return channel;
                }
            } catch (OverlappingFileLockException heldHere) {
                // this process holds it already
            }
            channel.close();
        } catch (IOException e) {
            // see above
        }
        return null;
    }

    /** Something done to the log folder that may throw. */
    interface Work {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} holding the lock of {@code dir}; false, without running it, when another process holds it or
     * the lock file cannot be opened (a bot's, of another user): then the file is only appended to, never rolled.
     */
    static boolean whileFree(Path dir, Work work) throws IOException {
        try (FileChannel held = lock(dir)) { // closing the channel releases the lock
            if (held == null) {
                return false;
            }
            work.run();
            return true;
        }
    }
}
