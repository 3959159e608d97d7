package io.opsbot.bot.log;

import java.nio.file.Path;

/** A process that holds a log folder's {@link LogRollLock} as a running bot does, until it is stopped (LogFileTest). */
final class LogRollLockHolder {

    private LogRollLockHolder() {
    }

    /** Reachable for the process's life: the lock lasts as long as its channel. */
    private static java.nio.channels.FileChannel held;

    public static void main(String[] args) throws InterruptedException {
        held = LogRollLock.lock(Path.of(args[0]));
        System.out.println(held != null ? "held" : "not held");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
