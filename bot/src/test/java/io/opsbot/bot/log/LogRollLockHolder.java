package io.opsbot.bot.log;

import java.nio.file.Path;

/** A process that holds a log folder's {@link LogRollLock} as a running bot does, until its input ends (LogFileTest). */
final class LogRollLockHolder {

    private LogRollLockHolder() {
    }

    /** Reachable for the process's life: the lock lasts as long as its channel. */
    private static java.nio.channels.FileChannel held;

    public static void main(String[] args) throws java.io.IOException {
        held = LogRollLock.lock(Path.of(args[0]));
        System.out.println(held != null ? "held" : "not held");
        System.out.flush();
        while (System.in.read() != -1) {
            // held until the test closes this process's input
        }
    }
}
