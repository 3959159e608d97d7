package io.opsbot.engine;

import java.time.Clock;
import java.time.Instant;

/** The StepContext handed to a running step. */
final class Context implements StepContext {

    private final RunningOperation op;
    private final int index;
    private final ProgressListener listener;
    private final Instant deadline;
    private final Clock clock;
    /** What the step last said at 100%: its result in words ("nodeapp is healthy: 2 of 2 running"). */
    private volatile String result;

    Context(RunningOperation op, int index, ProgressListener listener, Instant deadline, Clock clock) {
        this.op = op;
        this.index = index;
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
