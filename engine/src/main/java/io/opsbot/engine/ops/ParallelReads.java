package io.opsbot.engine.ops;

import io.opsbot.engine.OpsException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Starts the independent reads of one answer ({@code status}, the health report) at once, so the answer takes as long
 * as its slowest read rather than the sum of them: Mesos, Marathon, each Weave router and Flocker answer on their own.
 * A read fails on its own: {@link Read#join()} throws what the read threw, and the caller shows it in that read's
 * section as before.
 *
 * <p>The reads run on one small pool shared by every answer ({@value #THREADS} daemon threads named
 * {@code opsbot-read-N}, which end after a minute idle); more reads than threads wait their turn. A read never starts
 * another one, so a full pool cannot wait on itself.
 */
final class ParallelReads {

    /** Enough for the five sections of {@code status} with one more answer's first reads under way. */
    static final int THREADS = 6;
    /** Names the pool's threads: the benchmark counts what they allocate. */
    static final String THREAD_PREFIX = "opsbot-read-";
    /**
     * Each read is bounded by its client's own timeouts (retries included); this bound only guards against a read
     * that never returns, or one that waited long for a thread on a saturated pool.
     */
    static final Duration BOUND = Duration.ofMinutes(2);

    private static final ThreadPoolExecutor POOL = pool();

    private static ThreadPoolExecutor pool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private final Duration bound;

    ParallelReads() {
        this(BOUND);
    }

    ParallelReads(Duration bound) {
        this.bound = bound;
    }

    /** Starts {@code read} now; {@code what} names it in the message of a read that does not end in time. */
    <T> Read<T> start(String what, Supplier<T> read) {
        return new Read<>(what, POOL.submit(read::get), bound);
    }

    /** One read under way. */
    static final class Read<T> {
        private final String what;
        private final Future<T> future;
        private final Duration bound;

        private Read(String what, Future<T> future, Duration bound) {
            this.what = what;
            this.future = future;
            this.bound = bound;
        }

        /**
         * The read's result, or what it threw, as if it had run on the calling thread; a read that has not ended
         * within the bound is cancelled and becomes an {@link OpsException} naming it.
         */
        T join() {
            try {
                return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new OpsException("no answer from " + what + " within " + bound.toSeconds() + " s");
            } catch (CancellationException e) {
                throw new OpsException("the read of " + what + " was cancelled");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                throw new OpsException("interrupted while reading " + what);
            }
        }
    }
}
