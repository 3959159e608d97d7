package io.opsbot.engine;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKey;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.alerts.IncidentStore;
import io.opsbot.alerts.Mute;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Incidents and mutes in the journal's database (tables of migration V5), sharing its connections. */
final class JdbcIncidentStore implements IncidentStore {

    private static final String COLUMNS = "id, kind, subject, state, event_count, first_seen, last_seen, last_reason,"
            + " agents, reconciled, opened_at, resolved_at, resolution, channel, message_ts";

    private final ConnectionPool pool;

    JdbcIncidentStore(ConnectionPool pool) {
        this.pool = pool;
    }

    @Override
    public Incident insert(Incident i) {
        return pool.call(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO incidents (kind, subject, state,"
                    + " event_count, first_seen, last_seen, last_reason, agents, reconciled, opened_at, resolved_at,"
                    + " resolution, channel, message_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                int n = bindFields(insert, i);
                insert.setString(n++, i.channel());
                insert.setString(n, i.messageTs());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("no id generated for the incident");
                    }
                    return i.withMessage(i.channel(), i.messageTs()).withIdFrom(keys.getLong(1));
                }
            }
        });
    }

    @Override
    public void update(Incident i) {
        pool.call(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE incidents SET kind = ?, subject = ?,"
                    + " state = ?, event_count = ?, first_seen = ?, last_seen = ?, last_reason = ?, agents = ?,"
                    + " reconciled = ?, opened_at = ?, resolved_at = ?, resolution = ? WHERE id = ?")) {
                int n = bindFields(update, i);
                update.setLong(n, i.id());
                return update.executeUpdate();
            }
        });
    }

    @Override
    public void attachMessage(long incidentId, String channel, String ts) {
        pool.call(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE incidents SET channel = ?, message_ts = ? WHERE id = ?")) {
                update.setString(1, channel);
                update.setString(2, ts);
                update.setLong(3, incidentId);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Incident> find(long id) {
        return query("SELECT " + COLUMNS + " FROM incidents WHERE id = ?", id).stream().findFirst();
    }

    @Override
    public List<Incident> open() {
        return query("SELECT " + COLUMNS + " FROM incidents WHERE state = 'OPEN' ORDER BY id");
    }

    @Override
    public Optional<Incident> latest(IncidentKey key) {
        return query("SELECT " + COLUMNS + " FROM incidents WHERE kind = ? AND subject = ? ORDER BY id DESC",
                key.kind().name(), key.subject()).stream().findFirst();
    }

    @Override
    public List<Incident> since(Instant since, String subject, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM incidents WHERE (state = 'OPEN' OR last_seen >= ? OR resolved_at >= ?)"
                + (subject == null ? "" : " AND subject = ?") + " ORDER BY last_seen DESC, id DESC";
        List<Incident> all = subject == null ? query(sql, since, since) : query(sql, since, since, subject);
        return all.size() > limit ? all.subList(0, limit) : all;
    }

    @Override
    public void mute(Mute mute) {
        pool.call(connection -> {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM mutes WHERE target = ?")) {
                    delete.setString(1, mute.target());
                    delete.executeUpdate();
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO mutes (target, until_at, muted_by, muted_at) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, mute.target());
                    JdbcJournal.setInstant(insert, 2, mute.until());
                    insert.setString(3, mute.by() == null ? "?" : mute.by());
                    JdbcJournal.setInstant(insert, 4, mute.at());
                    insert.executeUpdate();
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

    @Override
    public boolean unmute(String target) {
        return pool.call(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM mutes WHERE target = ?")) {
                delete.setString(1, target);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Mute> mutes(Instant now) {
        return pool.call(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT target, until_at, muted_by, muted_at FROM mutes WHERE until_at > ? ORDER BY target")) {
                JdbcJournal.setInstant(query, 1, now);
                try (ResultSet rows = query.executeQuery()) {
                    List<Mute> out = new ArrayList<>();
                    while (rows.next()) {
                        out.add(new Mute(rows.getString(1), JdbcJournal.getInstant(rows, 2), rows.getString(3), JdbcJournal.getInstant(rows, 4)));
                    }
                    return List.copyOf(out);
                }
            }
        });
    }

    private static int bindFields(PreparedStatement s, Incident i) throws SQLException {
        int n = 1;
        s.setString(n++, i.kind().name());
        s.setString(n++, i.subject());
        s.setString(n++, i.state().name());
        s.setInt(n++, i.count());
        JdbcJournal.setInstant(s, n++, i.firstSeen());
        JdbcJournal.setInstant(s, n++, i.lastSeen());
        s.setString(n++, i.lastReason());
        s.setString(n++, String.join("\n", i.agents()));
        s.setBoolean(n++, i.reconciled());
        JdbcJournal.setInstant(s, n++, i.openedAt());
        JdbcJournal.setInstant(s, n++, i.resolvedAt());
        s.setString(n++, i.resolution());
        return n;
    }

    private List<Incident> query(String sql, Object... parameters) {
        return pool.call(connection -> {
            try (PreparedStatement query = JdbcJournal.prepare(connection, sql, parameters); ResultSet rows = query.executeQuery()) {
                List<Incident> out = new ArrayList<>();
                while (rows.next()) {
                    String agents = rows.getString(9);
                    out.add(new Incident(rows.getLong(1), IncidentKind.valueOf(rows.getString(2)), rows.getString(3),
                            Incident.State.valueOf(rows.getString(4)), rows.getInt(5), JdbcJournal.getInstant(rows, 6),
                            JdbcJournal.getInstant(rows, 7), rows.getString(8),
                            agents == null || agents.isEmpty() ? List.of() : Arrays.asList(agents.split("\n")),
                            rows.getBoolean(10), JdbcJournal.getInstant(rows, 11), JdbcJournal.getInstant(rows, 12), rows.getString(13),
                            rows.getString(14), rows.getString(15)));
                }
                return List.copyOf(out);
            }
        });
    }
}
