package io.opsbot.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step: check, and only on drift apply then verify; each transition journaled before it takes effect,
 * apply plus verify bounded by the step's timeout, transient faults retried.
 */
final class StepRunner {

    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

    private final Recorder recorder;
    private final Retrier retrier;
    private final TimeBox timeBox;
    private final Clock clock;

    StepRunner(Recorder recorder, Retrier retrier, TimeBox timeBox, Clock clock) {
        this.recorder = recorder;
        this.retrier = retrier;
        this.timeBox = timeBox;
        this.clock = clock;
    }

    /** Never throws: a failure becomes a FAILED report whose detail says why. */
    StepReport run(RunningOperation op, int index, Step step, ProgressListener listener) {
        return run(op, index, step, listener, null);
    }

    /**
     * @param earlier what an earlier run of this operation, interrupted by a crash, journaled of this step after it
     *                began to apply; null when none did. A write of that run that reached the cluster makes the step
     *                CHANGED (by this operation), with that run's change in its detail.
     */
    StepReport run(RunningOperation op, int index, Step step, ProgressListener listener, EarlierRun earlier) {
        Instant started = clock.instant();
        String description = step.description();
        listener.stepStarted(index, description);
        // the apply's context, once there is one: a failure after its write says the write reached the cluster
        java.util.concurrent.atomic.AtomicReference<Context> applying = new java.util.concurrent.atomic.AtomicReference<>();
        // how far the step got, for a true statement when the journal stops recording part-way
        String reached = "nothing applied";
        try {
            recorder.step(op, index, description, StepState.CHECKING, null);
            boolean earlierWrote = earlier != null && resume(op, index, step, earlier);
            String before = earlierWrote ? earlier.change() + " (written before a restart)" : null;
            if (earlierWrote) {
                reached = before;
            }
            Check check = check(step, "op=" + op.id() + " step=" + (index + 1), op::checkCancelled);
            if (check.isInSync()) {
                return earlierWrote
                        ? finish(op, index, description, StepResult.CHANGED, before + "; " + check.text(), started, listener)
                        : finish(op, index, description, StepResult.OK, check.text(), started, listener);
            }
            recorder.step(op, index, description, StepState.APPLYING, check.text());
            reached = "may have been applied (" + check.text() + "): the journal missed a note about its write";
            Duration bound = step.timeout();
            long deadline = System.nanoTime() + bound.toNanos();
            Context context = new Context(op, index, listener, clock.instant().plus(bound), clock,
                    (key, value) -> recorder.step(op, index, description, StepState.NOTED, EarlierRun.noteText(key, value)));
            applying.set(context);
            AtomicBoolean firstAttempt = new AtomicBoolean(true);
            // the transient failure being retried when the time runs out: the timeout names it
            java.util.concurrent.atomic.AtomicReference<Exception> retrying = new java.util.concurrent.atomic.AtomicReference<>();
            timeBox.call(() -> retrier.call("op=" + op.id() + " step=" + (index + 1) + " apply", () -> {
                // A retried apply checks again first: the failed attempt may have taken effect after all.
                if (!firstAttempt.getAndSet(false) && step.check().isInSync()) {
                    return null;
                }
                step.apply(context);
                return null;
            }, op::checkCancelled, retrying::set), deadline, bound, "'" + description + "' to apply", retrying::get);
            reached = "applied (" + check.text() + "), not verified";
            recorder.step(op, index, description, StepState.VERIFYING, null);
            retrying.set(null);
            timeBox.call(() -> retrier.call("op=" + op.id() + " step=" + (index + 1) + " verify", () -> {
                step.verify(context);
                return null;
            }, op::checkCancelled, retrying::set), deadline, bound, "'" + description + "' to be in place", retrying::get);
            // what changed, then where it ended up: "image: a → b; nodeapp is healthy: 2 of 2 running"
            String detail = context.result() == null ? check.text() : check.text() + "; " + context.result();
            if (earlierWrote) {
                return finish(op, index, description, StepResult.CHANGED, before + "; " + detail, started, listener);
            }
            if (context.wroteNothingBecause() != null) {
                // another operation's write was in place already: this one only waited, and takes no credit
                return finish(op, index, description, StepResult.OK, detail + "; nothing written: "
                        + context.wroteNothingBecause(), started, listener);
            }
            return finish(op, index, description, StepResult.CHANGED, detail, started, listener);
        } catch (Exception failure) {
            JournalUnavailableException journalDown = JournalUnavailableException.in(failure);
            if (journalDown != null) {
                return lost(op, index, description, reached, journalDown, started, listener);
            }
            if (!(failure instanceof OpsException)) {
                log.warn("op={} step={} failed unexpectedly", op.id(), index + 1, failure);
            }
            return finish(op, index, description, StepResult.FAILED, reason(failure) + reached(applying.get()), started, listener);
        }
    }

    /**
     * A failed step whose write had reached the cluster says so: "failed" alone would read as "nothing changed",
     * and the cluster did change (a Marathon version, a deployment, a dataset move), whatever happened after.
     */
    static String reached(Context context) {
        if (context == null || context.written().isEmpty()) {
            return "";
        }
        return "; its change had reached the cluster before that (" + String.join(", ", context.written().entrySet()
                .stream().map(e -> e.getKey() + " " + e.getValue()).toList()) + ")";
    }

    /** Hands the step what its earlier run journaled; answers whether that run's write reached the cluster. */
    private boolean resume(RunningOperation op, int index, Step step, EarlierRun earlier) throws Exception {
        Duration bound = step.timeout();
        boolean wrote = timeBox.call(() -> retrier.call("op=" + op.id() + " step=" + (index + 1) + " resume",
                        () -> step.resume(earlier), op::checkCancelled),
                System.nanoTime() + bound.toNanos(), bound, "'" + step.description() + "' to be resumed");
        log.info("op={} step={} event=resumed earlier_state={} earlier_write_reached={} notes={}", op.id(), index + 1,
                earlier.last(), wrote, earlier.notes());
        return wrote;
    }

    /** Ends a step as an earlier run of the operation had ended it before a crash (FAILED or SKIPPED). */
    StepReport carryOver(RunningOperation op, int index, Step step, EarlierRun earlier, ProgressListener listener) {
        Instant now = clock.instant();
        listener.stepStarted(index, step.description());
        StepResult result = StepResult.valueOf(earlier.last().name());
        return finish(op, index, step.description(), result, earlier.detail() + " (before a restart)", now, listener);
    }

    /** Reads the step's state, bounded by its timeout and retried on transient faults. */
    Check check(Step step, String what, Runnable beforeRetry) throws Exception {
        Duration bound = step.timeout();
        return timeBox.call(() -> retrier.call(what + " check", step::check, beforeRetry),
                System.nanoTime() + bound.toNanos(), bound, "'" + step.description() + "' to be checked");
    }

    /** Records a step that will not run. */
    StepReport skip(RunningOperation op, int index, Step step, String why, ProgressListener listener) {
        Instant now = clock.instant();
        listener.stepStarted(index, step.description());
        return finish(op, index, step.description(), StepResult.SKIPPED, why, now, listener);
    }

    private StepReport finish(RunningOperation op, int index, String description, StepResult result, String detail,
                              Instant started, ProgressListener listener) {
        try {
            recorder.step(op, index, description, StepState.valueOf(result.name()), detail);
        } catch (JournalUnavailableException journalDown) {
            return lost(op, index, description, ended(result, detail), journalDown, started, listener);
        }
        StepReport report = new StepReport(index, description, result, detail, Duration.between(started, clock.instant()));
        listener.stepFinished(index, report);
        return report;
    }

    /** How a step ended, for when the journal could not record it. */
    private static String ended(StepResult result, String detail) {
        return switch (result) {
            case CHANGED -> "changed and in place (" + detail + ")";
            case OK -> "already in place (" + detail + ")";
            case FAILED -> "failed (" + detail + ")";
            case SKIPPED -> "not run (" + detail + ")";
        };
    }

    /**
     * The journal could not record a transition of the step: it ends FAILED for the people watching, with what it
     * had done, and nothing more of the operation is written (the journal still shows the step where it last could).
     */
    private StepReport lost(RunningOperation op, int index, String description, String reached,
                            JournalUnavailableException journalDown, Instant started, ProgressListener listener) {
        op.journalLost(journalDown.getMessage());
        StepReport report = new StepReport(index, description, StepResult.FAILED, reached + "; " + journalDown.getMessage(),
                Duration.between(started, clock.instant()));
        listener.stepFinished(index, report);
        return report;
    }

    /** The failure as a person in the channel reads it; stack traces stay in the log. */
    static String reason(Exception failure) {
        if (failure instanceof OpsException) {
            return failure.getMessage();
        }
        if (failure instanceof IOException || failure instanceof UncheckedIOException) {
            return "I/O error: " + failure.getMessage();
        }
        return "internal error (" + failure + "); see the log";
    }
}
