package io.opsbot.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract on an embedded H2 file, the default. */
class H2JournalTest extends JournalContractTest {

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("journal").toAbsolutePath() + ";AUTO_SERVER=TRUE;FILE_LOCK=SOCKET;WRITE_DELAY=0";
    }

    @Override
    JdbcJournal openFresh() {
        return JdbcJournal.open(url(), "sa", "", clock);
    }

    @Override
    JdbcJournal reopen() {
        return JdbcJournal.open(url(), "sa", "", clock);
    }
}
