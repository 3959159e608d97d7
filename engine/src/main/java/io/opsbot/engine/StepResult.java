package io.opsbot.engine;

/** How a step ended, as in Ansible's recap. */
public enum StepResult {
    /** already in the desired state: nothing done */
    OK,
    /** drift found and corrected */
    CHANGED,
    FAILED,
    /** not run: an earlier step failed or the operation was cancelled */
    SKIPPED
}
