package io.opsbot.bot.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Acks before the work they start, without thread priorities (which Linux applies to Java threads only with a
 * root-only JVM flag): the HTTP server counts the exchanges it has taken and not yet answered, and a command worker,
 * before it starts a command, waits while any are pending — at most {@code maxWait}, so work is delayed, never starved,
 * also when a slow client keeps an exchange open.
 *
 * <p>Why: Slack wants an answer within 3 s and the ack is all it waits for; the command's result reaches the user later
 * anyway. On a machine with few CPUs, a burst of requests (50 users at once) started commands whose work took the CPUs
 * from the acks still to be answered, and a worker woken by an ack's hand-over could take the CPU from that ack before
 * its answer was written. With this, a worker woken while acks are pending parks again at once and runs when they are
 * answered.
 */
public final class AcksFirst {

    /** No gate: work starts at once (socket mode, where there is no HTTP server to favour). */
    public static final AcksFirst NONE = new AcksFirst(Duration.ZERO);

    private final long maxWaitNanos;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong delayed = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition answered = lock.newCondition();

    /** @param maxWait the longest a command waits for pending acks before it starts anyway (zero: never waits) */
    public AcksFirst(Duration maxWait) {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative");
        }
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** An exchange was taken by the server: its answer is pending. */
    public void taken() {
        if (maxWaitNanos > 0) {
            pending.incrementAndGet();
        }
    }

    /** An exchange taken with {@link #taken} ended (answered, refused or cut). */
    public void ended() {
        if (maxWaitNanos > 0 && pending.decrementAndGet() == 0 && waiting.get() > 0) {
            lock.lock();
            try {
                answered.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Exchanges taken and not yet ended. */
    public int pending() {
        return pending.get();
    }

    /** Commands that waited for acks before they started, since the start. */
    public long delayed() {
        return delayed.get();
    }

    /**
     * Called by a worker before it starts a command: returns once no ack is pending, or after {@code maxWait}. An
     * interrupt ends the wait early and stays set.
     */
    public void awaitAcks() {
        if (maxWaitNanos == 0 || pending.get() == 0) {
            return;
        }
        delayed.incrementAndGet();
        waiting.incrementAndGet();
        lock.lock();
        try {
            long left = maxWaitNanos;
            while (pending.get() > 0 && left > 0) {
                left = answered.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
            waiting.decrementAndGet();
        }
    }

    /** {@code work} that first lets pending acks be answered. */
    public Runnable after(Runnable work) {
        if (maxWaitNanos == 0) {
            return work;
        }
        return () -> {
            awaitAcks();
            work.run();
        };
    }

    @Override
    public String toString() {
        return "AcksFirst[maxWait=" + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + "ms, pending=" + pending.get() + "]";
    }
}
