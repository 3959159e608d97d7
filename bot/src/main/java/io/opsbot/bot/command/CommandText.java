package io.opsbot.bot.command;

import java.time.Duration;
import java.util.Optional;

/**
 * Writes a command's canonical text, which parses back to an equal command: words are quoted when the
 * tokenizer would otherwise split or reinterpret them, and flags left at their defaults are omitted.
 */
final class CommandText {

    private final StringBuilder text;

    CommandText(String verb) {
        text = new StringBuilder(verb);
    }

    CommandText word(String word) {
        text.append(' ').append(quoted(word));
        return this;
    }

    CommandText word(Optional<String> word) {
        word.ifPresent(this::word);
        return this;
    }

    CommandText option(String name, Optional<String> value) {
        value.ifPresent(v -> option(name, v));
        return this;
    }

    CommandText option(String name, String value) {
        text.append(" --").append(name).append(' ').append(quoted(value));
        return this;
    }

    CommandText toggle(String name, boolean on) {
        if (on) {
            text.append(" --").append(name);
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** A duration as the grammar reads it, in its largest whole unit: 90m, 2h, 1d, 45s. */
    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds > 0 && seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds > 0 && seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** A channel as a command names it: "#ops" as it is, a Slack channel id as Slack's mention "<#C0123ABC>". */
    static String channel(String channel) {
        return channel.startsWith("#") ? channel : "<#" + channel + ">";
    }

    /** The word itself when it reads back unchanged, else in double quotes with {@code \} and {@code "} escaped. */
    static String quoted(String word) {
        if (!needsQuotes(word)) {
            return word;
        }
        StringBuilder out = new StringBuilder(word.length() + 2).append('"');
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    private static boolean needsQuotes(String word) {
        if (word.isEmpty() || Tokenizer.isDash(word.charAt(0))) {
            return true;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (Tokenizer.isSpace(c) || Tokenizer.isQuote(c) || c == '\\') {
                return true;
            }
        }
        return false;
    }
}
