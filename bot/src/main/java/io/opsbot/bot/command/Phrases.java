package io.opsbot.bot.command;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How error messages and help name things: echoed words, name lists, and the closest name to a typo. */
final class Phrases {

    /** Echoed words longer than this are cut: a message quotes enough to recognise the word, not a wall of it. */
    private static final int SHOWN_LENGTH = 40;
    /** Lists longer than this end in "and N more", so one message never floods the channel. */
    private static final int LISTED_NAMES = 20;

    private Phrases() {}

    /**
     * The word as a message quotes it: shortened when long, a quoted tab shown as a space, and every invisible or
     * control character escaped (U+202E as a backslash, "u" and 202E), so a right-to-left override cannot turn
     * the message around and a zero-width character cannot hide what was typed.
     */
    static String shown(String word) {
        String flat = word.replace('\t', ' ');
        if (flat.codePointCount(0, flat.length()) > SHOWN_LENGTH) {
            flat = flat.substring(0, flat.offsetByCodePoints(0, SHOWN_LENGTH)) + "…";
        }
        return visible(flat);
    }

    /** {@code text} with every invisible or control character written as a backslash, "u" and its code point in hex. */
    static String visible(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (invisible(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i = next;
        }
        return out == null ? text : out.toString();
    }

    /**
     * Control characters, format characters (bidi controls such as U+202E, zero-width joiners, U+FEFF), line and
     * paragraph separators, lone surrogates and unassigned code points: nothing a reader sees as itself.
     */
    private static boolean invisible(int c) {
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    /** "mongo, nginx, nodeapp" — or "a, b, … and 180 more". */
    static String list(Collection<String> names) {
        if (names.size() <= LISTED_NAMES) {
            return String.join(", ", names);
        }
        return names.stream().limit(LISTED_NAMES).collect(Collectors.joining(", "))
                + " and " + (names.size() - LISTED_NAMES) + " more";
    }

    /** "an app", "an app and a number of instances", "a, b and c". */
    static String and(List<String> phrases) {
        if (phrases.size() <= 1) {
            return String.join("", phrases);
        }
        return String.join(", ", phrases.subList(0, phrases.size() - 1)) + " and " + phrases.get(phrases.size() - 1);
    }

    /**
     * The candidate a typo most likely meant: the nearest by edit distance (a swap of neighbours counts as one
     * edit) within a bound that grows with the word, else the first the word is a prefix of; empty when none is
     * close or when several are equally close.
     */
    static Optional<String> closest(String word, Collection<String> candidates) {
        String typed = word.toLowerCase(Locale.ROOT);
        int bound = typed.length() <= 3 ? 1 : typed.length() <= 6 ? 2 : 3;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        for (String candidate : candidates) {
            String name = candidate.toLowerCase(Locale.ROOT);
            if (Math.abs(name.length() - typed.length()) > bound) {
                continue;
            }
            int distance = distance(typed, name);
            if (distance <= bound && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
                tie = false;
            } else if (distance == bestDistance) {
                tie = true;
            }
        }
        if (tie) {
            // "node9" is as close to node1 as to node2: naming one would be a guess
            return Optional.empty();
        }
        if (best == null && typed.length() >= 3) {
            best = candidates.stream().filter(c -> c.toLowerCase(Locale.ROOT).startsWith(typed)).findFirst()
                    .orElse(null);
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int value = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    value = Math.min(value, d[i - 2][j - 2] + 1);
                }
                d[i][j] = value;
            }
        }
        return d[a.length()][b.length()];
    }
}
