package io.opsbot.engine;

/** A step's transitions as the journal records them. */
public enum StepState {
    CHECKING,
    /** written before apply: after a crash, the step may or may not have taken effect */
    APPLYING,
    /**
     * a fact the apply journaled about its write before going on ("from=…" before it, "version=…" after it), so
     * that recovery after a crash knows whether the write reached the cluster; see {@link EarlierRun}
     */
    NOTED,
    VERIFYING,
    OK,
    CHANGED,
    FAILED,
    SKIPPED
}
