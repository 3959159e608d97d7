package io.opsbot.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one operation end to end: locks, plan, journal, steps in order, and the outcome's wording. */
final class OperationRunner {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm");

    private final Recorder recorder;
    private final StepRunner stepRunner;
    private final ResourceLocks locks;
    private final Map<String, RunningOperation> running;
    private final EngineSettings settings;
    private final Clock clock;
    /** Told when an operation of this engine ends without the journal recording its end. */
    private final Runnable journalMissedAnEnd;

    OperationRunner(Recorder recorder, StepRunner stepRunner, ResourceLocks locks, Map<String, RunningOperation> running,
                    EngineSettings settings, Clock clock, Runnable journalMissedAnEnd) {
        this.journalMissedAnEnd = journalMissedAnEnd;
        this.recorder = recorder;
        this.stepRunner = stepRunner;
        this.locks = locks;
        this.running = running;
        this.settings = settings;
        this.clock = clock;
    }

    /** Every step's check; a check that cannot answer yet shows as a change, since it may well be one. */
    Plan plan(Operation op, Runnable beforeRetry) {
        List<Plan.PlannedStep> planned = new ArrayList<>();
        for (int i = 0; i < op.steps().size(); i++) {
            Step step = op.steps().get(i);
            Check check;
            try {
                check = stepRunner.check(step, "plan step=" + (i + 1), beforeRetry);
            } catch (CancelledException e) {
                throw e;
            } catch (Exception e) {
                check = Check.drift("cannot tell yet: " + StepRunner.reason(e));
            }
            planned.add(new Plan.PlannedStep(i, step.description(), check));
        }
        return new Plan(op, planned);
    }

    /**
     * @param resumed the journal's entry when recovery resumes it under its old id; null for a new operation
     */
    Outcome run(String id, Operation op, Origin origin, ProgressListener listener, OperationEntry resumed) {
        Instant started = clock.instant();
        RunningOperation current = new RunningOperation(new LockHolder(id, op.title(), origin.requester(), started),
                op.steps().size());
        running.put(id, current);
        listener.started(id);
        try {
            Optional<ResourceLocks.Busy> busy;
            try {
                busy = locks.acquireAll(op.resources(), current.holder(), settings.lockWait(),
                        listener::waitingForLock, current::isCancelled);
            } catch (CancelledException e) {
                return endUnstarted(current, op, origin, resumed, Outcome.State.CANCELLED,
                        "cancelled by " + current.cancelledBy() + " while waiting for its turn; nothing was done", listener);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return endUnstarted(current, op, origin, resumed, Outcome.State.CANCELLED,
                        "interrupted while waiting for its turn; nothing was done", listener);
            }
            if (busy.isPresent()) {
                return endUnstarted(current, op, origin, resumed, Outcome.State.REFUSED, busyMessage(busy.get()), listener);
            }
            current.locked();
            try {
                return runLocked(current, op, origin, resumed, started, listener);
            } finally {
                locks.releaseAll(op.resources(), current.holder(), !current.areSharedLocksReleased());
            }
        } finally {
            running.remove(id);
        }
    }

    private Outcome runLocked(RunningOperation current, Operation op, Origin origin, OperationEntry resumed,
                              Instant started, ProgressListener listener) {
        Plan plan;
        try {
            plan = plan(op, current::checkCancelled);
            OperationEntry entry = new OperationEntry(current.id(), op.kind(), op.title(), origin, op.resources(),
                    plan.text(), OperationEntry.RUNNING, started, null, null);
            if (resumed == null) {
                recorder.started(entry);
            } else {
                recorder.recovered(resumed, clock.instant());
            }
        } catch (CancelledException e) {
            return endUnstarted(current, op, origin, resumed, Outcome.State.CANCELLED,
                    e.getMessage() + " while planning; nothing was done", listener);
        } catch (RuntimeException journalDown) {
            log.error("op={} could not record its start in the journal", current.id(), journalDown);
            if (resumed != null) {
                journalMissedAnEnd.run(); // it stays RUNNING, now claimed by this engine
            }
            return tellOnly(outcome(current, op, List.of(), Outcome.State.FAILED,
                    "could not record the operation in the journal, so nothing was done: " + journalDown.getMessage(),
                    started), listener);
        }
        listener.planned(current.id(), plan);
        Map<Integer, EarlierRun> earlier;
        try {
            earlier = resumed == null ? Map.of() : EarlierRun.of(recorder.steps(current.id()));
        } catch (RuntimeException journalDown) {
            log.error("op={} could not read its earlier steps from the journal", current.id(), journalDown);
            // nothing is written: the journal keeps it RUNNING, and it is resumed once the journal answers again
            journalMissedAnEnd.run();
            return tellOnly(outcome(current, op, List.of(), Outcome.State.FAILED, "could not read what it had done before "
                    + "a restart from the journal, so nothing more was done: " + stayOpen(journalDown.getMessage()),
                    started), listener);
        }

        int n = op.steps().size();
        List<StepReport> reports = new ArrayList<>();
        String stopped = null;
        boolean cancelled = false;
        for (int i = 0; i < n; i++) {
            Step step = op.steps().get(i);
            if (stopped == null && current.isCancelled()) {
                cancelled = true;
                stopped = "cancelled by " + current.cancelledBy() + (i == 0 ? " before step 1 of " + n : " after step " + i + " of " + n)
                        + "; " + notRun(i, n);
            }
            if (stopped != null) {
                reports.add(current.journalLostBecause() != null ? notRecorded(i, step, listener)
                        : stepRunner.skip(current, i, step, stopped, listener));
                continue;
            }
            EarlierRun before = earlier.get(i);
            StepReport report;
            if (before != null && (before.last() == StepState.FAILED || before.last() == StepState.SKIPPED)) {
                // it had ended this way before the crash: say so, never try it again
                report = stepRunner.carryOver(current, i, step, before, listener);
            } else {
                report = stepRunner.run(current, i, step, listener, before != null && before.beganToApply() ? before : null);
            }
            reports.add(report);
            if (report.result() == StepResult.SKIPPED) {
                stopped = report.detail();
                cancelled = report.detail().startsWith("cancelled");
            }
            if (current.journalLostBecause() != null) {
                cancelled = false;
                stopped = "step " + (i + 1) + " of " + n + " '" + report.description() + "': " + report.detail()
                        + (i + 1 < n ? "; " + notRun(i + 1, n) : "");
            } else if (report.result() == StepResult.FAILED) {
                cancelled = current.isCancelled();
                stopped = failureMessage(current, i, n, report);
            }
        }
        if (current.journalLostBecause() != null) {
            // Nothing more is written: the journal shows the operation RUNNING with its steps as far as it recorded
            // them, and recovery finishes it through fresh checks, crediting a write that reached the cluster.
            log.error("op={} event=stopped_journal_unavailable reason=\"{}\"", current.id(), current.journalLostBecause());
            journalMissedAnEnd.run();
            return tellOnly(outcome(current, op, reports, Outcome.State.FAILED, "stopped, because the journal stopped "
                    + "recording: " + stayOpen(stopped), started), listener);
        }
        // A cancel that arrives after the last step has no effect: the outcome says what happened.
        Outcome.State state = cancelled ? Outcome.State.CANCELLED
                : stopped != null ? Outcome.State.FAILED : Outcome.State.SUCCEEDED;
        String message = stopped != null ? stopped : successMessage(reports);
        return finish(current, op, reports, state, resumed == null ? message : "resumed after a restart; " + message,
                started, listener);
    }

    /** What an operation the journal stopped recording says of what comes next. */
    static final String STAYS_OPEN = ". The journal still shows it as running: opsbot finishes it through fresh checks "
            + "once the journal answers again, and `history` then shows how it ended";

    /** {@code message}, then {@link #STAYS_OPEN} (without doubling a full stop the message ends with). */
    static String stayOpen(String message) {
        return (message.endsWith(".") ? message.substring(0, message.length() - 1) : message) + STAYS_OPEN;
    }

    /** A step not run after the journal stopped recording: told, not journaled. */
    private StepReport notRecorded(int index, Step step, ProgressListener listener) {
        listener.stepStarted(index, step.description());
        StepReport report = new StepReport(index, step.description(), StepResult.SKIPPED, "not run: the journal stopped "
                + "recording", Duration.ZERO);
        listener.stepFinished(index, report);
        return report;
    }

    private String failureMessage(RunningOperation current, int i, int n, StepReport report) {
        String rest = i + 1 < n ? "; " + notRun(i + 1, n) : "";
        if (current.isCancelled()) {
            return "cancelled by " + current.cancelledBy() + " during step " + (i + 1) + " of " + n + " '"
                    + report.description() + "', which stopped part-way (" + report.detail() + ")" + rest;
        }
        return "step " + (i + 1) + " of " + n + " '" + report.description() + "' failed: " + report.detail() + rest;
    }

    private static String successMessage(List<StepReport> reports) {
        long changed = reports.stream().filter(r -> r.result() == StepResult.CHANGED).count();
        if (changed > 0) {
            return "done: changed " + changed + " of " + reports.size() + (reports.size() == 1 ? " step" : " steps");
        }
        if (reports.size() == 1) {
            return "nothing to do: " + reports.get(0).detail();
        }
        // each step's own line already says why it was in place: the summary does not repeat them
        return "nothing to do: " + (reports.isEmpty() ? "the operation has no steps"
                : "all " + reports.size() + " steps were already in place");
    }

    /** "step 4 not run", "steps 3-4 not run" (first is 0-based) */
    private static String notRun(int first, int n) {
        return first == n - 1 ? "step " + n + " not run" : "steps " + (first + 1) + "-" + n + " not run";
    }

    private String busyMessage(ResourceLocks.Busy busy) {
        LockHolder holder = busy.holder();
        String at = HOUR_MINUTE.format(holder.since().atZone(zone()));
        return displayName(busy.resource()) + " is busy: " + holder.operationId() + " '" + holder.title() + "' started by "
                + holder.requester() + " at " + at + "; try again when it finishes";
    }

    private ZoneId zone() {
        return clock.getZone();
    }

    /** "app:/nodeapp" → "nodeapp", "dataset:mongo" → "mongo" */
    static String displayName(String resource) {
        String name = resource.substring(resource.indexOf(':') + 1);
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** Ends an operation that never reached its steps; a new one is still journaled, for the audit trail. */
    private Outcome endUnstarted(RunningOperation current, Operation op, Origin origin, OperationEntry resumed,
                                 Outcome.State state, String message, ProgressListener listener) {
        Instant started = current.holder().since();
        try {
            if (resumed == null) {
                recorder.started(new OperationEntry(current.id(), op.kind(), op.title(), origin, op.resources(),
                        "(not planned: " + state.name().toLowerCase() + ")", OperationEntry.RUNNING, started, null, null));
            }
        } catch (RuntimeException journalDown) {
            log.error("op={} could not record its start in the journal", current.id(), journalDown);
            return tellOnly(outcome(current, op, List.of(), state, message, started), listener);
        }
        return finish(current, op, List.of(), state, message, started, listener);
    }

    private static Outcome tellOnly(Outcome outcome, ProgressListener listener) {
        listener.finished(outcome);
        return outcome;
    }

    private Outcome finish(RunningOperation current, Operation op, List<StepReport> reports, Outcome.State state,
                           String message, Instant started, ProgressListener listener) {
        Outcome outcome = outcome(current, op, reports, state, message, started);
        try {
            // the end, the steps' held-back check-only transitions and the release of the shared locks: one commit
            List<String> release = current.isLocked() ? op.resources() : List.of();
            recorder.finished(current, state, message + " (" + outcome.recap() + ")", release);
            if (!release.isEmpty()) {
                current.sharedLocksReleased();
            }
        } catch (RuntimeException journalDown) {
            // The work is done either way; recovery will re-check it because the journal still says RUNNING.
            log.error("op={} could not record its end ({}) in the journal", current.id(), state, journalDown);
            journalMissedAnEnd.run();
            outcome = outcome(current, op, reports, state, message + "; the journal could not record this end ("
                    + stayOpen(journalDown.getMessage() + ")"), started);
        }
        listener.finished(outcome);
        return outcome;
    }

    private Outcome outcome(RunningOperation current, Operation op, List<StepReport> reports, Outcome.State state,
                            String message, Instant started) {
        return new Outcome(current.id(), op.title(), state, reports, message, Duration.between(started, clock.instant()));
    }
}
