package io.opsbot.engine;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How long the journal waits for its database: {@code connect} bounds opening a connection (the TCP connect and the
 * login), {@code answer} bounds waiting for any answer on an open one. Without them a database that accepts the
 * connection and never answers (a hung server, a frozen proxy, a black-holed route) would hold a journal call — and
 * the operation, heartbeat or chat command behind it — for as long as the kernel keeps the connection: hours.
 *
 * <p>They go into the JDBC URL, so that every user of the database (the journal's pool, Flyway, Quartz) gets them:
 * PostgreSQL's {@code connectTimeout}, {@code loginTimeout} and {@code socketTimeout} (whole seconds), H2's
 * {@code NETWORK_TIMEOUT} (milliseconds; a server URL, and the file URL's AUTO_SERVER connections). A setting the URL
 * already has is kept as written.
 *
 * <p>PostgreSQL also gets a {@code statement_timeout} a second shorter than {@code answer} (through the connection's
 * {@code options}): a statement that waits on a lock another session holds is cancelled by the server itself, so it
 * leaves nothing behind. With the socket timeout alone the driver dropped the connection and the server kept the
 * statement waiting on the lock — with the locks it had taken already — until the other session let go.
 */
public record JournalTimeouts(Duration connect, Duration answer) {

    /** A journal call is a few milliseconds; 10 s to connect and 30 s for an answer only ever end a real hang. */
    public static final JournalTimeouts DEFAULTS = new JournalTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

    public JournalTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(answer, "answer");
        if (connect.toMillis() < 1000 || answer.toMillis() < 1000) {
            throw new IllegalArgumentException("journal timeouts are at least 1s (PostgreSQL counts them in whole seconds)");
        }
    }

    /** {@code url} with the timeouts it does not set itself. */
    public String applyTo(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            StringBuilder bounded = new StringBuilder(url);
            addParameter(bounded, lower, "connectTimeout", seconds(connect));
            addParameter(bounded, lower, "loginTimeout", seconds(connect));
            addParameter(bounded, lower, "socketTimeout", seconds(answer));
            // the value is URL-decoded by the driver: "-c statement_timeout=29000"
            addParameter(bounded, lower, "options", "-c%20statement_timeout%3D" + statementMillis());
            return bounded.toString();
        }
        if (H2Url.isPersistentH2(url) && !hasH2Setting(lower, "network_timeout")) {
            return url + ";NETWORK_TIMEOUT=" + answer.toMillis();
        }
        return url;
    }

    /** What a chat message says about them. */
    String describe() {
        return "connect " + io.opsbot.config.Durations.format(connect) + ", answer "
                + io.opsbot.config.Durations.format(answer) + ": journal.connectTimeout, journal.socketTimeout";
    }

    /** PostgreSQL's bound on one statement: a second less than {@code answer}, so the server cancels it first. */
    long statementMillis() {
        return Math.max(500, answer.toMillis() - 1000);
    }

    private static void addParameter(StringBuilder url, String lower, String name, Object value) {
        String key = name.toLowerCase(Locale.ROOT) + "=";
        int query = lower.indexOf('?');
        if (query >= 0) {
            for (String parameter : lower.substring(query + 1).split("&")) {
                if (parameter.startsWith(key)) {
                    return;
                }
            }
        }
        url.append(url.indexOf("?") >= 0 ? '&' : '?').append(name).append('=').append(value);
    }

    private static boolean hasH2Setting(String lower, String name) {
        for (String part : lower.split(";")) {
            if (part.trim().startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
