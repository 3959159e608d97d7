package io.opsbot.engine;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

/**
 * The journal contract on a real PostgreSQL, named by OPSBOT_TEST_PG_URL, OPSBOT_TEST_PG_USER and
 * OPSBOT_TEST_PG_PASSWORD. Each test gets a schema of its own, dropped afterwards, so reruns start clean.
 * Without those variables it fails in CI (CI=true) and is skipped elsewhere.
 */
class PostgresJournalTest extends JournalContractTest {

    private static final String URL = System.getenv("OPSBOT_TEST_PG_URL");
    private static final String USER = System.getenv("OPSBOT_TEST_PG_USER");
    private static final String PASSWORD = System.getenv("OPSBOT_TEST_PG_PASSWORD");

    private String schema;

    /** Called before each test, so that every test reports the skip (or the failure in CI) with its reason. */
    private static void requirePostgres() {
        if (URL != null && USER != null && PASSWORD != null) {
            return;
        }
        String missing = "PostgreSQL is required for the journal tests: set OPSBOT_TEST_PG_URL "
                + "(e.g. jdbc:postgresql://127.0.0.1:5432/opsbot_test), OPSBOT_TEST_PG_USER and OPSBOT_TEST_PG_PASSWORD";
        if ("true".equals(System.getenv("CI"))) {
            fail(missing);
        }
        Assumptions.abort(missing + " (skipped: not in CI)");
    }

    @Override
    JdbcJournal openFresh() {
        requirePostgres();
        schema = "journal_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        return reopen();
    }

    @Override
    JdbcJournal reopen() {
        return JdbcJournal.open(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, USER, PASSWORD, clock);
    }

    /** On PostgreSQL too a current schema is recognised (so Flyway is skipped), and one that is behind is migrated. */
    @org.junit.jupiter.api.Test
    void aSchemaBehindIsMigratedAndThenRecognisedAsCurrent() throws SQLException {
        requirePostgres();
        schema = "journal_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        String url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        java.util.Map<String, String> bundled = SchemaVersion.bundled(getClass().getClassLoader(),
                java.util.List.of("db/migration", "db/vendor/postgresql")).orElseThrow();
        org.flywaydb.core.Flyway.configure().dataSource(url, USER, PASSWORD)
                .locations("classpath:db/migration", "classpath:db/vendor/postgresql").target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD)) {
            org.assertj.core.api.Assertions.assertThat(SchemaVersion.current(c, bundled)).isFalse();
        }
        reopen().close();
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD);
             Statement s = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThat(SchemaVersion.current(c, bundled)).isTrue();
            s.executeQuery("SELECT COUNT(*) FROM incidents").close();
        }
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(URL, USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + URL + ": " + e.getMessage(), e);
        }
    }
}
