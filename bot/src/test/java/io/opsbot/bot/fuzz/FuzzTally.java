package io.opsbot.bot.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Counts what a fuzz run fed and what came back — inputs per entry point, commands, rejections, distinct rejection
 * messages and their shapes (the message with what it quotes and its numbers taken out) — and holds every rejection
 * to the bar: one printable line, specific (not a catch-all), never an exception's text. Each input runs on a worker
 * with a bound, so a hang fails the run with the input that hung instead of stalling it.
 */
public final class FuzzTally {

    /** Far above any parse (microseconds) or access check: only a hang or a pathological loop takes this long. */
    public static final Duration INPUT_BOUND = Duration.ofSeconds(20);
    /** The longest rejection a chat channel gets: messages quote at most 40 characters of what was typed. */
    public static final int MAX_MESSAGE = 1_000;

    /** What a catch-all answer looks like: it tells the user nothing about what to change. */
    private static final Set<String> GENERIC = Set.of("error", "invalid command", "invalid input", "bad request",
            "bad command", "something went wrong", "failed", "unknown error", "rejected");
    private static final Pattern EXCEPTION_TEXT = Pattern.compile(
            "Exception|java\\.|javax\\.|\\bat [a-z]+\\.[a-z]+\\.|NullPointer|IndexOutOfBounds|opsbot failed on this command");
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|`[^`]*`|\"[^\"]*\"|<[@#!][^>]*>");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+");
    private static final Pattern NULL_WORD = Pattern.compile("\\bnull\\b");

    private final String name;
    private final Instant started = Instant.now();
    private final Map<String, long[]> perEntryPoint = new TreeMap<>();
    private final Set<Long> distinctMessages = new HashSet<>();
    private final Map<String, String> shapes = new TreeMap<>();
    private final Thread watchdog;
    private volatile String current;
    private volatile Thread runner;
    private volatile long startedNanos;
    private volatile String hung;
    private long inputs;

    public FuzzTally(String name) {
        this.name = name;
        this.watchdog = new Thread(this::watch, "fuzz-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            long started = startedNanos;
            if (started != 0 && System.nanoTime() - started > INPUT_BOUND.toNanos() && hung == null) {
                hung = shown(current);
                Thread stuck = runner;
                StringBuilder where = new StringBuilder("fuzz input still running after " + INPUT_BOUND.toSeconds()
                        + " s: " + hung + "\n");
                if (stuck != null) {
                    for (StackTraceElement frame : stuck.getStackTrace()) {
                        where.append("  at ").append(frame).append('\n');
                    }
                }
                System.err.print(where);
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Runs one input's handling on this thread while a watchdog looks on: an input still running after
     * {@link #INPUT_BOUND} is reported at once (printed with the thread's stack, which shows where it is stuck) and
     * fails the run. (On this thread rather than a worker's: a hand-over per input costs more than the parse itself
     * on a busy machine.)
     */
    public <T> T bounded(String entryPoint, String input, Supplier<T> work) {
        synchronized (this) {
            inputs++;
            perEntryPoint.computeIfAbsent(entryPoint, k -> new long[3])[0]++;
        }
        current = input;
        runner = Thread.currentThread();
        startedNanos = System.nanoTime();
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            return fail(entryPoint + ": " + shown(input) + " broke the pipeline", e);
        } finally {
            startedNanos = 0;
        }
        String stuck = hung;
        if (stuck != null) {
            fail(entryPoint + ": no answer within " + INPUT_BOUND.toSeconds() + " s for " + stuck);
        }
        return result;
    }

    public synchronized void accepted(String entryPoint) {
        perEntryPoint.get(entryPoint)[1]++;
    }

    /** Checks a rejection's message and counts it. */
    public synchronized void rejected(String entryPoint, String message, String input) {
        perEntryPoint.get(entryPoint)[2]++;
        String problem = problemWith(message, input);
        if (problem != null) {
            fail(entryPoint + " rejection of " + shown(input) + ": " + problem + " in " + shown(String.valueOf(message)));
        }
        distinctMessages.add(hash(message));
        shapes.putIfAbsent(shape(message), message);
    }

    /** What is wrong with a rejection's message, or null: checked by hand, it runs for each of a million inputs. */
    static String problemWith(String message, String input) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        if (message.length() > MAX_MESSAGE) {
            return "a message of " + message.length() + " characters";
        }
        for (int i = 0; i < message.length(); ) {
            int c = message.codePointAt(i);
            if (invisible(c)) {
                return String.format(Locale.ROOT, "an invisible or control character U+%04X", c);
            }
            i += Character.charCount(c);
        }
        if (GENERIC.contains(message.strip().toLowerCase(Locale.ROOT))) {
            return "a catch-all message";
        }
        if (EXCEPTION_TEXT.matcher(message).find()) {
            return "an exception's text";
        }
        if (NULL_WORD.matcher(message).find() && !input.toLowerCase(Locale.ROOT).contains("null")) {
            return "a null leaked into the message";
        }
        return null;
    }

    public synchronized long inputs() {
        return inputs;
    }

    /** Prints the figures and writes them to {@code target/fuzz/NAME.txt}. */
    public synchronized void report() {
        watchdog.interrupt();
        StringBuilder out = new StringBuilder();
        long seconds = Math.max(1, Duration.between(started, Instant.now()).toSeconds());
        out.append(String.format(Locale.ROOT, "fuzz %s: %d inputs in %d s (%s mode), %d distinct rejection messages,"
                        + " %d distinct message shapes%n", name, inputs, seconds, LongModeTries.longMode() ? "long" : "bounded",
                distinctMessages.size(), shapes.size()));
        perEntryPoint.forEach((entry, counts) -> out.append(String.format(Locale.ROOT,
                "  %-16s %9d inputs, %9d commands, %9d rejected%n", entry, counts[0], counts[1], counts[2])));
        out.append("message shapes (one example each):\n");
        shapes.values().forEach(m -> out.append("  ").append(m.length() > 160 ? m.substring(0, 160) + "…" : m).append('\n'));
        System.out.print(out.toString().lines().limit(12).map(l -> l + "\n").reduce("", String::concat));
        try {
            Path dir = Path.of("target", "fuzz");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".txt"), out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(inputs).as("inputs fed").isPositive();
    }

    /** The message without what it quotes or counts: "no app named 'X' …" for every unknown app. */
    static String shape(String message) {
        return NUMBER.matcher(QUOTED.matcher(message).replaceAll("Q")).replaceAll("N");
    }

    private static long hash(String message) {
        long h = 1125899906842597L;
        for (int i = 0; i < message.length(); i++) {
            h = 31 * h + message.charAt(i);
        }
        return h ^ ((long) message.hashCode() << 32);
    }

    private static boolean invisible(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** An input as a one-line Java-ish literal, shortened. */
    public static String shown(String input) {
        StringBuilder out = new StringBuilder("\"");
        input.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c > 0x7e) {
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(input.length() > 200 ? "…(" + input.length() + " chars)\"" : "\"").toString();
    }
}
