package io.opsbot.engine;

/**
 * Builds the operation again from what the journal kept (its origin's command text), so that recovery after a
 * crash resumes it through fresh checks.
 */
@FunctionalInterface
public interface Replanner {

    /** @throws OpsException when the command can no longer be planned (say, the app was removed from the catalog) */
    Operation replan(OperationEntry entry);
}
