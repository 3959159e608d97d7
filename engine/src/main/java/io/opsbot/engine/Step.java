package io.opsbot.engine;

import java.time.Duration;

/**
 * One idempotent unit of an operation. The engine calls {@link #check()} first and does nothing more when it
 * answers InSync; otherwise {@link #apply} then {@link #verify}, both within {@link #timeout()}.
 * A step must be safe to check at any time, and safe to apply again after a crash once check says Drift.
 */
public interface Step {

    /** What this step makes true, in words: "set instances of /nodeapp to 3". */
    String description();

    /** Reads the actual state; changes nothing. */
    Check check() throws Exception;

    /** Makes the desired state so. Called only after check answered Drift. */
    void apply(StepContext context) throws Exception;

    /** Waits, bounded by the context's deadline, until the actual state equals the desired one. */
    default void verify(StepContext context) throws Exception {
        Check after = check();
        if (!after.isInSync()) {
            throw new OpsException("after applying '" + description() + "' it is still not in place: " + after.text());
        }
    }

    /**
     * Called by recovery, before the check, when an earlier run of this very operation began to apply this step and
     * was interrupted by a crash: {@code earlier} holds what that run journaled (its notes). Answers whether that
     * run's write reached the cluster, as far as the step can tell; if it did, the step counts as CHANGED by this
     * operation once its state is in place, and its apply must not write again but wait for what that write started.
     * The default: it did, unless that run noted it wrote nothing.
     */
    default boolean resume(EarlierRun earlier) throws Exception {
        return !earlier.wroteNothing();
    }

    /** The bound on apply plus verify. */
    default Duration timeout() {
        return Duration.ofMinutes(5);
    }
}
