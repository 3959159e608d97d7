package io.opsbot.bot.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one command line into words. Whitespace (any Unicode space) separates words; a quoted part groups
 * words and may sit inside a word ({@code --grep="connection refused"}). Quotes: {@code "…"} and {@code '…'},
 * and the typographic ones chat clients put in their place: {@code “…”} and {@code ‘…’} (closed by their
 * partner or by the plain quote). A single quote closes only at the end of a word, so that an apostrophe
 * inside one stays ({@code 'it's down'}, or as chat clients write it, {@code ‘it’s down’}). Inside double
 * quotes, {@code \"} and {@code \\} stand for {@code "} and {@code \}; every other character, backslashes
 * included, is itself.
 */
final class Tokenizer {

    /**
     * One word.
     *
     * @param text     the word with its quotes removed
     * @param flagLike whether it is written as a flag: not quoted at its start, and starting with a dash
     *                 followed by a dash or a letter (so "-1" stays a number)
     * @param column   where it starts, counting characters from 1
     */
    record Token(String text, boolean flagLike, int column) {}

    private Tokenizer() {}

    static List<Token> tokenize(String line, int offset) {
        List<Token> tokens = new ArrayList<>();
        int i = offset;
        int n = line.length();
        StringBuilder word = new StringBuilder();
        while (i < n) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            boolean quotedStart = isOpeningQuote(line.charAt(i));
            word.setLength(0);
            while (i < n && !isSpace(line.charAt(i))) {
                char c = line.charAt(i);
                if (isOpeningQuote(c)) {
                    i = readQuoted(line, i, word);
                } else {
                    word.append(c);
                    i++;
                }
            }
            String text = word.toString();
            tokens.add(new Token(text, !quotedStart && looksLikeFlag(text), start + 1));
        }
        return tokens;
    }

    /** Appends the quoted part that opens at {@code open} and returns the index after its closing quote. */
    private static int readQuoted(String line, int open, StringBuilder word) {
        char opener = line.charAt(open);
        boolean escapes = opener == '"' || opener == '“';
        int i = open + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (escapes && c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else if (closes(opener, c) && (!isSingle(opener) || endsWord(line, i + 1))) {
                return i + 1;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new CommandException("unterminated quote: the " + opener + " at character " + (open + 1)
                + " is never closed; close it, e.g. logs nodeapp --grep \"connection refused\"");
    }

    private static boolean isSingle(char opener) {
        return opener == '\'' || opener == '‘';
    }

    /** Whether {@code i} is past the end of a word: a single quote inside a word is an apostrophe (it’s). */
    private static boolean endsWord(String line, int i) {
        return i >= line.length() || isSpace(line.charAt(i));
    }

    private static boolean looksLikeFlag(String text) {
        if (text.isEmpty() || !isDash(text.charAt(0))) {
            return false;
        }
        // "--x", "—x" (a dash a chat client merged), "-x"; but "-1" is a (negative) number, and "-" alone a word.
        return text.length() > 1 && (isDash(text.charAt(1)) || Character.isLetter(text.charAt(1))
                || text.charAt(0) != '-');
    }

    static boolean isDash(char c) {
        // chat clients turn "--" into an en dash or an em dash
        return c == '-' || c == '–' || c == '—';
    }

    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    static boolean isQuote(char c) {
        return c == '"' || c == '\'' || c == '“' || c == '”' || c == '‘' || c == '’';
    }

    private static boolean isOpeningQuote(char c) {
        return c == '"' || c == '\'' || c == '“' || c == '‘';
    }

    private static boolean closes(char opener, char c) {
        switch (opener) {
            case '“':
                return c == '”' || c == '"';
            case '‘':
                return c == '’' || c == '\'';
            default:
                return c == opener;
        }
    }
}
