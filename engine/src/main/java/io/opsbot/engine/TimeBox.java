package io.opsbot.engine;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs step work on the engine's executor so that the caller can stop waiting at the deadline. */
final class TimeBox {

    private final ExecutorService executor;

    TimeBox(ExecutorService executor) {
        this.executor = executor;
    }

    /**
     * @param deadlineNanos a {@link System#nanoTime()} value; real time, so that tests with a fixed clock still end
     * @param bound         the whole allowance, for the message
     * @param what          what is awaited, for the message: "'push nodeapp:1.2' to apply"
     * @throws OpsException "timed out after 5m waiting for …" once the deadline passes (the work is interrupted)
     */
    <T> T call(Callable<T> work, long deadlineNanos, Duration bound, String what) throws Exception {
        return call(work, deadlineNanos, bound, what, () -> null);
    }

    /**
     * @param lastFailure the last transient failure the work met and was retrying when the time ran out (null: none);
     *                    the timeout's message ends with it, so it names what failed ("Marathon at … HTTP 503")
     */
    <T> T call(Callable<T> work, long deadlineNanos, Duration bound, String what,
               java.util.function.Supplier<Exception> lastFailure) throws Exception {
        Future<T> future = executor.submit(work);
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            Exception last = lastFailure.get();
            throw new OpsException("timed out after " + human(bound) + " waiting for " + what
                    + (last == null ? "" : "; the last attempt failed: " + StepRunner.reason(last)));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted while waiting for " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception failure) {
                throw failure;
            }
            throw (Error) cause;
        }
    }

    /** "200ms", "45s", "5m", "1h30m" */
    static String human(Duration duration) {
        if (duration.toMillis() < 1000) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.toSeconds();
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0) {
            text.append(seconds % 60).append('s');
        }
        return text.toString();
    }
}
