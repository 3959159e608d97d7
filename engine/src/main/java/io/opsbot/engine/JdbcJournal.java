package io.opsbot.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The journal in a SQL database: an embedded H2 file by default, PostgreSQL when the JDBC URL says so. The schema
 * is created and upgraded by Flyway (db/migration); an empty H2 database is created from the same scripts without
 * starting Flyway ({@link FreshSchema}), its history as Flyway writes it. Thread-safe: each call borrows its own
 * connection.
 */
public final class JdbcJournal implements Journal {

    // each statement once: a transition, an operation's end and a lock's release are written alone or in one commit
    private static final String INSERT_TRANSITION = "INSERT INTO step_transitions "
            + "(operation_id, step_index, description, state, detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String FINISH_OPERATION = "UPDATE operations SET state = ?, summary = ?, finished_at = ? WHERE id = ?";
    private static final String UNLOCK = "DELETE FROM resource_locks WHERE resource = ? AND operation_id = ?";

    private static final String OPERATION_COLUMNS =
            "id, kind, title, requester, channel, command_text, resources, plan, state, started_at, finished_at, summary, recovered_at";

    static {
        // AUTO_SERVER and the socket file lock open listening sockets, on every interface unless H2 is told
        // otherwise before its first use; the journal is for local processes only.
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
    }

    /** SQLSTATE of a duplicate key, in H2 and in PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final ConnectionPool pool;
    private final Clock clock;

    private JdbcJournal(ConnectionPool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * An embedded H2 database in {@code file} (H2 adds ".mv.db"). AUTO_SERVER lets a second local process (say,
     * an admin command) open the same file while the bot runs (over loopback); FILE_LOCK=SOCKET lets a restart
     * after a crash see at once that the lock is stale; WRITE_DELAY=0 puts every commit on disk at once, so a
     * killed process loses no transition it had recorded.
     */
    public static JdbcJournal h2(Path file) {
        return h2(file, JournalTimeouts.DEFAULTS);
    }

    /** {@link #h2(Path)} with the given bounds on waiting for the database (see {@link JournalTimeouts}). */
    public static JdbcJournal h2(Path file, JournalTimeouts timeouts) {
        return open(h2Url(file), "sa", "", timeouts, Clock.systemUTC());
    }

    /** The JDBC URL {@link #h2(Path)} opens: what another user of the same database (Quartz) connects with. */
    public static String h2Url(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.endsWith(".mv.db")) {
            path = path.substring(0, path.length() - ".mv.db".length());
        }
        return "jdbc:h2:file:" + path + ";AUTO_SERVER=TRUE;FILE_LOCK=SOCKET;WRITE_DELAY=0";
    }

    /**
     * Why a configured journal URL would not be crash-safe (an H2 URL with WRITE_DELAY or FILE_LOCK=NO), for the
     * configuration check at start; empty when it is fine or made so.
     */
    public static Optional<String> crashSafetyProblem(String jdbcUrl) {
        try {
            H2Url.crashSafe(jdbcUrl);
            return Optional.empty();
        } catch (OpsException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A private in-memory H2 journal, gone when closed: for tests and dry runs. */
    public static JdbcJournal inMemory() {
        return open("jdbc:h2:mem:journal-" + UUID.randomUUID(), "sa", "");
    }

    /**
     * PostgreSQL for "jdbc:postgresql:…", H2 for any other URL; the schema is migrated before it returns. A configured
     * H2 URL is made as crash-safe as the default file ({@link H2Url#crashSafe}), or refused.
     */
    public static JdbcJournal open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, JournalTimeouts.DEFAULTS, Clock.systemUTC());
    }

    /** {@link #open(String, String, String)} with the given bounds on waiting for the database. */
    public static JdbcJournal open(String jdbcUrl, String user, String password, JournalTimeouts timeouts) {
        return open(jdbcUrl, user, password, timeouts, Clock.systemUTC());
    }

    /** The URL every user of the journal's database connects with: crash-safe (H2) and bounded in its waits. */
    public static String effectiveUrl(String configuredUrl, JournalTimeouts timeouts) {
        return timeouts.applyTo(H2Url.crashSafe(configuredUrl));
    }

    /**
     * The database answered and refused: SQLSTATE class 28 (invalid authorization: a wrong user or password) or
     * 3D000 (no such database). Anything else (refused connections, timeouts) may pass and is waited for.
     */
    static boolean refusedForGood(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("28") || sql.getSQLState().equals("3D000"))) {
                return true;
            }
        }
        return false;
    }

    /** @param clock stamps step transitions and ends */
    public static JdbcJournal open(String configuredUrl, String user, String password, Clock clock) {
        return open(configuredUrl, user, password, JournalTimeouts.DEFAULTS, clock);
    }

    /** @param clock stamps step transitions and ends; @param timeouts bound every wait on the database */
    public static JdbcJournal open(String configuredUrl, String user, String password, JournalTimeouts timeouts, Clock clock) {
        String jdbcUrl = effectiveUrl(configuredUrl, timeouts);
        ConnectionPool pool = new ConnectionPool(jdbcUrl, user, password, timeouts);
        try {
            // One connection held from the start keeps an in-memory H2 database alive while Flyway connects.
            try {
                pool.call(connection -> connection.isValid(5));
            } catch (OpsException unreachable) {
                Throwable cause = unreachable.getCause() != null ? unreachable.getCause() : unreachable;
                if (refusedForGood(unreachable)) {
                    // a wrong password or database name is the configuration's, not a database that is down:
                    // waiting for it would wait for ever, so the start fails at once with the database's reason
                    throw new OpsException("the journal at " + H2Url.withoutSecrets(configuredUrl) + " refused opsbot ("
                            + cause.getMessage() + "): check journal.url, journal.user and journal.password", unreachable);
                }
                throw new JournalUnavailableException("the journal at " + H2Url.withoutSecrets(configuredUrl)
                        + " cannot be reached (" + cause.getMessage() + "), and opsbot runs nothing it cannot record",
                        unreachable);
            }
            if (H2Url.isPersistentH2(jdbcUrl)) {
                // A server (jdbc:h2:tcp:) keeps its own setting: check what the database really does.
                int writeDelay = pool.call(H2Url::writeDelay);
                if (writeDelay != 0) {
                    throw new OpsException("the journal at " + H2Url.withoutSecrets(configuredUrl) + " delays writing commits by "
                            + writeDelay + " ms (H2's WRITE_DELAY), so a crash would lose what it had recorded: run `SET WRITE_DELAY 0` "
                            + "on that database, or use a jdbc:h2:file: URL");
                }
            }
            // portable migrations, and the few that differ per database (Quartz's tables) from db/vendor/h2 or
            // db/vendor/postgresql, numbered in the same sequence as db/migration (Flyway's own {vendor}
            // placeholder is not in the community edition)
            List<String> locations = List.of("db/migration", "db/vendor/" + vendorOf(jdbcUrl));
            // A schema that already has every migration of this build needs no Flyway run (a one-shot exec then
            // loads none of it); one that is behind, or that SchemaVersion cannot vouch for, gets Flyway as always.
            Optional<Map<String, String>> bundled = SchemaVersion.bundled(JdbcJournal.class.getClassLoader(), locations);
            // An empty H2 database (a fresh home) is migrated from the same scripts without starting Flyway, its history
            // written as Flyway writes it (FreshSchema); anything else is Flyway's.
            ClassLoader loader = JdbcJournal.class.getClassLoader();
            if (bundled.isEmpty() || !pool.call(connection -> SchemaVersion.current(connection, bundled.get())
                    || FreshSchema.migrate(connection, loader, locations, bundled.get(), jdbcUrl))) {
                FluentConfiguration flyway = Flyway.configure()
                        .dataSource(jdbcUrl, user, password)
                        .locations(locations.stream().map(l -> "classpath:" + l).toArray(String[]::new));
                // the bundled scripts by name: no scan of the whole class path (BundledMigrations)
                bundled.flatMap(scripts -> BundledMigrations.of(JdbcJournal.class.getClassLoader(), locations,
                                scripts.values()))
                        .ifPresent(provider -> flyway.resourceProvider(provider)
                                .javaMigrationClassProvider(BundledMigrations.NO_JAVA_MIGRATIONS));
                flyway.load().migrate();
            }
            return new JdbcJournal(pool, clock);
        } catch (RuntimeException e) {
            pool.close();
            throw e instanceof OpsException ? e : new OpsException("could not open the journal: " + e.getMessage(), e);
        }
    }

    /** The folder of db/vendor that holds this database's migrations. */
    static String vendorOf(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
    }

    @Override
    public void operationStarted(OperationEntry entry, Lease lease) {
        pool.call(connection -> {
            connection.setAutoCommit(false);
            try {
                insertOperation(connection, entry, lease);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO operation_resources (operation_id, resource) VALUES (?, ?)")) {
                    for (String resource : entry.resources().stream().distinct().toList()) {
                        insert.setString(1, entry.id());
                        insert.setString(2, resource);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                connection.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    private static void insertOperation(Connection connection, OperationEntry entry, Lease lease) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO operations (" + OPERATION_COLUMNS
                + ", owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, entry.id());
            insert.setString(2, entry.kind());
            insert.setString(3, entry.title());
            insert.setString(4, entry.origin().requester());
            insert.setString(5, entry.origin().channel());
            insert.setString(6, entry.origin().commandText());
            insert.setString(7, String.join("\n", entry.resources()));
            insert.setString(8, entry.plan());
            insert.setString(9, entry.state());
            setInstant(insert, 10, entry.startedAt());
            setInstant(insert, 11, entry.finishedAt());
            insert.setString(12, entry.summary());
            setInstant(insert, 13, entry.recoveredAt());
            insert.setString(14, lease.owner());
            setInstant(insert, 15, lease.heartbeatAt());
            insert.executeUpdate();
        }
    }

    @Override
    public void stepTransition(String operationId, int index, String description, StepState state, String detail) {
        update(INSERT_TRANSITION, operationId, index, description, state.name(), detail, clock.instant());
    }

    @Override
    public void stepTransitions(List<StepEntry> transitions) {
        if (transitions.isEmpty()) {
            return;
        }
        inTransaction(connection -> {
            insertTransitions(connection, transitions);
            return null;
        });
    }

    @Override
    public void operationFinished(String operationId, Outcome.State state, String summary, List<StepEntry> before,
                                  List<String> resources) {
        inTransaction(connection -> {
            insertTransitions(connection, before);
            try (PreparedStatement finish = prepare(connection, FINISH_OPERATION, state.name(), summary, clock.instant(),
                    operationId)) {
                // thrown inside the transaction: the held-back transitions are not written for an unknown operation
                expectOne(operationId, finish.executeUpdate());
            }
            for (String resource : resources.stream().distinct().toList()) {
                try (PreparedStatement unlock = prepare(connection, UNLOCK, resource, operationId)) {
                    unlock.executeUpdate();
                }
            }
            return null;
        });
    }

    private static void insertTransitions(Connection connection, List<StepEntry> transitions) throws SQLException {
        if (transitions.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_TRANSITION)) {
            for (StepEntry t : transitions) {
                insert.setString(1, t.operationId());
                insert.setInt(2, t.index());
                insert.setString(3, t.description());
                insert.setString(4, t.state().name());
                if (t.detail() == null) {
                    insert.setNull(5, Types.VARCHAR);
                } else {
                    insert.setString(5, t.detail());
                }
                setInstant(insert, 6, t.at());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(ConnectionPool.Work<T> work) {
        return pool.call(connection -> {
            connection.setAutoCommit(false);
            try {
                T result = work.with(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    @Override
    public void operationRecovered(String operationId, Instant at) {
        expectOne(operationId, update("UPDATE operations SET recovered_at = ? WHERE id = ?", at, operationId));
    }

    @Override
    public void operationFinished(String operationId, Outcome.State state, String summary) {
        expectOne(operationId, update(FINISH_OPERATION, state.name(), summary, clock.instant(), operationId));
    }

    @Override
    public List<OperationEntry> unfinished() {
        return queryOperations("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE state = ? ORDER BY seq",
                OperationEntry.RUNNING);
    }

    @Override
    public List<OperationEntry> history(String resource, int limit) {
        if (resource == null) {
            return queryOperations("SELECT " + OPERATION_COLUMNS
                    + " FROM operations ORDER BY started_at DESC, seq DESC LIMIT ?", limit);
        }
        return queryOperations("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE id IN "
                + "(SELECT operation_id FROM operation_resources WHERE resource = ?) "
                + "ORDER BY started_at DESC, seq DESC LIMIT ?", resource, limit);
    }

    @Override
    public Optional<OperationEntry> find(String operationId) {
        return queryOperations("SELECT " + OPERATION_COLUMNS + " FROM operations WHERE id = ?", operationId)
                .stream().findFirst();
    }

    @Override
    public List<StepEntry> steps(String operationId) {
        return pool.call(connection -> {
            try (PreparedStatement query = prepare(connection,
                    "SELECT operation_id, step_index, description, state, detail, recorded_at FROM step_transitions "
                            + "WHERE operation_id = ? ORDER BY seq", operationId);
                 ResultSet rows = query.executeQuery()) {
                List<StepEntry> steps = new ArrayList<>();
                while (rows.next()) {
                    steps.add(new StepEntry(rows.getString(1), rows.getInt(2), rows.getString(3),
                            StepState.valueOf(rows.getString(4)), rows.getString(5), getInstant(rows, 6)));
                }
                return List.copyOf(steps);
            }
        });
    }

    @Override
    public boolean claim(String operationId, Lease expected, String owner, Instant at) {
        // Spelled out per null (not IS NOT DISTINCT FROM ?): PostgreSQL cannot type a null parameter there.
        List<Object> parameters = new ArrayList<>(List.of(owner, at, operationId, OperationEntry.RUNNING));
        StringBuilder sql = new StringBuilder("UPDATE operations SET owner = ?, heartbeat_at = ? WHERE id = ? AND state = ?");
        if (expected.owner() == null) {
            sql.append(" AND owner IS NULL");
        } else {
            sql.append(" AND owner = ?");
            parameters.add(expected.owner());
        }
        if (expected.heartbeatAt() == null) {
            sql.append(" AND heartbeat_at IS NULL");
        } else {
            sql.append(" AND heartbeat_at = ?");
            parameters.add(expected.heartbeatAt());
        }
        return update(sql.toString(), parameters.toArray()) == 1;
    }

    @Override
    public Lease leaseOf(String operationId) {
        return pool.call(connection -> {
            try (PreparedStatement query = prepare(connection, "SELECT owner, heartbeat_at FROM operations WHERE id = ?",
                    operationId); ResultSet rows = query.executeQuery()) {
                return rows.next() ? new Lease(rows.getString(1), getInstant(rows, 2)) : Lease.NONE;
            }
        });
    }

    @Override
    public void heartbeat(String owner, Instant at) {
        pool.call(connection -> {
            try (PreparedStatement operations = prepare(connection,
                    "UPDATE operations SET heartbeat_at = ? WHERE owner = ? AND state = ?", at, owner, OperationEntry.RUNNING);
                 PreparedStatement locks = prepare(connection, "UPDATE resource_locks SET heartbeat_at = ? WHERE owner = ?",
                         at, owner)) {
                operations.executeUpdate();
                locks.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public boolean requestCancel(String operationId, String requestedBy) {
        if (update("UPDATE operations SET cancel_requested_by = ? WHERE id = ? AND state = ? AND cancel_requested_by IS NULL",
                requestedBy, operationId, OperationEntry.RUNNING) == 1) {
            return true;
        }
        return find(operationId).map(e -> OperationEntry.RUNNING.equals(e.state())).orElse(false);
    }

    @Override
    public Map<String, String> cancelRequests(String owner) {
        return pool.call(connection -> {
            try (PreparedStatement query = prepare(connection, "SELECT id, cancel_requested_by FROM operations "
                    + "WHERE owner = ? AND state = ? AND cancel_requested_by IS NOT NULL", owner, OperationEntry.RUNNING);
                 ResultSet rows = query.executeQuery()) {
                Map<String, String> requests = new LinkedHashMap<>();
                while (rows.next()) {
                    requests.put(rows.getString(1), rows.getString(2));
                }
                return Map.copyOf(requests);
            }
        });
    }

    @Override
    public Optional<SharedLock> tryLock(String resource, LockHolder holder, String owner, Instant at) {
        return pool.call(connection -> {
            // A lock released between the failed insert and the read is simply tried again.
            for (int attempt = 0; attempt < 3; attempt++) {
                try (PreparedStatement insert = prepare(connection, "INSERT INTO resource_locks "
                        + "(resource, operation_id, title, requester, since, owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        resource, holder.operationId(), holder.title(), holder.requester(), holder.since(), owner, at)) {
                    insert.executeUpdate();
                    return Optional.empty();
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                }
                Optional<SharedLock> current = lockOn(connection, resource);
                if (current.isPresent()) {
                    return current;
                }
            }
            throw new SQLException("the lock on " + resource + " changed hands three times in a row");
        });
    }

    private static Optional<SharedLock> lockOn(Connection connection, String resource) throws SQLException {
        try (PreparedStatement query = prepare(connection, "SELECT operation_id, title, requester, since, owner, heartbeat_at "
                + "FROM resource_locks WHERE resource = ?", resource); ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new SharedLock(resource,
                    new LockHolder(rows.getString(1), rows.getString(2), rows.getString(3), getInstant(rows, 4)),
                    new Lease(rows.getString(5), getInstant(rows, 6))));
        }
    }

    @Override
    public boolean breakLock(SharedLock stale) {
        return update("DELETE FROM resource_locks WHERE resource = ? AND operation_id = ? AND owner = ? AND heartbeat_at = ?",
                stale.resource(), stale.holder().operationId(), stale.lease().owner(), stale.lease().heartbeatAt()) == 1;
    }

    @Override
    public void unlock(String resource, String operationId) {
        update(UNLOCK, resource, operationId);
    }

    /**
     * Chat deliveries (Slack's retried event_id/trigger_id) seen by any replica on this database within
     * {@code retryWindow}: a retry that lands on another replica runs nothing.
     */
    public Deliveries deliveries(Duration retryWindow) {
        JdbcDeliveries deliveries = new JdbcDeliveries(pool, clock, retryWindow);
        deliveries.prepare();
        return deliveries;
    }

    /** Incidents and mutes of the alerts, in the same database. */
    public io.opsbot.alerts.IncidentStore incidents() {
        return new JdbcIncidentStore(pool);
    }

    @Override
    public void close() {
        pool.close();
    }

    private List<OperationEntry> queryOperations(String sql, Object... parameters) {
        return pool.call(connection -> {
            try (PreparedStatement query = prepare(connection, sql, parameters); ResultSet rows = query.executeQuery()) {
                List<OperationEntry> entries = new ArrayList<>();
                while (rows.next()) {
                    String resources = rows.getString(7);
                    entries.add(new OperationEntry(rows.getString(1), rows.getString(2), rows.getString(3),
                            new Origin(rows.getString(4), rows.getString(5), rows.getString(6)),
                            resources.isEmpty() ? List.of() : Arrays.asList(resources.split("\n")),
                            rows.getString(8), rows.getString(9), getInstant(rows, 10), getInstant(rows, 11),
                            rows.getString(12), getInstant(rows, 13)));
                }
                return List.copyOf(entries);
            }
        });
    }

    private int update(String sql, Object... parameters) {
        return pool.call(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters)) {
                return statement.executeUpdate();
            }
        });
    }

    private static void expectOne(String operationId, int updated) {
        if (updated != 1) {
            throw new OpsException("the journal has no operation " + operationId);
        }
    }

    static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                Object value = parameters[i];
                if (value instanceof Instant instant) {
                    setInstant(statement, i + 1, instant);
                } else if (value == null) {
                    statement.setNull(i + 1, Types.VARCHAR); // only text columns are ever bound to null here
                } else {
                    statement.setObject(i + 1, value);
                }
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rows, int index) throws SQLException {
        OffsetDateTime time = rows.getObject(index, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
