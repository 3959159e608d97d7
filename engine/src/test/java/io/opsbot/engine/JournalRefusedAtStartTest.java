package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal that answers and refuses (wrong password, no such database) fails the start; one that is down is waited for. */
class JournalRefusedAtStartTest {

    @Test
    void aWrongPasswordIsAConfigurationErrorNotAnOutageToWaitFor(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("journal");
        JdbcJournal.open(url, "opsbot", "right").close();

        assertThatThrownBy(() -> JdbcJournal.open(url, "opsbot", "wrong"))
                .isInstanceOf(OpsException.class)
                .isNotInstanceOf(JournalUnavailableException.class)
                .hasMessageStartingWith("the journal at " + url + " refused opsbot (")
                .hasMessageEndingWith("check journal.url, journal.user and journal.password")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void onlyTheDatabasesOwnRefusalsCountAsForGood() {
        assertThat(JdbcJournal.refusedForGood(new OpsException("x", new SQLException("password authentication failed", "28P01")))).isTrue();
        assertThat(JdbcJournal.refusedForGood(new SQLException("database \"nope\" does not exist", "3D000"))).isTrue();
        assertThat(JdbcJournal.refusedForGood(new SQLException("Connection refused", "08001"))).isFalse();
        assertThat(JdbcJournal.refusedForGood(new OpsException("x", new java.net.ConnectException("refused")))).isFalse();
    }
}
