package io.opsbot.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently a transient fault is retried.
 *
 * @param maxAttempts    attempts in all, the first included (1 = never retry)
 * @param initialBackoff the pause before the second attempt; it doubles for each further one
 * @param maxBackoff     the longest single pause
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, was " + initialBackoff + " and " + maxBackoff);
        }
    }

    /** Retries nothing: one attempt. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /**
     * The pause after the given failed attempt (1-based): exponential, capped, with "equal jitter" (a random
     * point in the upper half) so that many operations hit by the same outage do not retry in lockstep.
     */
    public Duration backoffAfter(int failedAttempt, RandomGenerator random) {
        Duration cap = initialBackoff;
        for (int i = 1; i < failedAttempt && cap.compareTo(maxBackoff) < 0; i++) {
            cap = cap.multipliedBy(2);
        }
        long capNanos = Math.min(cap.toNanos(), maxBackoff.toNanos());
        long half = capNanos / 2;
        return Duration.ofNanos(half + (capNanos - half > 0 ? random.nextLong(capNanos - half + 1) : 0));
    }
}
