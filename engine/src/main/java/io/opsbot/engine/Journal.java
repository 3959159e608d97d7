package io.opsbot.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable record of every operation and step transition. The engine writes each transition here
 * <em>before</em> it takes effect, so that after a crash it knows what may have been under way.
 */
public interface Journal extends AutoCloseable {

    /** Records a new operation as RUNNING, with its origin and the plan as text. */
    void operationStarted(OperationEntry entry);

    /** Records a step's transition; APPLYING is written before apply is called. */
    void stepTransition(String operationId, int index, String description, StepState state, String detail);

    /**
     * Records that a restarted engine resumes this unfinished operation under the same id (it stays RUNNING);
     * {@link OperationEntry#recoveredAt()} shows it afterwards.
     */
    void operationRecovered(String operationId, Instant at);

    void operationFinished(String operationId, Outcome.State state, String summary);

    /** Operations still marked RUNNING: what a crash left in flight. */
    List<OperationEntry> unfinished();

    /** Newest first; {@code resource} (e.g. "app:/nodeapp") narrows it, null for all. */
    List<OperationEntry> history(String resource, int limit);

    Optional<OperationEntry> find(String operationId);

    List<StepEntry> steps(String operationId);

    @Override
    void close();
}
