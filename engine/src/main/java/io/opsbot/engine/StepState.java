package io.opsbot.engine;

/** A step's transitions as the journal records them. */
public enum StepState {
    CHECKING,
    /** written before apply: after a crash, the step may or may not have taken effect */
    APPLYING,
    VERIFYING,
    OK,
    CHANGED,
    FAILED,
    SKIPPED
}
