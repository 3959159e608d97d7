package io.opsbot.engine;

import java.time.Clock;
import java.time.Instant;

/** What a running step may use: report progress, see its deadline, notice cancellation. */
public interface StepContext {

    /** Reports how far the step is, 0.0 to 1.0, with a short text ("1 of 3 tasks healthy"). */
    void progress(double fraction, String text);

    /** When apply plus verify must be done. */
    Instant deadline();

    Clock clock();

    /** Throws {@link CancelledException} when the operation was cancelled; steps call it between waits. */
    void checkCancelled();
}
