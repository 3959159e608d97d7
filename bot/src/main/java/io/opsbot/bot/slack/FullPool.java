package io.opsbot.bot.slack;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A pool of the bot's workers seen from the thread that acks a request: when the pool and its queue are full, the
 * request is refused and the user told so at once, without work that waits. The JDK's {@code AbortPolicy} builds its
 * exception's message with the pool's {@code toString()}, which takes the pool's main lock (the one every worker takes
 * when it finishes a task) and walks its workers, and fills in a stack trace; the active count and the queue's size
 * for the answer take those locks again; and a log line per refusal made every refused ack wait for the log file's
 * lock. With 50 people sending at once, most acks were refusals and queued behind each other on those locks
 * (JFR, ./bench item 1). Here a refusal takes no lock: a full pool is, by definition, {@code threads} commands running
 * and {@code waiting} queued, and the log says so at most once per {@code logEvery}, with how many were refused.
 */
final class FullPool {

    /** Thrown by the pool instead of AbortPolicy's exception: no message to build, no stack trace to fill. */
    static final RejectedExecutionHandler REFUSE = (task, pool) -> {
        throw Refused.INSTANCE;
    };

    private static final class Refused extends RejectedExecutionException {
        private static final long serialVersionUID = 1L;
        static final Refused INSTANCE = new Refused();

        private Refused() {
            super("the pool and its queue are full");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final int threads;
    private final int waiting;
    private final long logEveryNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong refusedSinceLogged = new AtomicLong();
    private final AtomicLong nextLogAt;

    FullPool(int threads, int waiting, long logEveryNanos, LongSupplier nanoTime) {
        this.threads = threads;
        this.waiting = waiting;
        this.logEveryNanos = logEveryNanos;
        this.nanoTime = nanoTime;
        this.nextLogAt = new AtomicLong(nanoTime.getAsLong());
    }

    /** What the user is told. */
    String answer() {
        return "opsbot is busy (" + threads + " commands running, " + waiting + " waiting); try again in a minute";
    }

    /**
     * Counts a refusal; returns how many to log now (this one and those not logged since the last line), or 0 when a
     * line was written less than {@code logEvery} ago. One caller wins the line: the count is never logged twice.
     */
    long refused() {
        refusedSinceLogged.incrementAndGet();
        long now = nanoTime.getAsLong();
        long due = nextLogAt.get();
        if (now - due >= 0 && nextLogAt.compareAndSet(due, now + logEveryNanos)) {
            return refusedSinceLogged.getAndSet(0);
        }
        return 0;
    }
}
