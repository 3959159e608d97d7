package io.opsbot.bot.command;

import io.opsbot.engine.OpsException;

/** A command that cannot be understood; the message tells the user, in chat, what to type instead. */
public final class CommandException extends OpsException {

    public CommandException(String message) {
        super(message);
    }

    /**
     * Text a person typed as an error message may quote it: invisible and control characters (a right-to-left
     * override U+202E, a zero-width joiner) written as escapes (U+202E as a backslash, "u" and 202E), the rest as typed.
     */
    public static String visible(String typed) {
        return Phrases.visible(typed == null ? "" : typed);
    }

    /**
     * A word a person typed as a message quotes it: {@link #visible} and at most 40 characters, so a pasted page or a
     * run of bidi controls does not become the message.
     */
    public static String shown(String typed) {
        return Phrases.shown(typed == null ? "" : typed);
    }

    /** A typo is not a fault: where in the parser it was noticed tells nobody anything, so none is recorded. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
