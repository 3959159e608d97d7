package io.opsbot.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** The StepContext handed to a running step. */
final class Context implements StepContext {

    private final RunningOperation op;
    private final int index;
    private final ProgressListener listener;
    private final Instant deadline;
    private final Clock clock;
    /** What the step last said at 100%: its result in words ("nodeapp is healthy: 2 of 2 running"). */
    private volatile String result;

    /** The notes a step makes right after its write reached the cluster ("from" and "rollback" come before one). */
    static final Set<String> WRITTEN = Set.of("version", "deployment", "to");

    private final Notes notes;
    private final Map<String, String> written = new java.util.LinkedHashMap<>();
    /** Why apply wrote nothing, when it said so; null when it wrote. */
    private volatile String wroteNothing;

    /** Where a step's notes go: the journal, before the step goes on. */
    @FunctionalInterface
    interface Notes {
        void record(String key, String value);
    }

    Context(RunningOperation op, int index, ProgressListener listener, Instant deadline, Clock clock, Notes notes) {
        this.op = op;
        this.index = index;
        this.notes = notes;
        this.listener = listener;
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public void progress(double fraction, String text) {
        double bounded = Math.max(0, Math.min(1, fraction));
        // a step that reports below 100% again (a retry) takes back what it said at 100%
        result = bounded >= 1.0 && text != null && !text.isBlank() ? text : null;
        listener.stepProgress(index, bounded, text);
    }

    @Override
    public void note(String key, String value) {
        notes.record(key, value);
        if (WRITTEN.contains(key)) {
            synchronized (written) {
                written.put(key, value);
            }
        }
    }

    /** What the step noted its write made (Marathon's version, the deployment, Flocker's new primary); empty before. */
    Map<String, String> written() {
        synchronized (written) {
            return new java.util.LinkedHashMap<>(written);
        }
    }

    @Override
    public void wroteNothing(String why) {
        notes.record(EarlierRun.WROTE_NOTHING, why);
        wroteNothing = why;
    }

    /** Why apply wrote nothing, or null when it wrote (or did not say). */
    String wroteNothingBecause() {
        return wroteNothing;
    }

    /** The text of the step's last report at 100%, or null. */
    String result() {
        return result;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public void checkCancelled() {
        op.checkCancelled();
    }
}
