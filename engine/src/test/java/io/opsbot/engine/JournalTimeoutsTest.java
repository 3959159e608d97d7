package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.opsbot.testing.FreezableProxy;
import java.nio.file.Path;
import java.time.Duration;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal database that hangs — accepts the connection and never answers, or stops answering in the middle of a
 * call — fails the journal's call after the configured bounds, with a message saying so, instead of holding it for as
 * long as the kernel keeps the connection. (The bot's side, an operation stopped by a PostgreSQL that freezes under it,
 * is JournalStoreFailureTest.) The bound on each test is only there so that a regression fails instead of hanging the
 * build; it is many times what the configured timeouts need.
 */
class JournalTimeoutsTest {

    private static final JournalTimeouts SHORT = new JournalTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
    /** Far above the 1-2 s bounds, so that only a hang (no bound at all) can reach it, however busy the machine. */
    private static final Duration HANG = Duration.ofSeconds(120);

    @Test
    void theBoundsGoIntoEveryKindOfUrlUnlessItSetsThemItself() {
        JournalTimeouts t = new JournalTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));
        assertThat(t.applyTo("jdbc:postgresql://db:5432/opsbot"))
                .isEqualTo("jdbc:postgresql://db:5432/opsbot?connectTimeout=10&loginTimeout=10&socketTimeout=30"
                        + "&options=-c%20statement_timeout%3D29000");
        assertThat(t.applyTo("jdbc:postgresql://db/opsbot?currentSchema=x&socketTimeout=300&options=-c%20x%3D1"))
                .isEqualTo("jdbc:postgresql://db/opsbot?currentSchema=x&socketTimeout=300&options=-c%20x%3D1&connectTimeout=10"
                        + "&loginTimeout=10");
        assertThat(t.applyTo("jdbc:h2:tcp://db/opsbot;WRITE_DELAY=0")).isEqualTo("jdbc:h2:tcp://db/opsbot;WRITE_DELAY=0;NETWORK_TIMEOUT=30000");
        assertThat(t.applyTo("jdbc:h2:tcp://db/opsbot;network_timeout=5000")).isEqualTo("jdbc:h2:tcp://db/opsbot;network_timeout=5000");
        assertThat(t.applyTo("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(JdbcJournal.effectiveUrl("jdbc:h2:file:/j", t)).contains(";WRITE_DELAY=0").endsWith(";NETWORK_TIMEOUT=30000");
        assertThatThrownBy(() -> new JournalTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A journal statement that waits on a lock another session holds (a stuck transaction, a migration, an operator's
     * psql) fails within the journal's answer bound, saying so, and is cancelled in the database: no statement of the
     * journal's is left waiting there. Before, the socket timeout dropped the connection and PostgreSQL kept the
     * statement waiting on the lock until the other session let go.
     */
    @Test
    void aStatementWaitingOnALockInPostgresqlIsCancelledThereNotLeftBehind() throws Exception {
        io.opsbot.testing.RealComponents.Postgres pg = io.opsbot.testing.RealComponents.postgres();
        String schema = "locked_" + Long.toHexString(System.nanoTime());
        String app = "opsbot-lock-test-" + Long.toHexString(System.nanoTime());
        String url = pg.jdbcUrl() + (pg.jdbcUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             java.sql.Statement adminStatement = admin.createStatement()) {
            adminStatement.execute("CREATE SCHEMA " + schema);
            try (JdbcJournal journal = JdbcJournal.open(url + "&ApplicationName=" + app, pg.user(), pg.password(),
                         new JournalTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(3)));
                 java.sql.Connection holder = java.sql.DriverManager.getConnection(url, pg.user(), pg.password());
                 java.sql.Statement hold = holder.createStatement()) {
                holder.setAutoCommit(false);
                hold.execute("LOCK TABLE resource_locks IN ACCESS EXCLUSIVE MODE");

                LockHolder lockHolder = new LockHolder("op-1", "scale nodeapp 3", "U1", java.time.Instant.now());
                assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> journal.tryLock("app:/nodeapp", lockHolder, "me",
                        java.time.Instant.now())).hasMessageContaining("did not answer in time"));
                // nothing of the journal's still waits in the database, though the other session holds the lock yet
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> waitingOnLocks(adminStatement, app) == 0);

                holder.rollback();
                assertThat(journal.tryLock("app:/nodeapp", lockHolder, "me", java.time.Instant.now())).isEmpty();
            } finally {
                adminStatement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static int waitingOnLocks(java.sql.Statement admin, String applicationName) throws java.sql.SQLException {
        try (java.sql.ResultSet rows = admin.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + applicationName + "' AND wait_event_type = 'Lock'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void aPostgresqlThatAcceptsAndNeverAnswersIsUnreachableAtStartNotWaitedOnForEver() throws Exception {
        try (FreezableProxy hole = FreezableProxy.blackHole()) {
            String url = "jdbc:postgresql://127.0.0.1:" + hole.port() + "/opsbot";
            JournalUnavailableException refused = assertTimeoutPreemptively(HANG, () -> catchUnavailable(url, "opsbot", "x"));
            assertThat(refused).hasMessageStartingWith("the journal at " + url + " cannot be reached (")
                    .hasMessageEndingWith("and opsbot runs nothing it cannot record");
            assertThat(hole.accepted()).as("connections the silent server took").isPositive();
        }
    }

    @Test
    void anH2ServerThatAcceptsAndNeverAnswersIsUnreachableAtStartNotWaitedOnForEver() throws Exception {
        try (FreezableProxy hole = FreezableProxy.blackHole()) {
            String url = "jdbc:h2:tcp://127.0.0.1:" + hole.port() + "/journal";
            JournalUnavailableException refused = assertTimeoutPreemptively(HANG, () -> catchUnavailable(url, "sa", ""));
            assertThat(refused).hasMessageStartingWith("the journal at " + url + " cannot be reached (");
            assertThat(hole.accepted()).isPositive();
        }
    }

    @Test
    void aDatabaseThatStopsAnsweringMidUseFailsTheCallSayingSoAndServesAgainOnceItAnswers(@TempDir Path dir) throws Exception {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-tcpAllowOthers", "-ifNotExists", "-baseDir", dir.toString()).start();
        try (FreezableProxy proxy = FreezableProxy.to("127.0.0.1", h2.getPort());
             JdbcJournal journal = JdbcJournal.open("jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/journal", "sa", "", SHORT)) {
            assertThat(journal.history(null, 1)).isEmpty(); // a pooled connection, now idle, through the proxy

            proxy.freeze();
            OpsException failed = assertTimeoutPreemptively(HANG, () -> {
                try {
                    journal.history(null, 1);
                    return null;
                } catch (OpsException e) {
                    return e;
                }
            });
            assertThat(failed).as("a journal call on a database that went silent").isNotNull()
                    .hasMessageStartingWith("the journal failed: its database did not answer in time (connect 1.0s, answer 2.0s: "
                            + "journal.connectTimeout, journal.socketTimeout): ");

            proxy.thaw();
            assertThat(journal.history(null, 1)).as("the journal once its database answers again").isEmpty();
        } finally {
            h2.stop();
        }
    }

    private static JournalUnavailableException catchUnavailable(String url, String user, String password) {
        try {
            JdbcJournal.open(url, user, password, SHORT).close();
            return null;
        } catch (JournalUnavailableException e) {
            return e;
        }
    }
}
