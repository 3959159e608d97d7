package io.opsbot.cluster.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded retries with exponential backoff and full jitter, for idempotent requests only.
 *
 * @param maxAttempts total attempts including the first one
 * @param baseDelay   delay before the second attempt (before jitter), doubled for each further attempt
 * @param maxDelay    upper bound of any single delay
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** Three attempts within about a second: long enough to ride over a leader change, short for chat. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2));

    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
    }

    /** The delay before attempt number {@code attempt} (2 for the first retry), with jitter in [0, bound]. */
    long delayMillis(int attempt, double random) {
        long exp = baseDelay.toMillis() << Math.min(attempt - 2, 20);
        long bound = Math.min(exp, maxDelay.toMillis());
        return (long) (bound * random);
    }
}
