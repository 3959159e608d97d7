package io.opsbot.bot.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * One event as logback.xml writes it: {@code %d{ISO8601} %-5level [%thread] %logger{24} %msg%n} to the file,
 * {@code %-5level %logger{24} %msg%n} to stderr, a throwable's stack trace after the line. {@code LogLineTest} holds
 * the two to Logback's own layout.
 */
record LogLine(long epochMillis, String level, String thread, String logger, String message, Throwable thrown) {

    /** logback.xml's {@code %logger{24}}. */
    static final int LOGGER_WIDTH = 24;

    /** The line in opsbot.log: local time, level, thread, logger, message. */
    String forFile(TimeZone zone) {
        StringBuilder line = new StringBuilder(80 + message.length());
        appendTimestamp(line, epochMillis, zone);
        line.append(' ');
        return appendRest(line.append(padded(level)).append(" [").append(thread).append("] ")).toString();
    }

    /** The line on stderr (errors only): level, logger, message. */
    String forStderr() {
        return appendRest(new StringBuilder(40 + message.length()).append(padded(level)).append(' ')).toString();
    }

    private StringBuilder appendRest(StringBuilder line) {
        line.append(abbreviate(logger, LOGGER_WIDTH)).append(' ').append(message).append(System.lineSeparator());
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line;
    }

    private static String padded(String level) {
        return level.length() >= 5 ? level : level + " ".repeat(5 - level.length());
    }

    /** {@code yyyy-MM-dd HH:mm:ss,SSS} in {@code zone}, as Logback's {@code %d{ISO8601}}. */
    static void appendTimestamp(StringBuilder out, long epochMillis, TimeZone zone) {
        long local = epochMillis + zone.getOffset(epochMillis);
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(local, 1000), 0, ZoneOffset.UTC);
        out.append(t.getYear()).append('-');
        two(out, t.getMonthValue()).append('-');
        two(out, t.getDayOfMonth()).append(' ');
        two(out, t.getHour()).append(':');
        two(out, t.getMinute()).append(':');
        two(out, t.getSecond()).append(',');
        int millis = (int) Math.floorMod(local, 1000);
        if (millis < 100) {
            out.append('0');
        }
        two(out, millis);
    }

    private static StringBuilder two(StringBuilder out, int value) {
        return (value < 10 ? out.append('0') : out).append(value);
    }

    /**
     * A logger's name shortened towards {@code width} as Logback's {@code %logger{width}} does: whole when shorter
     * than the width; otherwise its packages cut to their first letter, leftmost first (the first always), until it
     * fits or only the class's own name is left whole.
     */
    static String abbreviate(String name, int width) {
        if (name.length() < width) {
            return name;
        }
        int lastDot = name.lastIndexOf('.');
        if (lastDot < 0) {
            return name;
        }
        int toCut = name.length() - width;
        int cut = 0;
        StringBuilder out = new StringBuilder(width);
        int segmentStart = 0;
        while (segmentStart <= lastDot) {
            int dot = name.indexOf('.', segmentStart);
            if (segmentStart > 0 && cut >= toCut) {
                out.append(name, segmentStart, dot + 1);
            } else {
                out.append(name, segmentStart, Math.min(segmentStart + 1, dot)).append('.');
                cut += Math.max(0, dot - segmentStart - 1);
            }
            segmentStart = dot + 1;
        }
        return out.append(name, lastDot + 1, name.length()).toString();
    }
}
