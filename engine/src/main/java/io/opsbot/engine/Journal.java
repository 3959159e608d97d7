package io.opsbot.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable record of every operation and step transition. The engine writes each transition here
 * <em>before</em> it takes effect, so that after a crash it knows what may have been under way.
 */
public interface Journal extends AutoCloseable {

    /** Records a new operation (RUNNING, or already finished), with its origin and the plan as text; no engine owns it. */
    default void operationStarted(OperationEntry entry) {
        operationStarted(entry, Lease.NONE);
    }

    /** Records a new operation run by the engine that {@code lease} names. */
    void operationStarted(OperationEntry entry, Lease lease);

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

    // Several processes may share one journal: leases say which engine runs what, shared locks keep them apart.

    /**
     * Makes {@code owner} the engine that runs a RUNNING operation, if its lease is still {@code expected}: of two
     * engines that try to take over one operation, one wins.
     *
     * @return false when another engine changed the lease first, or the operation is no longer RUNNING
     */
    boolean claim(String operationId, Lease expected, String owner, Instant at);

    /** The operation's lease; {@link Lease#NONE} when it has none (or there is no such operation). */
    Lease leaseOf(String operationId);

    /** Renews the leases of every RUNNING operation and every lock that {@code owner} holds. */
    void heartbeat(String owner, Instant at);

    /**
     * Asks whichever engine runs the operation to cancel it (the first request is kept).
     *
     * @return false when no such operation is RUNNING
     */
    boolean requestCancel(String operationId, String requestedBy);

    /** The cancels asked of {@code owner}'s RUNNING operations: operation id → who asked. */
    Map<String, String> cancelRequests(String owner);

    /** Takes the lock on {@code resource} for {@code holder} if nobody has it; otherwise answers who has it. */
    Optional<SharedLock> tryLock(String resource, LockHolder holder, String owner, Instant at);

    /** Removes a lock if it is still exactly {@code stale} (same operation, owner and heartbeat). */
    boolean breakLock(SharedLock stale);

    /** Releases the lock {@code operationId} holds on {@code resource}, if it does. */
    void unlock(String resource, String operationId);

    @Override
    void close();
}
