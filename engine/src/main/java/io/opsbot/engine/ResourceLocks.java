package io.opsbot.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * One exclusive lock per resource name ("app:/nodeapp"), held by an operation. An operation takes all its
 * resources in sorted order, so two operations that share several resources cannot deadlock. A resource free
 * here is also taken in the {@link SharedLocks} of every engine sharing the journal.
 */
final class ResourceLocks {

    /** How often a waiting operation looks whether it was cancelled. */
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How often an operation waiting for another process's lock asks the journal again: no signal comes from there. */
    private static final long SHARED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final Map<String, LockHolder> held = new HashMap<>();
    private final SharedLocks shared;

    ResourceLocks(SharedLocks shared) {
        this.shared = shared;
    }

    /** The resource that stayed busy and who held it when the wait ran out. */
    record Busy(String resource, LockHolder holder) {}

    /**
     * Takes every resource for {@code owner}, waiting at most {@code wait} in all.
     *
     * @param onWait    told (outside the lock) each time the owner starts waiting for a resource, with its holder
     * @param cancelled checked while waiting
     * @return empty when all are taken; otherwise nothing is held and the answer names the blocking holder
     * @throws CancelledException when {@code cancelled} turned true while waiting (nothing is held then)
     */
    Optional<Busy> acquireAll(List<String> resources, LockHolder owner, Duration wait,
                              BiConsumer<String, LockHolder> onWait, BooleanSupplier cancelled) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> taken = new ArrayList<>();
        try {
            for (String resource : new TreeSet<>(resources)) {
                Optional<Busy> busy = acquire(resource, owner, deadline, onWait, cancelled);
                if (busy.isPresent()) {
                    releaseAll(taken, owner);
                    return busy;
                }
                taken.add(resource);
            }
            return Optional.empty();
        } catch (InterruptedException | RuntimeException e) {
            releaseAll(taken, owner);
            throw e;
        }
    }

    private Optional<Busy> acquire(String resource, LockHolder owner, long deadline,
                                   BiConsumer<String, LockHolder> onWait, BooleanSupplier cancelled) throws InterruptedException {
        LockHolder announced = null;
        lock.lockInterruptibly();
        try {
            while (true) {
                LockHolder holder = held.get(resource);
                boolean elsewhere = false;
                if (holder == null) {
                    Optional<LockHolder> other = shared.tryTake(resource, owner);
                    if (other.isEmpty()) {
                        held.put(resource, owner);
                        return Optional.empty();
                    }
                    holder = other.get();
                    elsewhere = true;
                }
                if (!holder.equals(announced)) {
                    announced = holder;
                    // The listener may be slow (it posts to chat): never call it while holding the lock.
                    lock.unlock();
                    try {
                        onWait.accept(resource, holder);
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                if (cancelled.getAsBoolean()) {
                    throw new CancelledException("cancelled while waiting for " + resource);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.of(new Busy(resource, holder));
                }
                released.awaitNanos(Math.min(remaining, elsewhere ? SHARED_POLL_NANOS : CANCEL_POLL_NANOS));
            }
        } finally {
            lock.unlock();
        }
    }

    void releaseAll(List<String> resources, LockHolder owner) {
        releaseAll(resources, owner, true);
    }

    /** @param inJournalToo false when the journal released the shared locks already (with the operation's end) */
    void releaseAll(List<String> resources, LockHolder owner, boolean inJournalToo) {
        lock.lock();
        try {
            for (String resource : resources) {
                if (owner.equals(held.get(resource))) {
                    // first the journal, then here: a local waiter that wakes finds the shared lock free too
                    if (inJournalToo) {
                        shared.release(resource, owner);
                    }
                    held.remove(resource);
                }
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    Optional<LockHolder> holderOf(String resource) {
        lock.lock();
        try {
            return Optional.ofNullable(held.get(resource));
        } finally {
            lock.unlock();
        }
    }
}
