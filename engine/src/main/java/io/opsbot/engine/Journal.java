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

    /**
     * Records several step transitions of one or more operations at once, in this order, each stamped with its own
     * {@link StepEntry#at()}: all or none (a database journal writes them in one transaction, one commit). The engine
     * uses it to write the check-only transitions it held back (CHECKING, OK) together with the next one that must
     * be on disk before it takes effect (APPLYING), so a step that finds nothing to do costs no commit of its own.
     */
    default void stepTransitions(List<StepEntry> transitions) {
        for (StepEntry t : transitions) {
            stepTransition(t.operationId(), t.index(), t.description(), t.state(), t.detail());
        }
    }

    /**
     * Records an operation's end together with the step transitions held back before it and the release of its
     * locks on {@code resources}: all or none (one commit in a database journal). Until it is written the operation
     * is RUNNING with its locks held, as after a crash; once written it is finished and its resources free.
     *
     * @throws OpsException when there is no such operation (nothing is written then)
     */
    default void operationFinished(String operationId, Outcome.State state, String summary, List<StepEntry> before,
                                   List<String> resources) {
        stepTransitions(before);
        operationFinished(operationId, state, summary);
        for (String resource : resources) {
            unlock(resource, operationId);
        }
    }

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
