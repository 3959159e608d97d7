package io.opsbot.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for a state, polled often; each names what it waits for. */
final class Waits {

    private Waits() {
    }

    static void until(String what, Duration atMost, BooleanSupplier done) {
        get(what, atMost, () -> done.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Polls {@code value} until it is not null, or fails after {@code atMost} naming what it waited for. */
    static <T> T get(String what, Duration atMost, Supplier<T> value) {
        long deadline = System.nanoTime() + atMost.toNanos();
        long pause = 1;
        while (true) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + atMost.toSeconds() + " s for " + what);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
            pause = Math.min(pause * 2, 20);
        }
    }
}
