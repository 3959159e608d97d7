package io.opsbot.bot.console;

/**
 * Where other parts of opsbot (alerts, recovery) print into the console. A line printed here appears above the
 * prompt and the progress line, which are then drawn again below it, so it never mixes with what the user is
 * typing; this holds whether the prompt is idle, an operation runs, or a question waits for an answer. Safe to
 * call from any thread.
 */
@FunctionalInterface
public interface ConsoleOutput {

    /** Prints {@code text} (one or more lines) above the prompt. */
    void printAbove(String text);
}
