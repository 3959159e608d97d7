package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.JournalUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The journal opened on its own thread during a start ({@link Opsbot}) fails and closes as one opened in line. */
class JournalOpeningTest {

    @Test
    void aJournalThatCannotOpenIsTheReasonGivenEvenWhenWhatFollowsFailsToo() {
        JournalUnavailableException down = new JournalUnavailableException("the journal at x cannot be reached", null);
        JournalOpening opening = JournalOpening.start(() -> {
            throw down;
        });
        IllegalStateException later = new IllegalStateException("the cluster's clients failed");

        assertThatThrownBy(() -> opening.throwItsFailure(later)).isSameAs(down);
        assertThat(down.getSuppressed()).containsExactly(later);
        assertThatThrownBy(opening::join).isSameAs(down); // unwrapped, as the in-line open threw it
        assertThatCode(opening::closeIfOpened).doesNotThrowAnyException();
    }

    @Test
    void anOpenedJournalIsGivenOnceAndClosedWithTheRest() {
        AtomicReference<JdbcJournal> made = new AtomicReference<>();
        JournalOpening opening = JournalOpening.start(() -> {
            made.set(JdbcJournal.inMemory());
            return made.get();
        });

        assertThatCode(() -> opening.throwItsFailure(new IllegalStateException("unrelated"))).doesNotThrowAnyException();
        JdbcJournal journal = opening.join();
        assertThat(journal).isSameAs(made.get());
        assertThat(journal.history(null, 1)).isEmpty();

        opening.closeIfOpened();
        assertThatThrownBy(() -> journal.history(null, 1)).isInstanceOf(RuntimeException.class);
    }

    @TempDir
    Path dir;

    @Test
    void theDefaultJournalOpensBeforeTheConfigurationOnlyWhenTheFileCannotNameAnother() throws Exception {
        Path named = dir.resolve("named.yaml");
        Files.writeString(named, "journal:\n  url: jdbc:h2:mem:elsewhere\n");
        assertThat(JournalOpening.ofDefaultBeforeTheConfiguration(named, dir.resolve("home-a"))).isEmpty();
        assertThat(dir.resolve("home-a")).doesNotExist();
        assertThat(JournalOpening.ofDefaultBeforeTheConfiguration(dir.resolve("missing.yaml"), dir.resolve("home-b"))).isEmpty();

        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, "slack:\n  mode: http\n");
        for (Path file : new Path[] {plain, null}) {
            Path home = Files.createDirectories(dir.resolve(file == null ? "home-local" : "home-plain"));
            JournalOpening opening = JournalOpening.ofDefaultBeforeTheConfiguration(file, home).orElseThrow();
            assertThat(opening.take()).isTrue();
            assertThat(opening.take()).as("taken once").isFalse();
            JdbcJournal journal = opening.join();
            assertThat(journal.history(null, 1)).isEmpty();
            assertThat(home.resolve("journal.mv.db")).exists();
            assertThat(home.resolve("journal.lock.db")).as("H2's lock while open").exists();
            opening.closeIfOpened();
            assertThat(home.resolve("journal.lock.db")).doesNotExist();
        }
    }

    @Test
    void aBadConfigurationIsStillTheReasonGivenAndTheJournalOpenedMeanwhileIsClosed() {
        Path home = dir.resolve("home");
        Path file = dir.resolve("opsbot.yaml");
        StringWriter err = new StringWriter();
        String before = System.getProperty("opsbot.home");
        System.setProperty("opsbot.home", home.toString());
        int status;
        try {
            Files.writeString(file, "slack:\n  mode: http\n  port: not-a-port\n");
            status = Main.execute(new CommandLine(new Main()).setErr(new PrintWriter(err, true)), "--config", file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (before == null) {
                System.clearProperty("opsbot.home");
            } else {
                System.setProperty("opsbot.home", before);
            }
        }
        assertThat(status).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains("port");
        // opened beside the configuration's reading, then closed before the start returned: H2 removes its lock file
        assertThat(home.resolve("journal.mv.db")).exists();
        assertThat(home.resolve("journal.lock.db")).doesNotExist();
    }
}
