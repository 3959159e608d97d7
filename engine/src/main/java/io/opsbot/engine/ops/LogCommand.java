package io.opsbot.engine.ops;

import io.opsbot.engine.OpsException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The only command lines {@code logs} runs on a node, from a fixed table of three forms. Every argument that
 * carries a value is one single-quoted word (a quote inside written as '\''), and the values are validated
 * first: the unit comes from a fixed map, the line count and the time span are bounded numbers, the search
 * text is at most 200 characters on one line. No text typed in chat can become shell syntax.
 *
 * <ol>
 *   <li>{@code journalctl --no-pager --output=short-iso --unit=UNIT --since=-Ns --lines=N [--grep=PATTERN]}</li>
 *   <li>{@code tail --lines=N -- /var/log/remote/<app>.log}</li>
 *   <li>{@code grep --fixed-strings --ignore-case --regexp=PATTERN -- FILE | tail --lines=N}</li>
 * </ol>
 *
 * @param line the exact line the remote shell runs
 */
record LogCommand(String line) {

    /** Where the central rsyslog host writes each program's lines (its syslog tag): one file per app. */
    static final String CENTRAL_LOG_DIR = "/var/log/remote";
    static final int MAX_LINES = 500;
    static final int MAX_PATTERN = 200;
    static final Duration MAX_SINCE = Duration.ofDays(31);

    /** Chat's service names → systemd units (flocker is resolved per node: control or agent). */
    static final Map<String, String> UNITS = Map.of(
            "marathon", "marathon", "mesos-master", "mesos-master", "mesos-slave", "mesos-slave",
            "zookeeper", "zookeeper", "docker", "docker", "weave", "weave",
            "flocker-control", "flocker-control", "flocker-dataset-agent", "flocker-dataset-agent");

    // An app name is also a file name: no path separators, no leading dot or dash.
    private static final Pattern APP = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    static LogCommand journal(String unit, Duration since, int lines, String grep) {
        if (!UNITS.containsValue(unit)) {
            throw new OpsException("'" + unit + "' is not a service opsbot reads logs of; known: "
                    + String.join(", ", new java.util.TreeSet<>(UNITS.keySet())));
        }
        StringBuilder line = new StringBuilder("journalctl --no-pager --output=short-iso ")
                .append(quote("--unit=" + unit)).append(' ')
                .append(quote("--since=-" + seconds(since) + "s")).append(' ')
                .append(quote("--lines=" + lines(lines)));
        if (grep != null) {
            line.append(' ').append(quote("--grep=" + pattern(grep)));
        }
        return new LogCommand(line.toString());
    }

    static LogCommand appFile(String app, int lines, String grep) {
        String file = quote(fileOf(app));
        if (grep == null) {
            return new LogCommand("tail " + quote("--lines=" + lines(lines)) + " -- " + file);
        }
        return new LogCommand("grep --fixed-strings --ignore-case " + quote("--regexp=" + pattern(grep)) + " -- " + file
                + " | tail " + quote("--lines=" + lines(lines)));
    }

    static String fileOf(String app) {
        if (app == null || !APP.matcher(app).matches()) {
            throw new OpsException("'" + app + "' is not an app name opsbot reads logs of");
        }
        return CENTRAL_LOG_DIR + "/" + app + ".log";
    }

    static int lines(int lines) {
        if (lines < 1 || lines > MAX_LINES) {
            throw new OpsException("--lines must be between 1 and " + MAX_LINES + ", not " + lines);
        }
        return lines;
    }

    static long seconds(Duration since) {
        if (since == null || since.isNegative() || since.isZero() || since.compareTo(MAX_SINCE) > 0) {
            throw new OpsException("--since must be a duration between 1s and " + MAX_SINCE.toDays() + " days");
        }
        return Math.max(1, since.toSeconds());
    }

    /** A search text: one line, bounded, no control characters. It is quoted as well; this keeps it readable. */
    static String pattern(String text) {
        if (text.isEmpty() || text.length() > MAX_PATTERN) {
            throw new OpsException("the --grep text must be 1 to " + MAX_PATTERN + " characters long, not " + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new OpsException("the --grep text must be one line without control characters (found U+"
                        + String.format("%04X", (int) c) + ")");
            }
        }
        return text;
    }

    /** POSIX single quotes: nothing inside is special but the quote itself, written '\''. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
