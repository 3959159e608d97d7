package io.opsbot.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** An operation while it runs: who holds what, and whether someone asked it to stop. */
final class RunningOperation {

    private final LockHolder holder;
    private final int stepCount;
    private final AtomicReference<String> cancelledBy = new AtomicReference<>();
    /** Why the journal could not record a transition of this operation; null while it records everything. */
    private final AtomicReference<String> journalLost = new AtomicReference<>();

    RunningOperation(LockHolder holder, int stepCount) {
        this.holder = holder;
        this.stepCount = stepCount;
    }

    String id() {
        return holder.operationId();
    }

    LockHolder holder() {
        return holder;
    }

    String requester() {
        return holder.requester();
    }

    int stepCount() {
        return stepCount;
    }

    /**
     * Check-only step transitions (CHECKING, OK) not yet written: they change nothing in the cluster, so they go to
     * the journal with the next transition that must be on disk first, or with the operation's end.
     */
    private final List<StepEntry> heldBack = new ArrayList<>();

    synchronized void holdBack(StepEntry transition) {
        heldBack.add(transition);
    }

    /** The held-back transitions, oldest first; the list is empty afterwards. */
    synchronized List<StepEntry> takeHeldBack() {
        List<StepEntry> out = List.copyOf(heldBack);
        heldBack.clear();
        return out;
    }

    /** Its resources are taken (in this process and in the journal) and not yet released. */
    private volatile boolean locked;
    /** The journal released its shared locks with its end, in one commit: only this process's locks are left. */
    private volatile boolean sharedLocksReleased;

    void locked() {
        locked = true;
    }

    boolean isLocked() {
        return locked;
    }

    void sharedLocksReleased() {
        sharedLocksReleased = true;
    }

    boolean areSharedLocksReleased() {
        return sharedLocksReleased;
    }

    /** The first request wins; later ones change nothing. */
    void cancel(String requestedBy) {
        cancelledBy.compareAndSet(null, requestedBy);
    }

    boolean isCancelled() {
        return cancelledBy.get() != null;
    }

    /** Who cancelled it; null while not cancelled. */
    String cancelledBy() {
        return cancelledBy.get();
    }

    /** The journal could not record a transition: the operation stops and writes nothing more (the first reason is kept). */
    void journalLost(String why) {
        journalLost.compareAndSet(null, why);
    }

    /** Why the journal stopped recording this operation; null while it records. */
    String journalLostBecause() {
        return journalLost.get();
    }

    void checkCancelled() {
        String by = cancelledBy.get();
        if (by != null) {
            throw new CancelledException("cancelled by " + by);
        }
    }
}
