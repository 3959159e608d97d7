package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The grammar as data, and help written from it. */
class GrammarHelpTest {

    private final CommandParser parser = DemoNames.parser();
    private final Grammar grammar = parser.grammar();

    @Test
    void theGrammarHasEveryCommandOfTheDesignInHelpOrder() {
        assertThat(grammar.verbs()).extracting(VerbSpec::name).containsExactly("deploy", "scale", "restart",
                "rollback", "move", "logs", "status", "drift", "history", "who deployed", "what changed", "why", "report", "cancel",
                "incidents", "mute", "unmute", "mutes", "help");
    }

    @Test
    void everyExampleInTheGrammarParsesToACommandOfItsOwnVerb() {
        for (VerbSpec spec : grammar.verbs()) {
            for (Example example : spec.examples()) {
                Command command = parser.parse(example.text());
                assertThat(command.verb()).as(example.text()).isEqualTo(spec.name());
                assertThat(parser.parse(command.text())).as(example.text()).isEqualTo(command);
            }
        }
    }

    @Test
    void everyFlagIsShownInAnExampleOfItsCommand() {
        for (VerbSpec spec : grammar.verbs()) {
            for (Flag flag : spec.flags()) {
                assertThat(spec.exampleFor(flag.name()).text()).as("%s --%s", spec.name(), flag.name())
                        .contains("--" + flag.name());
            }
        }
    }

    @Test
    void rolesAreViewerForQueriesOperatorForChangesAndAdminForMove() {
        Map<String, Role> roles = grammar.verbs().stream().collect(Collectors.toMap(VerbSpec::name, VerbSpec::role));
        assertThat(roles).containsEntry("status", Role.VIEWER).containsEntry("logs", Role.VIEWER)
                .containsEntry("history", Role.VIEWER).containsEntry("drift", Role.VIEWER)
                .containsEntry("who deployed", Role.VIEWER).containsEntry("what changed", Role.VIEWER)
                .containsEntry("help", Role.VIEWER)
                .containsEntry("deploy", Role.OPERATOR).containsEntry("scale", Role.OPERATOR)
                .containsEntry("restart", Role.OPERATOR).containsEntry("rollback", Role.OPERATOR)
                .containsEntry("cancel", Role.OPERATOR)
                .containsEntry("move", Role.ADMIN);
        assertThat(grammar.roleFor(parser.parse("move mongo node2"))).isEqualTo(Role.ADMIN);
        assertThat(Role.ADMIN.includes(Role.OPERATOR)).isTrue();
        assertThat(Role.VIEWER.includes(Role.OPERATOR)).isFalse();
    }

    @Test
    void commandsAreFoundByTheirNameOrTheirFirstWord() {
        assertThat(grammar.verb("who")).map(VerbSpec::name).hasValue("who deployed");
        assertThat(grammar.verb(" What   Changed ")).map(VerbSpec::name).hasValue("what changed");
        assertThat(grammar.verb("deployed")).isEmpty();
    }

    @Test
    void theCommandListHasEveryCommandWithItsUsageAndAnExample() {
        String help = parser.help();
        for (VerbSpec spec : grammar.verbs()) {
            assertThat(help).contains(spec.usage() + " — " + spec.summary() + " e.g. " + spec.headlineExample().text());
        }
        assertThat(help).contains("e.g. status nodeapp").contains("e.g. what changed --since 6h")
                .contains("e.g. help deploy");
        assertThat(help).contains("deploy APP [--version V] [--only] [--force] [--plan]")
                .contains("logs TARGET [--since DURATION] [--grep TEXT] [--case] [--lines N]")
                .contains("e.g. scale nodeapp 3");
        assertThat(help.lines()).hasSize(grammar.verbs().size() + 2);
    }

    @Test
    void helpForOneCommandShowsUsageArgumentsFlagsRoleAndExamples() {
        assertThat(parser.help("scale")).isEqualTo("""
                scale APP N [--force] [--plan]
                Set how many instances of an app run. N must lie within the app's limits (limits.minInstances and\
                 limits.maxInstances in its app.yaml); fewer or more is refused. Nothing changes when it already runs\
                 that many. Scaling to 0, where the minimum allows it, asks for confirmation.
                Who: operators and admins
                Arguments:
                  APP — the app to scale; one of mongo, nginx, nodeapp
                  N — how many instances should run; a whole number from 0 to 1000
                Flags:
                  --force — override a Marathon deployment of the app that opsbot did not start (Marathon's\
                 ?force=true) instead of waiting for it (at most engine.lockWait); asks for confirmation
                  --plan — show what would change and stop; nothing changes
                Examples:
                  scale nodeapp 3 — run three instances of nodeapp
                  scale nodeapp 1 --plan — show what scaling nodeapp down to one instance would do
                  scale nodeapp 3 --force — scale now, overriding another deployment of nodeapp (asks for confirmation)""");
    }

    @Test
    void helpForOneCommandShowsDefaultsOptionalArgumentsAndAcceptedNames() {
        assertThat(parser.help("logs")).contains("--since DURATION — how far back to read; like 30s, 15m, 2h or 1d,"
                + " at most 7d (default 15m)").contains("--lines N — at most this many lines, the newest; a whole"
                + " number from 1 to 500 (default 200)").contains("docker, flocker, marathon, mesos-master");
        assertThat(parser.help("rollback")).contains("VERSION — the version to return to; without it, the list to"
                + " choose from; an image tag like 1.4.2 or a Marathon version like 2016-03-01T12:00:00.000Z (optional)")
                .contains("rollback nodeapp 1.4.2 — return nodeapp to the newest version that ran image 1.4.2");
        assertThat(parser.help("move")).contains("Who: admins only");
        assertThat(parser.help("who")).startsWith("who deployed APP\n").contains("Example:\n");
        assertThat(parser.help("WHAT changed")).contains("(default 1h)");
        assertThat(parser.help("")).isEqualTo(parser.help());
    }

    @Test
    void helpDeploySaysThatTheVersionDefaultsToTheBuildContextsHash() {
        assertThat(parser.help("deploy")).contains("--version V — the image tag to deploy; without it, a hash of the"
                + " app's build context (its Dockerfile folder), so the same source always gets the same tag;")
                .doesNotContain("configuration names");
    }

    @Test
    void everyCommandHasAHelpPage() {
        for (VerbSpec spec : grammar.verbs()) {
            assertThatCode(() -> parser.help(spec.name())).doesNotThrowAnyException();
            assertThat(parser.help(spec.name())).startsWith(spec.usage()).contains(spec.examples().get(0).text());
        }
    }

    @Test
    void examplesUseTheConfiguredNamesWhenTheDemoNamesAreMissing() {
        CommandParser other = new CommandParser(new KnownNames(Set.of("billing", "web"), Set.of("alpha", "beta"),
                Set.of("docker", "journald")));
        Function<String, List<String>> examples = verb -> other.grammar().verb(verb).orElseThrow().examples().stream()
                .map(Example::text).toList();
        assertThat(examples.apply("scale")).contains("scale billing 3");
        assertThat(examples.apply("move")).contains("move billing alpha");
        assertThat(examples.apply("logs")).contains("logs docker@alpha --grep \"connection refused\" --lines 50");
        for (VerbSpec spec : other.grammar().verbs()) {
            for (Example example : spec.examples()) {
                assertThat(other.parse(example.text()).verb()).as(example.text()).isEqualTo(spec.name());
            }
        }
        assertThat(other.help()).doesNotContain("nodeapp");
    }

    @Test
    void knownNamesAreSortedUnmodifiableAndIgnoreBlanks() {
        KnownNames names = new KnownNames(new java.util.HashSet<>(List.of("b", "a", " ", "c ")), null, Set.of());
        assertThat(names.apps()).containsExactly("a", "b", "c");
        assertThat(names.nodes()).isEmpty();
        assertThatCode(() -> names.apps().add("d")).isInstanceOf(UnsupportedOperationException.class);
    }
}
