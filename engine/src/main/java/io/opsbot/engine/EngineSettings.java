package io.opsbot.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * @param lockWait how long an operation waits for a resource another operation holds before it is refused
 * @param retry    retries for transient faults (connect errors, 5xx) in a step's check, apply and verify
 * @param lease    how long another engine sharing the journal counts as alive after its last heartbeat; its
 *                 operations and locks are taken over only after that
 */
public record EngineSettings(Duration lockWait, RetryPolicy retry, Duration lease) {

    /** Heartbeats come every 2 s: 15 s is seven missed ones, not a long GC pause or a slow database. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    public EngineSettings {
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(lease, "lease");
        if (lockWait.isNegative()) {
            throw new IllegalArgumentException("lockWait must not be negative, was " + lockWait);
        }
        if (lease.compareTo(EngineInstance.HEARTBEAT.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("lease must be at least two heartbeats (" + EngineInstance.HEARTBEAT.multipliedBy(2)
                    + "), was " + lease);
        }
    }

    public EngineSettings(Duration lockWait, RetryPolicy retry) {
        this(lockWait, retry, DEFAULT_LEASE);
    }

    /** Two minutes of patience for a lock; 4 attempts with 500ms→8s backoff ride out a Marathon leader election. */
    public static EngineSettings defaults() {
        return new EngineSettings(Duration.ofMinutes(2), new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8)));
    }
}
