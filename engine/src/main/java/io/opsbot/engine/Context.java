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

    Context(RunningOperation op, int index, ProgressListener listener, Instant deadline, Clock clock) {
        this.op = op;
        this.index = index;
        this.listener = listener;
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public void progress(double fraction, String text) {
        listener.stepProgress(index, Math.max(0, Math.min(1, fraction)), text);
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
