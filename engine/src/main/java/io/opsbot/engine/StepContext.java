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

    /**
     * Journals a fact about this apply's write before it returns: what the step is about to change from
     * ({@code note("from", version)}, before the write) and what the write made ({@code note("version", …)},
     * {@code note("deployment", …)}, right after it). If a crash interrupts the step, recovery hands these back to it
     * ({@link Step#resume}), so it recognizes its own write instead of making it again.
     */
    default void note(String key, String value) {
    }

    /**
     * Says that apply found its change already asked for (by an earlier write) and wrote nothing itself: the step then
     * ends OK rather than CHANGED, unless the earlier write was this operation's own, before a restart.
     */
    default void wroteNothing(String why) {
    }

    /** Throws {@link CancelledException} when the operation was cancelled; steps call it between waits. */
    void checkCancelled();
}
