package io.opsbot.bot.command;

import io.opsbot.engine.OpsException;

/** A command that cannot be understood; the message tells the user, in chat, what to type instead. */
public final class CommandException extends OpsException {

    public CommandException(String message) {
        super(message);
    }
}
