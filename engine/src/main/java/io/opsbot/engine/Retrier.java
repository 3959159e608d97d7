package io.opsbot.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Retries an action on transient faults only, with backoff; earlier failures travel as suppressed exceptions. */
final class Retrier {

    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    Retrier(RetryPolicy policy, Sleeper sleeper, RandomGenerator random) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    /**
     * @param what          for the log: "op=op-1a2b step=2 apply"
     * @param beforeAttempt run before every attempt after the first (it may throw, e.g. when cancelled)
     * @throws Exception the last failure, with the earlier ones suppressed
     */
    <T> T call(String what, Callable<T> action, Runnable beforeAttempt) throws Exception {
        return call(what, action, beforeAttempt, failure -> { });
    }

    /** @param onTransient told of each transient failure that will be retried (a timeout can then say what it was) */
    <T> T call(String what, Callable<T> action, Runnable beforeAttempt,
               java.util.function.Consumer<Exception> onTransient) throws Exception {
        List<Exception> earlier = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                beforeAttempt.run();
            }
            try {
                return action.call();
            } catch (Exception failure) {
                // An interrupted attempt (the step timed out) must end, even if it surfaced as an I/O error.
                if (!isTransient(failure) || attempt >= policy.maxAttempts() || Thread.currentThread().isInterrupted()) {
                    earlier.stream().filter(e -> e != failure).forEach(failure::addSuppressed);
                    throw failure;
                }
                earlier.add(failure);
                onTransient.accept(failure);
                var pause = policy.backoffAfter(attempt, random);
                log.info("{} attempt={} of {} failed transiently, retrying in {}ms: {}",
                        what, attempt, policy.maxAttempts(), pause.toMillis(), failure.toString());
                sleeper.sleep(pause);
            }
        }
    }

    /** Connect errors and 5xx (TransientException) may pass; anything else (4xx, validation, bugs) will not. */
    static boolean isTransient(Throwable failure) {
        return failure instanceof TransientException
                || failure instanceof IOException
                || failure instanceof UncheckedIOException;
    }
}
