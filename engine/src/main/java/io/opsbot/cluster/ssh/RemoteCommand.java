package io.opsbot.cluster.ssh;

import io.opsbot.engine.OpsException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A command line to run on a node, built only from this fixed table with validated arguments; every argument
 * that comes from a person is single-quoted, so no text typed in chat can become shell syntax.
 */
public final class RemoteCommand {

    /** Paths of the Weave router's local HTTP API the bot may read. */
    public static final Set<String> WEAVE_PATHS = Set.of("report", "name", "status", "status/peers",
            "status/connections", "status/dns", "status/ipam", "status/targets");
    static final Set<String> WEAVE_ACCEPT = Set.of("application/json", "text/plain");

    /** A search text longer than this is not a search, and a line break could end the command. */
    static final int MAX_TEXT = 200;
    static final int MAX_LINES = 10_000;

    private static final Pattern UNIT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9@._:-]{0,99}$");
    private static final Pattern FILE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");
    private static final Pattern DIRECTORY = Pattern.compile("^(/[A-Za-z0-9._-]+)+/?$");

    private final String name;
    private final String commandLine;

    private RemoteCommand(String name, String commandLine) {
        this.name = name;
        this.commandLine = commandLine;
    }

    /** Reads the Weave router's HTTP API on the node itself (it listens on 127.0.0.1:6784 only). */
    public static RemoteCommand weaveGet(String path, String accept) {
        if (!WEAVE_PATHS.contains(path)) {
            throw new OpsException("'" + shorten(path) + "' is not a Weave status path; allowed: "
                    + String.join(", ", List.copyOf(new java.util.TreeSet<>(WEAVE_PATHS))));
        }
        if (!WEAVE_ACCEPT.contains(accept)) {
            throw new OpsException("unsupported Accept for Weave: " + shorten(accept));
        }
        return new RemoteCommand("weave-" + path.replace('/', '-'),
                "curl --silent --show-error --max-time 5 --header " + quote("Accept: " + accept) + " "
                        + quote("http://127.0.0.1:6784/" + path));
    }

    /**
     * The journal of a systemd unit: the last {@code lines} lines, optionally since a time ago and only the lines
     * containing {@code grep} ignoring case (the one rule of {@code logs --grep}, the same as for files).
     */
    public static RemoteCommand journalctl(String unit, Duration since, int lines, String grep) {
        return journalctl(unit, since, lines, grep, true);
    }

    /**
     * {@link #journalctl(String, Duration, int, String)}, the search ignoring case when {@code ignoreCase}. The
     * search is a {@code | grep --fixed-strings [--ignore-case] --regexp=TEXT | tail --lines=N} pipeline, not
     * {@code journalctl --grep}: that option needs systemd 237 built with PCRE2 (Ubuntu 16.04's systemd 229 has
     * none), takes the text as a regular expression and decides case by the text's own letters.
     */
    public static RemoteCommand journalctl(String unit, Duration since, int lines, String grep, boolean ignoreCase) {
        StringBuilder line = new StringBuilder("journalctl --no-pager --output=short-iso --unit=").append(quote(unit(unit)));
        if (since != null) {
            // At least one second: "--since=-0s" would mean "from now", an empty read.
            line.append(' ').append(quote("--since=-" + Math.max(1, positive(since).toSeconds()) + "s"));
        }
        checkLines(lines);
        if (grep == null) {
            return new RemoteCommand("journalctl", line + " --lines=" + lines);
        }
        return new RemoteCommand("journalctl", line + " | " + grep(grep, ignoreCase) + " | tail --lines=" + lines);
    }

    /** {@code unit} when it is a valid systemd unit name. */
    public static String unit(String unit) {
        if (unit == null || !UNIT.matcher(unit).matches()) {
            throw new OpsException("'" + shorten(unit) + "' is not a valid systemd unit name");
        }
        return unit;
    }

    /**
     * The end of a log file in a directory (the central rsyslog host's per-app files, or a service's own log file),
     * optionally only the lines containing {@code grep} ignoring case (the one rule of {@code logs --grep}).
     */
    public static RemoteCommand tailFile(String directory, String fileName, int lines, String grep) {
        return tailFile(directory, fileName, lines, grep, true);
    }

    /**
     * {@link #tailFile(String, String, int, String)}, the search ignoring case when {@code ignoreCase}. The
     * forms are plain GNU coreutils and grep: {@code tail -n N -- FILE} and
     * {@code grep --fixed-strings [--ignore-case] --regexp=TEXT -- FILE | tail --lines=N}.
     */
    public static RemoteCommand tailFile(String directory, String fileName, int lines, String grep, boolean ignoreCase) {
        String file = quote(path(directory, fileName));
        checkLines(lines);
        if (grep == null) {
            return new RemoteCommand("tail", "tail -n " + lines + " -- " + file);
        }
        return new RemoteCommand("tail", grep(grep, ignoreCase) + " -- " + file + " | tail --lines=" + lines);
    }

    /**
     * A literal search, the same for journals and files: {@code --fixed-strings} so no character of the text is a
     * pattern, {@code --regexp=} joined to the quoted text so a text starting with "-" is not an option.
     */
    private static String grep(String text, boolean ignoreCase) {
        return "grep --fixed-strings " + (ignoreCase ? "--ignore-case " : "") + quote("--regexp=" + text(text));
    }

    /** {@code directory/fileName}, both checked: an absolute directory without "." or ".." parts, a plain name. */
    public static String path(String directory, String fileName) {
        if (directory == null || !DIRECTORY.matcher(directory).matches() || directory.contains("/..")
                || directory.contains("/./") || directory.endsWith("/.")) {
            throw new OpsException("'" + shorten(directory) + "' is not an allowed log directory");
        }
        if (fileName == null || !FILE_NAME.matcher(fileName).matches() || fileName.contains("..")) {
            throw new OpsException("'" + shorten(fileName) + "' is not a valid log file name");
        }
        return directory.endsWith("/") ? directory + fileName : directory + "/" + fileName;
    }

    /** A short name for logs ("journalctl", "weave-report"). */
    public String name() {
        return name;
    }

    /** The exact line the remote shell runs. */
    public String commandLine() {
        return commandLine;
    }

    @Override
    public String toString() {
        return commandLine;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteCommand other && other.commandLine.equals(commandLine);
    }

    @Override
    public int hashCode() {
        return Objects.hash(commandLine);
    }

    /** POSIX single quotes: nothing inside is special except the quote itself, written as '\''. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Free text from a person: bounded, one line, no control characters (it is quoted besides). */
    public static String text(String value) {
        if (value.isEmpty() || value.length() > MAX_TEXT) {
            throw new OpsException("the --grep text must be 1 to " + MAX_TEXT + " characters long, not " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new OpsException("the --grep text must be one line without control characters (found U+"
                        + String.format("%04X", (int) c) + ")");
            }
        }
        return value;
    }

    private static void checkLines(int lines) {
        if (lines < 1 || lines > MAX_LINES) {
            throw new OpsException("lines must be between 1 and " + MAX_LINES + ", not " + lines);
        }
    }

    private static Duration positive(Duration since) {
        if (since.isNegative() || since.isZero() || since.toDays() > 366) {
            throw new OpsException("--since must be a positive duration of at most a year");
        }
        return since;
    }

    private static String shorten(String text) {
        if (text == null) {
            return "null";
        }
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "…";
    }
}
