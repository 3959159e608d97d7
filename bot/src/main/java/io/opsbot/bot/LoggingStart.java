package io.opsbot.bot;

import org.slf4j.LoggerFactory;

/**
 * Logging set up on a thread of its own for a one-shot {@code exec} ({@link Main#run}): SLF4J's start (with
 * {@link io.opsbot.bot.log.OneShotLogProvider} a few milliseconds; Logback's, when a run asks for its configuration
 * file, much longer) runs while the main thread reads {@code opsbot.yaml}. {@link #await()} is called before anything asks SLF4J for
 * a logger ({@link Opsbot#start}, {@link Main}'s failure path): a logger asked for while SLF4J is still starting would
 * be a substitute that queues its events, so nothing does.
 */
final class LoggingStart {

    private static Thread starting;

    private LoggingStart() {
    }

    /** Starts setting up logging, once per process. */
    static synchronized void begin() {
        if (starting == null) {
            starting = new Thread(LoggerFactory::getILoggerFactory, "logging-start");
            starting.setDaemon(true);
            starting.start();
        }
    }

    /** Returns once {@link #begin()}'s set-up is done (at once when none was begun). */
    static void await() {
        Thread thread;
        synchronized (LoggingStart.class) {
            thread = starting;
        }
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
