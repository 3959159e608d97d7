package io.opsbot.bot.command;

/** What a positional argument or a flag's value may be; each kind has one reader and one help text. */
public enum Kind {
    /** A configured app. */
    APP,
    /** A configured node. */
    NODE,
    /** A configured app or node. */
    APP_OR_NODE,
    /** A configured app or service, or {@code SERVICE@NODE}. */
    LOG_TARGET,
    /** A whole number within the slot's range. */
    NUMBER,
    /** An image tag or a Marathon version timestamp. */
    VERSION,
    /** An operation id such as op-7f3a2c. */
    OPERATION_ID,
    /** The name of a command; may be two words ("who deployed"), so it takes the rest of the arguments. */
    COMMAND,
    /** A duration such as 30s, 15m, 2h, 1d, at most the slot's maximum. */
    DURATION,
    /** Free text, at most the slot's maximum length. */
    TEXT
}
