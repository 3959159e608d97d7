package io.opsbot.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Migrates an EMPTY H2 database (a fresh {@code $OPSBOT_HOME}, a new in-memory journal) from the bundled scripts
 * without starting Flyway, and writes Flyway's schema history exactly as Flyway writes it: the table with its
 * marker row and index, then one row per script (rank, version, description, type SQL, script name, Flyway's
 * checksum, user, duration, success). Flyway's own start-up on a fresh database (its configuration, plugins,
 * database detection, SQL parser, validation: some 400 classes run once, interpreted) costs about three times the
 * scripts themselves, and a fresh home's journal is on the Slack bot's critical path to ready.
 *
 * <p>Anything but a database with nothing in it — any table, view, sequence, domain or routine in the schema, another
 * schema, a script it cannot place, PostgreSQL — is left to Flyway, as is the next upgrade: Flyway then reads this
 * history as its own ({@code FreshSchemaTest} proves it against Flyway itself, checksum by checksum). Two processes
 * opening one fresh file at once: the history table is created without {@code IF NOT EXISTS}, so only one of them
 * migrates here; the other's create fails and it hands the database to Flyway, as both did before.
 */
final class FreshSchema {

    /** Flyway's history table on H2 (FluentConfiguration's default name), its index and its marker row. */
    static final String HISTORY_TABLE = "flyway_schema_history";
    /** H2's error code for CREATE TABLE of a table that exists. */
    private static final int TABLE_EXISTS = 42101;

    private FreshSchema() {
    }

    /**
     * Migrates the database of {@code connection} when it is an empty H2 one; false (nothing done) when Flyway must
     * decide. A script that fails throws, with the script's name; the history then lists the scripts run before it,
     * and the next open hands the database to Flyway.
     *
     * @param bundled version → script name, as {@link SchemaVersion#bundled} lists them from {@code locations}
     */
    static boolean migrate(Connection connection, ClassLoader loader, List<String> locations, Map<String, String> bundled,
                           String jdbcUrl) throws SQLException {
        if (!"h2".equals(JdbcJournal.vendorOf(jdbcUrl)) || !jdbcUrl.toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:h2:")) {
            return false;
        }
        Optional<List<Script>> scripts = place(loader, locations, bundled);
        if (scripts.isEmpty() || !empty(connection)) {
            return false;
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try {
            String schema = quote(currentSchema(connection));
            String history = schema + "." + quote(HISTORY_TABLE);
            String user = currentUser(connection);
            try (Statement s = connection.createStatement()) {
                // Flyway's own DDL for H2 (H2Database.getRawCreateScript), without IF NOT EXISTS: the claim
                s.execute("CREATE TABLE " + history + " (\n"
                        + "    \"installed_rank\" INT NOT NULL,\n"
                        + "    \"version\" VARCHAR(50),\n"
                        + "    \"description\" VARCHAR(200) NOT NULL,\n"
                        + "    \"type\" VARCHAR(20) NOT NULL,\n"
                        + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                        + "    \"checksum\" INT,\n"
                        + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                        + "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
                        + "    \"execution_time\" INT NOT NULL,\n"
                        + "    \"success\" BOOLEAN NOT NULL,\n"
                        + "    CONSTRAINT " + quote(HISTORY_TABLE + "_pk") + " PRIMARY KEY (\"installed_rank\")\n"
                        + ") AS SELECT -1, NULL, '<< Flyway Schema History table created >>', 'TABLE', '', NULL, "
                        + literal(user) + ", CURRENT_TIMESTAMP, 0, TRUE");
            } catch (SQLException e) {
                if (e.getErrorCode() == TABLE_EXISTS) {
                    return false; // another process is migrating it: Flyway decides, as before
                }
                throw e;
            }
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE INDEX " + schema + "." + quote(HISTORY_TABLE + "_s_idx") + " ON " + history + " (\"success\")");
            }
            int rank = 1;
            for (Script script : scripts.get()) {
                long start = System.nanoTime();
                // H2's own script reader splits the statements (comments, quotes), each run as any statement is: no
                // admin right needed, unlike RUNSCRIPT
                try (InputStream in = loader.getResourceAsStream(script.path())) {
                    if (in == null) {
                        throw new IllegalStateException("no " + script.path() + " on the class path");
                    }
                    org.h2.tools.RunScript.execute(connection, new InputStreamReader(in, StandardCharsets.UTF_8));
                } catch (SQLException | IOException e) {
                    throw new IllegalStateException("migration " + script.name() + " failed: " + e.getMessage(), e);
                }
                int millis = (int) ((System.nanoTime() - start) / 1_000_000);
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + history
                        + " (\"installed_rank\", \"version\", \"description\", \"type\", \"script\", \"checksum\", \"installed_by\","
                        + " \"execution_time\", \"success\") VALUES (?, ?, ?, 'SQL', ?, ?, ?, ?, TRUE)")) {
                    insert.setInt(1, rank++);
                    insert.setString(2, script.version());
                    insert.setString(3, script.description());
                    insert.setString(4, script.name());
                    insert.setInt(5, checksum(loader, script.path()));
                    insert.setString(6, user);
                    insert.setInt(7, millis);
                    insert.executeUpdate();
                }
            }
            return true;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** One bundled script: its class path and Flyway's names for it. */
    record Script(String path, String name, String version, String description) {
    }

    /**
     * The scripts in version order (numerically, part by part, as Flyway orders them), each a direct child of exactly
     * one location; empty when one is not (Flyway's scan then finds it).
     */
    static Optional<List<Script>> place(ClassLoader loader, List<String> locations, Map<String, String> bundled) {
        List<Script> scripts = new ArrayList<>();
        for (String name : bundled.values()) {
            Optional<String> location = SchemaVersion.locationOf(loader, locations, name);
            if (location.isEmpty()) {
                return Optional.empty();
            }
            String found = location.get() + "/" + name;
            int separator = name.indexOf("__");
            if (!name.startsWith("V") || separator < 2 || !name.endsWith(".sql")) {
                return Optional.empty();
            }
            String version = name.substring(1, separator).replace('_', '.');
            String description = name.substring(separator + 2, name.length() - ".sql".length()).replace('_', ' ');
            scripts.add(new Script(found, name, version, description));
        }
        scripts.sort(Comparator.comparing(Script::version, FreshSchema::compareVersions));
        return scripts.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(scripts));
    }

    /** 2 before 10, 1.1 after 1: part by part, as numbers. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Nothing in the current schema, and no schema but it and H2's own: what Flyway calls a fresh database. */
    static boolean empty(Connection connection) throws SQLException {
        String[] queries = {
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA",
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_SCHEMA = CURRENT_SCHEMA",
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.DOMAINS WHERE DOMAIN_SCHEMA = CURRENT_SCHEMA",
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.ROUTINES WHERE ROUTINE_SCHEMA = CURRENT_SCHEMA",
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME NOT IN (CURRENT_SCHEMA, 'INFORMATION_SCHEMA')",
        };
        try (Statement s = connection.createStatement()) {
            for (String query : queries) {
                try (ResultSet rows = s.executeQuery(query)) {
                    if (!rows.next() || rows.getLong(1) != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Flyway's checksum of a script: CRC-32 over the UTF-8 bytes of each line, without line breaks or a BOM. */
    static int checksum(ClassLoader loader, String path) {
        CRC32 crc = new CRC32();
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no " + path + " on the class path");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            boolean first = true;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (first && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                first = false;
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return (int) crc.getValue();
    }

    private static String currentSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SELECT CURRENT_SCHEMA")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Who Flyway names in installed_by: the database's current user. */
    private static String currentUser(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SELECT USER()")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
