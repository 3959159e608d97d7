package io.opsbot.bot.render;

import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The state of one running operation as a chat shows it, built from the engine's progress events. Every change
 * hands an immutable {@link Snapshot} to the listener, which renders it (and, in Slack, coalesces the edits).
 */
public final class OperationView implements ProgressListener {

    public enum StepStatus { PENDING, RUNNING, OK, CHANGED, FAILED, SKIPPED }

    public record StepLine(String description, StepStatus status, String detail, Duration elapsed, double fraction) {}

    /** @param waiting a lock wait message, or null */
    public record Snapshot(String title, String operationId, List<StepLine> steps, String waiting, Outcome outcome,
                           boolean emulated) {
        public Snapshot {
            steps = List.copyOf(steps);
        }

        /** 0.0 to 1.0 over all steps, counting the running step's own fraction. */
        public double fraction() {
            if (steps.isEmpty()) {
                return outcome == null ? 0 : 1;
            }
            double done = 0;
            for (StepLine s : steps) {
                done += switch (s.status()) {
                    case PENDING -> 0;
                    case RUNNING -> s.fraction();
                    default -> 1;
                };
            }
            return done / steps.size();
        }

        public boolean finished() {
            return outcome != null;
        }
    }

    private final String title;
    private final boolean emulated;
    private final Clock clock;
    private final Consumer<Snapshot> onChange;
    private final List<StepLine> steps = new ArrayList<>();
    private String operationId;
    private String waiting;
    private Outcome outcome;
    private Instant stepStarted;

    public OperationView(String title, boolean emulated, Clock clock, Consumer<Snapshot> onChange) {
        this.title = title;
        this.emulated = emulated;
        this.clock = clock;
        this.onChange = onChange;
    }

    /** Only notes the id: the next change (a lock wait, the plan) shows it. */
    @Override
    public synchronized void started(String id) {
        operationId = id;
    }

    @Override
    public void planned(String id, Plan plan) {
        synchronized (this) {
            operationId = id;
            steps.clear();
            plan.steps().forEach(s -> steps.add(new StepLine(s.description(), StepStatus.PENDING, s.check().text(), Duration.ZERO, 0)));
        }
        changed();
    }

    @Override
    public void waitingForLock(String resource, LockHolder holder) {
        synchronized (this) {
            waiting = "waiting for " + displayName(resource) + ": held by " + holder.operationId() + " '" + holder.title()
                    + "' started by " + holder.requester();
        }
        changed();
    }

    @Override
    public void stepStarted(int index, String description) {
        synchronized (this) {
            waiting = null;
            stepStarted = clock.instant();
            set(index, new StepLine(description, StepStatus.RUNNING, null, Duration.ZERO, 0));
        }
        changed();
    }

    @Override
    public void stepProgress(int index, double fraction, String text) {
        synchronized (this) {
            StepLine old = index < steps.size() ? steps.get(index) : null;
            String description = old == null ? "" : old.description();
            set(index, new StepLine(description, StepStatus.RUNNING, text, elapsed(), Math.max(0, Math.min(1, fraction))));
        }
        changed();
    }

    @Override
    public void stepFinished(int index, StepReport report) {
        synchronized (this) {
            set(index, new StepLine(report.description(), status(report.result()), report.detail(), report.elapsed(), 1));
        }
        changed();
    }

    @Override
    public void finished(Outcome finalOutcome) {
        synchronized (this) {
            outcome = finalOutcome;
            operationId = finalOutcome.operationId();
            waiting = null;
            for (StepReport r : finalOutcome.steps()) {
                set(r.index(), new StepLine(r.description(), status(r.result()), r.detail(), r.elapsed(), 1));
            }
        }
        changed();
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(title, operationId, steps, waiting, outcome, emulated);
    }

    private void changed() {
        onChange.accept(snapshot());
    }

    private Duration elapsed() {
        return stepStarted == null ? Duration.ZERO : Duration.between(stepStarted, clock.instant());
    }

    private void set(int index, StepLine line) {
        while (steps.size() <= index) {
            steps.add(new StepLine("", StepStatus.PENDING, null, Duration.ZERO, 0));
        }
        steps.set(index, line);
    }

    private static StepStatus status(StepResult result) {
        return switch (result) {
            case OK -> StepStatus.OK;
            case CHANGED -> StepStatus.CHANGED;
            case FAILED -> StepStatus.FAILED;
            case SKIPPED -> StepStatus.SKIPPED;
        };
    }

    /** "app:/nodeapp" → "nodeapp", "dataset:mongo" → "mongo": the name users type, as the engine's busy message has it. */
    static String displayName(String resource) {
        String name = resource.substring(resource.indexOf(':') + 1);
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
