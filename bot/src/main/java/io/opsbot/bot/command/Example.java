package io.opsbot.bot.command;

import java.util.Objects;

/**
 * A command line as a user types it, and what it does; every example in the grammar parses.
 *
 * @param text        e.g. "scale nodeapp 3"
 * @param explanation e.g. "run three instances of nodeapp"
 */
public record Example(String text, String explanation) {

    public Example {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(explanation, "explanation");
    }
}
