package io.opsbot.bot;

/**
 * Where the answer to a confirmation goes: the journal entry of the command that asked for it, so `history` says
 * whether it was confirmed, declined or left to expire, and by whom. Every adapter that asks (console, Slack) calls
 * it once with the answer.
 */
@FunctionalInterface
public interface ConfirmationAnswers {

    enum Answer { CONFIRMED, DECLINED, EXPIRED }

    /** Answers to nothing: for a confirmation that no journal entry stands for. */
    ConfirmationAnswers NONE = (answer, by) -> { };

    /**
     * @param by who answered; for {@link Answer#EXPIRED}, null
     */
    void record(Answer answer, String by);
}
