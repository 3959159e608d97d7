package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fresh H2 journal migrated without Flyway ends exactly as Flyway would leave it, and Flyway takes it from there. */
class FreshSchemaTest {

    private static final ClassLoader LOADER = FreshSchemaTest.class.getClassLoader();
    private static final List<String> H2 = List.of("db/migration", "db/vendor/h2");

    @TempDir
    Path dir;

    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath() + ";AUTO_SERVER=TRUE;FILE_LOCK=SOCKET;WRITE_DELAY=0";
    }

    private static Map<String, String> bundled() {
        return SchemaVersion.bundled(LOADER, H2).orElseThrow();
    }

    @Test
    void aFreshDatabaseGetsTheTablesAndTheHistoryFlywayWouldWrite() throws SQLException {
        String byFlyway = url("flyway");
        Flyway.configure().dataSource(byFlyway, "sa", "").locations("classpath:db/migration", "classpath:db/vendor/h2")
                .load().migrate();
        String fresh = url("fresh");
        try (Connection c = DriverManager.getConnection(fresh, "sa", "")) {
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), fresh)).as("migrated without Flyway").isTrue();
        }

        try (Connection f = DriverManager.getConnection(byFlyway, "sa", ""); Connection o = DriverManager.getConnection(fresh, "sa", "")) {
            // every column of the history but when and how long, checksums included
            String history = "SELECT \"installed_rank\", \"version\", \"description\", \"type\", \"script\", \"checksum\","
                    + " \"installed_by\", \"success\" FROM \"flyway_schema_history\" ORDER BY 1";
            assertThat(rows(o, history)).hasSize(bundled().size() + 1).isEqualTo(rows(f, history));
            // every table, column (type, size, nullability, default), index and constraint, the history's own too
            for (String schema : List.of(
                    "SELECT TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY 1",
                    "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,"
                            + " IS_NULLABLE, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY 1, 2",
                    "SELECT TABLE_NAME, INDEX_NAME, INDEX_TYPE_NAME FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_SCHEMA = 'PUBLIC'"
                            + " AND INDEX_NAME NOT LIKE '%CONSTRAINT%' ORDER BY 1, 2",
                    "SELECT TABLE_NAME, CONSTRAINT_TYPE, COUNT(*) FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = 'PUBLIC'"
                            + " GROUP BY TABLE_NAME, CONSTRAINT_TYPE ORDER BY 1, 2",
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SEQUENCES")) {
                assertThat(rows(o, schema)).as(schema).isNotEmpty().isEqualTo(rows(f, schema));
            }
            assertThat(SchemaVersion.current(o, bundled())).isTrue();
        }
    }

    @Test
    void flywayTakesTheFreshHistoryAsItsOwnAndAppliesOnlyWhatIsNew() throws SQLException {
        String fresh = url("fresh");
        try (Connection c = DriverManager.getConnection(fresh, "sa", "")) {
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), fresh)).isTrue();
        }
        Flyway same = Flyway.configure().dataSource(fresh, "sa", "").locations("classpath:db/migration", "classpath:db/vendor/h2").load();
        same.validate(); // versions, descriptions, scripts and checksums as Flyway computes them
        assertThat(same.info().pending()).isEmpty();
        assertThat(same.migrate().migrationsExecuted).isZero();

        // the next build's migration: Flyway applies it alone on top
        MigrateResult upgrade = Flyway.configure().dataSource(fresh, "sa", "")
                .locations("classpath:db/migration", "classpath:db/vendor/h2", "classpath:db/upgrade-check").load().migrate();
        assertThat(upgrade.migrationsExecuted).isEqualTo(1);
        assertThat(upgrade.targetSchemaVersion).isEqualTo("7");
        try (Connection c = DriverManager.getConnection(fresh, "sa", ""); Statement s = c.createStatement()) {
            s.executeQuery("SELECT COUNT(*) FROM upgrade_check").close();
        }
    }

    @Test
    void theJournalOnAFreshFileIsMigratedThisWayAndOpensAgainWithoutFlyway() throws SQLException {
        String fresh = url("journal");
        try (JdbcJournal journal = JdbcJournal.open(fresh, "sa", "")) {
            assertThat(journal.history(null, 5)).isEmpty();
        }
        try (Connection c = DriverManager.getConnection(fresh, "sa", "")) {
            // Flyway's marker row and one row per script, as FreshSchema writes them
            assertThat(rows(c, "SELECT \"type\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"").get(0)).containsExactly("TABLE");
            assertThat(SchemaVersion.current(c, bundled())).isTrue();
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), fresh)).as("not empty any more").isFalse();
        }
        try (JdbcJournal reopened = JdbcJournal.open(fresh, "sa", "")) {
            assertThat(reopened.history(null, 5)).isEmpty();
        }
    }

    @Test
    void aDatabaseWithAnythingInItOrPostgresqlIsLeftToFlyway() throws SQLException {
        String used = url("used");
        try (Connection c = DriverManager.getConnection(used, "sa", ""); Statement s = c.createStatement()) {
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), "jdbc:postgresql://127.0.0.1/opsbot"))
                    .as("PostgreSQL is Flyway's").isFalse();
            s.execute("CREATE SEQUENCE someone_elses");
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), used)).as("a sequence in it").isFalse();
            s.execute("DROP SEQUENCE someone_elses");
            s.execute("CREATE SCHEMA other");
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), used)).as("another schema").isFalse();
            s.execute("DROP SCHEMA other");
            s.execute("CREATE TABLE someone_elses (id INT)");
            assertThat(FreshSchema.migrate(c, LOADER, H2, bundled(), used)).as("a table in it").isFalse();
            assertThat(rows(c, "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'"))
                    .as("nothing created").containsExactly(List.of("SOMEONE_ELSES"));
        }
    }

    @Test
    void aScriptThatFailsStopsTheMigrationWithItsNameAndKeepsWhatRanBefore() throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("cp/db/migration"));
        Files.writeString(scripts.resolve("V1__fine.sql"), "CREATE TABLE fine (id INT);\n");
        Files.writeString(scripts.resolve("V2__broken.sql"), "CREATE TABLE broken (id NOT_A_TYPE);\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("cp").toUri().toURL()}, null)) {
            Map<String, String> bundled = SchemaVersion.bundled(loader, List.of("db/migration")).orElseThrow();
            String fresh = url("broken");
            try (Connection c = DriverManager.getConnection(fresh, "sa", "")) {
                assertThatThrownBy(() -> FreshSchema.migrate(c, loader, List.of("db/migration"), bundled, fresh))
                        .hasMessageContaining("migration V2__broken.sql failed");
                assertThat(rows(c, "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'"))
                        .containsExactly(List.of("1", "TRUE"));
            }
        }
    }

    @Test
    void versionsAreOrderedAsNumbersPartByPart() {
        assertThat(FreshSchema.compareVersions("2", "10")).isNegative();
        assertThat(FreshSchema.compareVersions("1.1", "1")).isPositive();
        assertThat(FreshSchema.compareVersions("1.0", "1")).isZero();
    }

    private static List<List<String>> rows(Connection c, String query) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(r.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
