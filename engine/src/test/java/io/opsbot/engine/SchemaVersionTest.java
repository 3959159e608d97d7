package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a journal skips Flyway only when the schema is current, and a schema that is behind is still migrated. */
class SchemaVersionTest {

    private static final List<String> H2_LOCATIONS = List.of("db/migration", "db/vendor/h2");

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("journal").toAbsolutePath() + ";AUTO_SERVER=TRUE;FILE_LOCK=SOCKET;WRITE_DELAY=0";
    }

    private static Map<String, String> bundled() {
        return SchemaVersion.bundled(SchemaVersionTest.class.getClassLoader(), H2_LOCATIONS).orElseThrow();
    }

    @Test
    void theBundledMigrationsAreListedByVersionWithTheirScripts() {
        Map<String, String> bundled = bundled();
        assertThat(bundled).containsEntry("1", "V1__journal.sql").containsEntry("6", "V6__quartz_tables.sql");
        assertThat(bundled.values()).allMatch(name -> name.matches("V[0-9]+__.*\\.sql"));
    }

    @Test
    void aSchemaThatIsBehindIsMigratedWhenTheJournalOpens() throws SQLException {
        // an older opsbot's journal: only the first three migrations
        Flyway.configure().dataSource(url(), "sa", "").locations("classpath:db/migration", "classpath:db/vendor/h2")
                .target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url(), "sa", "")) {
            assertThat(SchemaVersion.current(c, bundled())).isFalse();
        }

        JdbcJournal.open(url(), "sa", "").close();

        try (Connection c = DriverManager.getConnection(url(), "sa", "");
             Statement s = c.createStatement()) {
            assertThat(SchemaVersion.current(c, bundled())).isTrue();
            // V5's and V6's tables are there
            s.executeQuery("SELECT COUNT(*) FROM incidents").close();
            s.executeQuery("SELECT COUNT(*) FROM QRTZ_LOCKS").close();
        }
    }

    @Test
    void aCurrentSchemaIsOpenedWithoutFlywayAndStillWorks() throws SQLException {
        JdbcJournal.open(url(), "sa", "").close();
        try (Connection c = DriverManager.getConnection(url(), "sa", "")) {
            assertThat(SchemaVersion.current(c, bundled())).isTrue();
        }
        try (JdbcJournal reopened = JdbcJournal.open(url(), "sa", "")) {
            assertThat(reopened.history(null, 5)).isEmpty();
        }
    }

    @Test
    void anEmptyDatabaseAFailedMigrationOrAnUnknownOneIsNotCurrent() throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), "sa", "")) {
            assertThat(SchemaVersion.current(c, bundled())).as("no history table").isFalse();
        }
        JdbcJournal.open(url(), "sa", "").close();
        try (Connection c = DriverManager.getConnection(url(), "sa", "");
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '6'");
            assertThat(SchemaVersion.current(c, bundled())).as("a failed migration").isFalse();
            s.executeUpdate("UPDATE \"flyway_schema_history\" SET \"success\" = TRUE WHERE \"version\" = '6'");
            assertThat(SchemaVersion.current(c, bundled())).isTrue();
            s.executeUpdate("UPDATE \"flyway_schema_history\" SET \"script\" = 'V6__other.sql' WHERE \"version\" = '6'");
            assertThat(SchemaVersion.current(c, bundled())).as("another script under the same version").isFalse();
        }
    }

    @Test
    void migrationsAreListedInsideAJarAndAnythingButVersionedSqlMakesFlywayDecide() throws IOException {
        Path jar = dir.resolve("app.jar");
        writeJar(jar, "db/migration/", "db/migration/V1__a.sql", "db/migration/more/", "db/migration/more/V2_1__b.sql",
                "db/vendor/h2/", "db/vendor/h2/V3__c.sql");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            assertThat(SchemaVersion.bundled(loader, H2_LOCATIONS)).contains(
                    Map.of("1", "V1__a.sql", "2.1", "V2_1__b.sql", "3", "V3__c.sql"));
        }
        Path repeatable = dir.resolve("repeatable.jar");
        writeJar(repeatable, "db/migration/", "db/migration/V1__a.sql", "db/migration/R__view.sql");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {repeatable.toUri().toURL()}, null)) {
            assertThat(SchemaVersion.bundled(loader, H2_LOCATIONS)).isEmpty();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[0], null)) {
            assertThat(SchemaVersion.bundled(loader, H2_LOCATIONS)).as("no migrations found at all").isEmpty();
        }
    }

    @Test
    void aJarWithTheBuildsIndexIsReadFromItNotListed() throws IOException {
        Path jar = dir.resolve("indexed.jar");
        // the index is what counts: a file it does not name (which the listing would refuse) is not looked at
        writeJar(jar, Map.of(SchemaVersion.INDEX, "migration/V1__a.sql\nmigration/more/V2_1__b.sql\nvendor/h2/V3__c.sql\n"
                        + "vendor/postgresql/V3__c.sql\n",
                "db/migration/V1__a.sql", "SELECT 1;", "db/migration/more/V2_1__b.sql", "SELECT 1;",
                "db/vendor/h2/V3__c.sql", "SELECT 1;", "db/migration/R__not_indexed.sql", "SELECT 1;",
                "db/migration/", "", "db/migration/more/", "", "db/vendor/h2/", ""));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            assertThat(SchemaVersion.bundled(loader, H2_LOCATIONS)).contains(
                    Map.of("1", "V1__a.sql", "2.1", "V2_1__b.sql", "3", "V3__c.sql"));
        }
        Path indexedRepeatable = dir.resolve("indexed-repeatable.jar");
        writeJar(indexedRepeatable, Map.of(SchemaVersion.INDEX, "migration/V1__a.sql\nmigration/R__view.sql\n",
                "db/migration/V1__a.sql", "SELECT 1;", "db/migration/R__view.sql", "SELECT 1;", "db/migration/", ""));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {indexedRepeatable.toUri().toURL()}, null)) {
            assertThat(SchemaVersion.bundled(loader, H2_LOCATIONS)).as("a repeatable migration in the index").isEmpty();
        }
    }

    @Test
    void theBuildsIndexNamesEveryFileUnderDb() throws IOException {
        // written by engine's pom.xml (antrun, process-resources) from the folder that goes into the jar
        List<String> indexed;
        try (java.io.InputStream in = SchemaVersionTest.class.getClassLoader().getResourceAsStream(SchemaVersion.INDEX)) {
            assertThat(in).as(SchemaVersion.INDEX + " on the class path").isNotNull();
            indexed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).sorted().toList();
        }
        Path db = Path.of("src", "main", "resources", "db");
        List<String> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(db)) {
            files = walk.filter(Files::isRegularFile).map(p -> db.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        assertThat(files).contains("migration/V1__journal.sql", "vendor/h2/V6__quartz_tables.sql");
        assertThat(indexed).isEqualTo(files);
    }

    @Test
    void versionsAreComparedAsFlywayDoes() {
        assertThat(SchemaVersion.normalize("1")).isEqualTo("1");
        assertThat(SchemaVersion.normalize("1.0")).isEqualTo("1");
        assertThat(SchemaVersion.normalize("01_2")).isEqualTo("1.2");
        assertThat(SchemaVersion.normalize("10.0.1")).isEqualTo("10.0.1");
    }

    private static void writeJar(Path jar, Map<String, String> contents) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(contents).entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
    }

    private static void writeJar(Path jar, String... entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (String name : entries) {
                j.putNextEntry(new JarEntry(name));
                if (!name.endsWith("/")) {
                    j.write("SELECT 1;".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                j.closeEntry();
            }
        }
    }
}
