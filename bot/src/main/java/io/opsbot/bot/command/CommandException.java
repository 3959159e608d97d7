package io.opsbot.bot.command;

import io.opsbot.engine.OpsException;

/** A command that cannot be understood; the message tells the user, in chat, what to type instead. */
public final class CommandException extends OpsException {

    public CommandException(String message) {
        super(message);
    }

    /** A typo is not a fault: where in the parser it was noticed tells nobody anything, so none is recorded. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
