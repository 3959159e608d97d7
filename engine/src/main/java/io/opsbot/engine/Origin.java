package io.opsbot.engine;

/**
 * Who asked for an operation, where, and with what words; the journal keeps it and recovery re-plans from it.
 *
 * @param requester   a user id, e.g. "U024BE7LH" or "console:alice"
 * @param channel     e.g. "C0123" or "console"
 * @param commandText the text as typed, e.g. "scale nodeapp 3"
 */
public record Origin(String requester, String channel, String commandText) {}
