package io.opsbot.bot.command;

import java.time.Duration;
import java.util.Objects;

/**
 * What one argument or flag value accepts.
 *
 * @param kind        how the text is read and checked
 * @param placeholder how usage lines show it, e.g. APP, N, DURATION
 * @param meaning     a noun phrase with its article, used in messages: "an app", "a number of instances"
 * @param min         for NUMBER the smallest value; for DURATION the shortest, in seconds; else 0
 * @param max         for NUMBER the largest value; for DURATION the longest, in seconds; for TEXT the longest, in
 *                    characters; else 0
 */
public record Slot(Kind kind, String placeholder, String meaning, long min, long max) {

    public Slot {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(placeholder, "placeholder");
        Objects.requireNonNull(meaning, "meaning");
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
    }

    public static Slot of(Kind kind, String placeholder, String meaning) {
        return new Slot(kind, placeholder, meaning, 0, 0);
    }

    public static Slot number(String placeholder, String meaning, int min, int max) {
        return new Slot(Kind.NUMBER, placeholder, meaning, min, max);
    }

    public static Slot duration(String placeholder, String meaning, Duration longest) {
        return new Slot(Kind.DURATION, placeholder, meaning, 1, longest.toSeconds());
    }

    public static Slot text(String placeholder, String meaning, int maxLength) {
        return new Slot(Kind.TEXT, placeholder, meaning, 0, maxLength);
    }

    /** The meaning without its article: "number of instances". */
    public String noun() {
        if (meaning.startsWith("a ")) {
            return meaning.substring(2);
        }
        if (meaning.startsWith("an ")) {
            return meaning.substring(3);
        }
        return meaning;
    }
}
