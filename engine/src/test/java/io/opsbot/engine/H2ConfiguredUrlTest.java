package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal configured as {@code journal.url: jdbc:h2:file:…} is as crash-safe as the default file, or refused. */
class H2ConfiguredUrlTest {

    @TempDir
    Path dir;

    /** What the database the journal opened really does, read through a second connection to it. */
    private int writeDelayOf(String url) throws Exception {
        try (Connection connection = DriverManager.getConnection(url + ";AUTO_SERVER=TRUE", "sa", "")) {
            return H2Url.writeDelay(connection);
        }
    }

    @Test
    void aConfiguredFileUrlWritesEveryCommitAtOnce() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("journal").toAbsolutePath();
        try (JdbcJournal journal = JdbcJournal.open(url, "sa", "")) {
            journal.operationStarted(new OperationEntry("op-000001", "scale", "scale nodeapp 3",
                    new Origin("U1", "C1", "scale nodeapp 3"), java.util.List.of("app:/nodeapp"), "", OperationEntry.RUNNING,
                    java.time.Instant.now(), null, null));
            assertThat(writeDelayOf(url)).as("H2's WRITE_DELAY of the configured journal").isZero();
        }
    }

    @Test
    void theDefaultFileAndAConfiguredOneGetTheSameSettings() {
        String url = "jdbc:h2:file:/var/lib/opsbot/journal";
        assertThat(H2Url.crashSafe(url)).isEqualTo(url + ";WRITE_DELAY=0;AUTO_SERVER=TRUE;FILE_LOCK=SOCKET");
        assertThat(H2Url.crashSafe("jdbc:h2:~/opsbot;AUTO_SERVER=FALSE")).isEqualTo("jdbc:h2:~/opsbot;AUTO_SERVER=FALSE;WRITE_DELAY=0;FILE_LOCK=SOCKET");
        assertThat(H2Url.crashSafe("jdbc:h2:file:/j;write_delay=0")).isEqualTo("jdbc:h2:file:/j;write_delay=0;AUTO_SERVER=TRUE;FILE_LOCK=SOCKET");
        assertThat(H2Url.crashSafe("jdbc:h2:tcp://db/opsbot")).isEqualTo("jdbc:h2:tcp://db/opsbot;WRITE_DELAY=0");
        assertThat(H2Url.crashSafe("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(H2Url.crashSafe("jdbc:postgresql://db/opsbot")).isEqualTo("jdbc:postgresql://db/opsbot");
    }

    @Test
    void aUrlThatDelaysCommitsIsRefusedSayingWhy() {
        assertThatThrownBy(() -> JdbcJournal.open("jdbc:h2:file:" + dir.resolve("j") + ";WRITE_DELAY=500", "sa", ""))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("journal.url sets WRITE_DELAY=500")
                .hasMessageContaining("a crash would lose operations it had recorded");
        assertThat(JdbcJournal.crashSafetyProblem("jdbc:h2:file:/j;FILE_LOCK=NO")).get().asString()
                .contains("FILE_LOCK=NO").contains("corrupt");
        assertThat(JdbcJournal.crashSafetyProblem("jdbc:h2:file:/j")).isEmpty();
    }
}
