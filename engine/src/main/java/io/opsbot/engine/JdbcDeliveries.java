package io.opsbot.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deliveries in the journal's database, shared by every replica on it: a row per delivery (its key and when it was
 * first seen), the key the primary key, so that of two replicas inserting one key exactly one succeeds. Rows older
 * than {@code window} are pruned (at most once a minute) and an expired row found on insert is replaced, so a key
 * counts as new again once the window has passed.
 *
 * <p>The table is created here if missing ({@code CREATE TABLE IF NOT EXISTS}, H2 and PostgreSQL alike), not by a
 * Flyway migration: the version this change was given (V6) is taken by Quartz's tables.
 */
final class JdbcDeliveries implements Deliveries {

    static final String TABLE = "chat_deliveries";
    /** Keys longer than this are stored as their SHA-256. */
    static final int MAX_KEY = 200;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final long PRUNE_EVERY_MILLIS = 60_000;

    private final ConnectionPool pool;
    private final Clock clock;
    private final Duration window;
    private final AtomicLong lastPrune = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean created;

    JdbcDeliveries(ConnectionPool pool, Clock clock, Duration window) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the retry window must be positive: " + window);
        }
    }

    @Override
    public boolean firstTime(String key) {
        if (key == null || key.isEmpty()) {
            return true; // nothing to recognise it by
        }
        String stored = key.length() <= MAX_KEY ? key : "sha256:" + sha256(key);
        Instant now = clock.instant();
        Instant expired = now.minus(window);
        return pool.call(connection -> {
            createOnce(connection);
            prune(connection, now, expired);
            for (int attempt = 0; attempt < 2; attempt++) {
                if (insert(connection, stored, now)) {
                    return true;
                }
                // seen: still within the window, or an expired row the pruning has not reached yet
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + TABLE + " WHERE delivery_key = ? AND first_seen <= ?")) {
                    delete.setString(1, stored);
                    JdbcJournal.setInstant(delete, 2, expired);
                    if (delete.executeUpdate() == 0) {
                        return false;
                    }
                }
            }
            return false; // another replica took the expired key in between
        });
    }

    private static boolean insert(Connection connection, String key, Instant now) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + TABLE + " (delivery_key, first_seen) VALUES (?, ?)")) {
            insert.setString(1, key);
            JdbcJournal.setInstant(insert, 2, now);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    private void prune(Connection connection, Instant now, Instant expired) throws SQLException {
        long last = lastPrune.get();
        long at = now.toEpochMilli();
        if (last != Long.MIN_VALUE && at - last < PRUNE_EVERY_MILLIS || !lastPrune.compareAndSet(last, at)) {
            return;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE first_seen <= ?")) {
            JdbcJournal.setInstant(delete, 1, expired);
            delete.executeUpdate();
        }
    }

    /**
     * Creates the table now (at start) rather than on the first delivery, so replicas do not race to create it while
     * they race for a delivery; a failure here is tried again on the first delivery.
     */
    void prepare() {
        try {
            pool.call(connection -> {
                createOnce(connection);
                return null;
            });
        } catch (RuntimeException e) {
            // the first delivery tries again, and says so if it fails too
        }
    }

    private void createOnce(Connection connection) throws SQLException {
        if (created) {
            return;
        }
        SQLException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (delivery_key VARCHAR(" + (MAX_KEY + 7)
                        + ") NOT NULL PRIMARY KEY, first_seen TIMESTAMP WITH TIME ZONE NOT NULL)");
                ddl.execute("CREATE INDEX IF NOT EXISTS " + TABLE + "_first_seen ON " + TABLE + " (first_seen)");
                created = true;
                return;
            } catch (SQLException e) {
                // PostgreSQL: another replica creating it at the same moment makes this one fail (a duplicate type or
                // relation); once theirs is committed the table is there
                failure = e;
                if (exists(connection)) {
                    created = true;
                    return;
                }
            }
        }
        throw failure;
    }

    private static boolean exists(Connection connection) {
        try (Statement probe = connection.createStatement()) {
            probe.executeQuery("SELECT 1 FROM " + TABLE + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
