package io.opsbot.bot.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.engine.LockHolder;
import java.time.Instant;
import java.util.List;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.Test;

/** Completion comes from the grammar and the configured names, so it follows them without a list of its own. */
class CommandCompleterTest {

    private static final KnownNames NAMES = KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"),
            List.of("node1", "node2", "node3"));
    private static final CommandParser PARSER = new CommandParser(NAMES);
    private static final List<LockHolder> RUNNING = List.of(
            new LockHolder("op-7f3a2c", "deploy nodeapp", "console:alice", Instant.parse("2026-11-26T09:00:00Z")));

    private final CommandCompleter completer = new CommandCompleter(PARSER.grammar(), NAMES, () -> RUNNING);

    private List<String> complete(String current, String... before) {
        return completer.candidates(List.of(before), current).stream().map(Candidate::value).toList();
    }

    @Test
    void theFirstWordIsEveryCommandOfTheGrammar() {
        List<String> keys = PARSER.grammar().verbs().stream().map(VerbSpec::key).toList();

        assertThat(complete("")).containsAll(keys).contains("quit");
        assertThat(keys).contains("deploy", "scale", "logs", "cancel", "who");
    }

    @Test
    void argumentsCompleteByTheirKind() {
        assertThat(complete("", "scale")).containsExactlyInAnyOrderElementsOf(NAMES.apps());
        assertThat(complete("", "move", "mongo")).containsExactlyInAnyOrderElementsOf(NAMES.nodes());
        assertThat(complete("", "status")).containsAll(NAMES.apps()).containsAll(NAMES.nodes());
        assertThat(complete("", "logs")).containsAll(NAMES.apps()).contains("marathon", "zookeeper");
        assertThat(complete("marathon@", "logs")).containsExactly("marathon@node1", "marathon@node2", "marathon@node3");
        assertThat(complete("", "help")).contains("deploy", "who");
        assertThat(complete("", "who")).containsExactly("deployed");
        assertThat(complete("", "who", "deployed")).containsExactlyInAnyOrderElementsOf(NAMES.apps());
    }

    @Test
    void cancelOffersTheRunningOperations() {
        assertThat(complete("", "cancel")).containsExactly("op-7f3a2c");
        assertThat(completer.candidates(List.of("cancel"), "").get(0).descr()).contains("deploy nodeapp");
    }

    @Test
    void flagsCompleteFromTheCommandsSpecAndNotTwice() {
        assertThat(complete("--", "deploy", "nodeapp")).containsExactlyInAnyOrder("--version", "--only", "--force", "--plan");
        assertThat(complete("--", "deploy", "nodeapp", "--plan")).containsExactlyInAnyOrder("--version", "--only", "--force");
        assertThat(complete("", "deploy", "nodeapp", "--version")).isEmpty();
        assertThat(complete("--", "logs", "nodeapp")).contains("--since", "--grep", "--lines");
        assertThat(complete("", "nosuchverb")).isEmpty();
    }
}
