package io.opsbot.engine;

/**
 * Receives an operation's progress. Called on the engine's thread; implementations return quickly
 * (adapters coalesce and send elsewhere). Every method has a no-op default.
 */
public interface ProgressListener {

    /**
     * The operation has its id and can be cancelled from now on; it waits for its locks and plans next, then
     * {@link #planned} follows (or {@link #finished}, when it never gets its turn).
     */
    default void started(String operationId) {}

    default void planned(String operationId, Plan plan) {}

    /** The operation waits for a resource that another holds. */
    default void waitingForLock(String resource, LockHolder holder) {}

    default void stepStarted(int index, String description) {}

    default void stepProgress(int index, double fraction, String text) {}

    default void stepFinished(int index, StepReport report) {}

    default void finished(Outcome outcome) {}

    ProgressListener NONE = new ProgressListener() {};
}
