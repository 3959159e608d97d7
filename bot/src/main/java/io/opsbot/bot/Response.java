package io.opsbot.bot;

import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;

/** What the bot answers to one request; adapters render it. */
public sealed interface Response {

    /** A read-only answer: help, status, history, logs, drift. */
    record Answer(Report report) implements Response {}

    /** {@code --plan}: what would change, nothing changed. */
    record Planned(Plan plan) implements Response {}

    /**
     * The operation is destructive and was not confirmed yet; nothing changed.
     *
     * @param answers where the adapter records how it was answered (confirmed, declined, expired)
     */
    record NeedsConfirmation(Plan plan, String reason, ConfirmationAnswers answers) implements Response {

        public NeedsConfirmation(Plan plan, String reason) {
            this(plan, reason, ConfirmationAnswers.NONE);
        }
    }

    record Finished(Outcome outcome) implements Response {}

    /** A bad command, an unknown name, or a denial: nothing ran. */
    record Rejected(String message) implements Response {}

    /** The process exit status for {@code opsbot exec}: 0 ok, 1 failed, 2 bad command, 3 needs confirmation. */
    default int exitStatus() {
        if (this instanceof Finished f) {
            return f.outcome().state() == Outcome.State.SUCCEEDED ? 0 : 1;
        }
        if (this instanceof Rejected) {
            return 2;
        }
        if (this instanceof NeedsConfirmation) {
            return 3;
        }
        return 0;
    }
}
