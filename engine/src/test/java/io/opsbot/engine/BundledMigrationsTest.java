package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.resource.LoadableResource;
import org.junit.jupiter.api.Test;

class BundledMigrationsTest {

    private static final ClassLoader LOADER = BundledMigrationsTest.class.getClassLoader();
    private static final List<String> H2 = List.of("db/migration", "db/vendor/h2");

    @Test
    void handsFlywayEveryBundledScriptByNameAndNothingElse() throws Exception {
        Map<String, String> scripts = SchemaVersion.bundled(LOADER, H2).orElseThrow();
        BundledMigrations provider = BundledMigrations.of(LOADER, H2, scripts.values()).orElseThrow();

        List<String> versioned = provider.getResources("V", new String[] {".sql"}).stream()
                .map(LoadableResource::getFilename).sorted().toList();
        assertThat(versioned).containsExactlyElementsOf(scripts.values().stream().sorted().toList());
        assertThat(provider.getResources("R", new String[] {".sql"})).isEmpty();
        assertThat(provider.getResources("V", new String[] {".java"})).isEmpty();

        LoadableResource first = provider.getResource("V1__journal.sql");
        assertThat(first.getRelativePath()).isEqualTo("V1__journal.sql"); // the history's script column, as Flyway's scan names it
        try (Reader text = first.read()) {
            assertThat(new String(new java.io.BufferedReader(text).lines().toList().toString())).containsIgnoringCase("create table");
        }
        assertThat(provider.getResource("V99__missing.sql")).isNull();
    }

    @Test
    void aScriptOutsideTheLocationsLetsFlywayScanAsBefore() {
        assertThat(BundledMigrations.of(LOADER, H2, List.of("V1__journal.sql", "V9__in_a_sub_folder.sql"))).isEmpty();
    }

    @Test
    void aJournalMigratedFromTheBundledListIsCurrentAtItsNextOpen() throws Exception {
        // Flyway ran with BundledMigrations (as JdbcJournal runs it on a database that is not empty; an empty one is
        // FreshSchema's); SchemaVersion then vouches for the result, which it does only when the history names exactly
        // the bundled scripts
        String url = "jdbc:h2:mem:bundled-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Map<String, String> scripts = SchemaVersion.bundled(LOADER, H2).orElseThrow();
        org.flywaydb.core.api.configuration.FluentConfiguration flyway = org.flywaydb.core.Flyway.configure()
                .dataSource(url, "sa", "").locations("classpath:db/migration", "classpath:db/vendor/h2")
                .resourceProvider(BundledMigrations.of(LOADER, H2, scripts.values()).orElseThrow())
                .javaMigrationClassProvider(BundledMigrations.NO_JAVA_MIGRATIONS);
        assertThat(flyway.load().migrate().migrationsExecuted).isEqualTo(scripts.size());
        try (JdbcJournal journal = JdbcJournal.open(url, "sa", "", java.time.Clock.systemUTC());
             java.sql.Connection connection = java.sql.DriverManager.getConnection(url, "sa", "")) {
            assertThat(SchemaVersion.current(connection, scripts)).isTrue();
        }
    }
}
