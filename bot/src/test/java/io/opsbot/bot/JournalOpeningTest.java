package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.JournalUnavailableException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

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
}
