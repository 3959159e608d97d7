package io.opsbot.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * @param lockWait how long an operation waits for a resource another operation holds before it is refused
 * @param retry    retries for transient faults (connect errors, 5xx) in a step's check, apply and verify
 */
public record EngineSettings(Duration lockWait, RetryPolicy retry) {

    public EngineSettings {
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(retry, "retry");
        if (lockWait.isNegative()) {
            throw new IllegalArgumentException("lockWait must not be negative, was " + lockWait);
        }
    }

    /** Two minutes of patience for a lock; 4 attempts with 500ms→8s backoff ride out a Marathon leader election. */
    public static EngineSettings defaults() {
        return new EngineSettings(Duration.ofMinutes(2), new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8)));
    }
}
