package io.opsbot.bot.metrics;

/**
 * One thing {@code /health} asks about, e.g. "journal" or "marathon". May block; the endpoint bounds it with a
 * timeout and reports a check that throws or runs out of time as down.
 */
@FunctionalInterface
public interface HealthCheck {

    Status check() throws Exception;

    /** @param detail a short, human-readable reason; never a secret */
    record Status(boolean up, String detail) {

        public static Status up(String detail) {
            return new Status(true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }
}
