package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every way a command can be wrong, and the message the user reads in chat. */
class CommandErrorsTest {

    private final CommandParser parser = DemoNames.parser();

    private String messageFor(String text) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(text));
        assertThat(thrown).as("parsing %s", text).isInstanceOf(CommandException.class);
        return thrown.getMessage();
    }

    @Test
    void aCommandExceptionIsAnOpsExceptionForTheChat() {
        assertThatThrownBy(() -> parser.parse("sacle nodeapp 3")).isInstanceOf(OpsException.class);
    }

    @Test
    void unknownVerbSuggestsTheClosestCommand() {
        assertThat(messageFor("sacle nodeapp 3"))
                .isEqualTo("unknown command 'sacle'. Did you mean 'scale'? Type 'help' for the list.");
        assertThat(messageFor("stauts")).isEqualTo("unknown command 'stauts'. Did you mean 'status'? Type 'help' for the list.");
        assertThat(messageFor("whom deployed nodeapp")).contains("Did you mean 'who deployed'?");
    }

    @Test
    void unknownVerbWithNothingCloseListsEveryCommand() {
        assertThat(messageFor("frobnicate nodeapp")).isEqualTo("unknown command 'frobnicate'. Commands: deploy, scale,"
                + " restart, rollback, move, logs, status, drift, history, who deployed, what changed, why, report, cancel, incidents, mute,"
                + " unmute, mutes, help."
                + " Type 'help COMMAND' for details.");
    }

    @Test
    void aFlagWhereTheCommandShouldBeIsAnUnknownCommand() {
        assertThat(messageFor("--plan scale nodeapp 3")).startsWith("unknown command '--plan'.");
    }

    @Test
    void badNumberOfInstancesSaysWhatANumberIsWithAnExample() {
        assertThat(messageFor("scale nodeapp three")).isEqualTo(
                "'three' is not a number of instances: give a whole number from 0 to 1000, e.g. 'scale nodeapp 3'");
        assertThat(messageFor("scale nodeapp 2.5")).startsWith("'2.5' is not a number of instances");
    }

    @Test
    void negativeOrTooLargeNumbersSayTheAllowedRange() {
        assertThat(messageFor("scale nodeapp -1")).isEqualTo("'-1' is out of range: the number of instances must be"
                + " a whole number from 0 to 1000, e.g. 'scale nodeapp 3'");
        assertThat(messageFor("scale nodeapp 1001")).contains("'1001' is out of range").contains("from 0 to 1000");
        assertThat(messageFor("scale nodeapp 99999999999999999999999")).contains("is out of range")
                .contains("from 0 to 1000");
    }

    @Test
    void unknownAppListsTheKnownAppsAndSuggestsTheClosest() {
        assertThat(messageFor("scale nodap 3"))
                .isEqualTo("no app named 'nodap' (did you mean 'nodeapp'?); known apps: mongo, nginx, nodeapp");
        assertThat(messageFor("restart redis")).isEqualTo("no app named 'redis'; known apps: mongo, nginx, nodeapp");
    }

    @Test
    void unknownNodeListsTheKnownNodes() {
        assertThat(messageFor("move mongo node7")).isEqualTo("no node named 'node7'; known nodes: node1, node2, node3");
        assertThat(messageFor("move mongo nod3"))
                .isEqualTo("no node named 'nod3' (did you mean 'node3'?); known nodes: node1, node2, node3");
    }

    @Test
    void unknownStatusTargetListsAppsAndNodes() {
        assertThat(messageFor("status mars")).isEqualTo("no app or node named 'mars'; known apps: mongo, nginx,"
                + " nodeapp; known nodes: node1, node2, node3");
    }

    @Test
    void unknownLogTargetListsAppsAndServices() {
        assertThat(messageFor("logs marathn")).isEqualTo("no app or service named 'marathn' (did you mean"
                + " 'marathon'?); known apps: mongo, nginx, nodeapp; known services: docker, flocker, marathon,"
                + " mesos-master, mesos-slave, weave, zookeeper");
        assertThat(messageFor("logs dockr@node2")).startsWith("no service named 'dockr' (did you mean 'docker'?)");
        assertThat(messageFor("logs docker@node9")).isEqualTo("no node named 'node9'; known nodes: node1, node2, node3");
        assertThat(messageFor("logs docker@")).contains("needs a service before the @ and a node after it");
    }

    @Test
    void anAppsLogsCannotBeAskedForOnOneNode() {
        assertThat(messageFor("logs nodeapp@node2")).startsWith("an app's logs come from the central log host")
                .contains("use 'logs nodeapp'");
    }

    @Test
    void manyKnownNamesAreCutShort() {
        List<String> apps = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "app" + (100 + i)).toList();
        CommandParser big = new CommandParser(KnownNames.withDefaultServices(apps, List.of("node1")));
        assertThat(big.parse("restart app120")).isEqualTo(new Command.Restart("app120"));
        assertThat(catchMessage(big, "restart zzz")).endsWith("app119 and 30 more");
    }

    @Test
    void aServiceTheInventoryAddsIsKnownToLogs() {
        CommandParser withHaproxy = new CommandParser(KnownNames.withDefaultServices(List.of("nodeapp"), List.of("node1"),
                List.of("haproxy")));
        assertThat(withHaproxy.parse("logs haproxy@node1")).isEqualTo(new Command.Logs("haproxy", Optional.of("node1")));
        assertThat(catchMessage(DemoNames.parser(), "logs haproxy")).startsWith("no app or service named 'haproxy'");
    }

    @Test
    void noConfiguredAppsSaysSo() {
        CommandParser empty = new CommandParser(new KnownNames(Set.of(), Set.of(), Set.of()));
        assertThat(catchMessage(empty, "restart nodeapp")).isEqualTo("no app named 'nodeapp'; no apps are configured");
    }

    @Test
    void missingArgumentsNameWhatIsMissingWithUsageAndExample() {
        assertThat(messageFor("scale"))
                .isEqualTo("scale needs an app and a number of instances: scale APP N, e.g. scale nodeapp 3");
        assertThat(messageFor("scale nodeapp"))
                .isEqualTo("scale also needs a number of instances: scale APP N, e.g. scale nodeapp 3");
        assertThat(messageFor("move mongo")).isEqualTo("move also needs a node: move APP NODE, e.g. move mongo node3");
        assertThat(messageFor("cancel")).isEqualTo("cancel needs an operation id: cancel OP, e.g. cancel op-7f3a2c");
        assertThat(messageFor("who deployed")).startsWith("who deployed needs an app: who deployed APP");
    }

    @Test
    void aTwoWordCommandWithoutItsSecondWordSaysWhichWord() {
        assertThat(messageFor("who nodeapp"))
                .isEqualTo("who needs 'deployed' next: who deployed APP, e.g. who deployed nodeapp");
        assertThat(messageFor("what")).startsWith("what needs 'changed' next: what changed [--since DURATION]");
    }

    @Test
    void tooManyArgumentsSayWhichAreExtra() {
        assertThat(messageFor("restart nodeapp now"))
                .isEqualTo("restart takes an app; 'now' is one argument too many: restart APP [--force], e.g. restart nodeapp --force");
        assertThat(messageFor("drift nodeapp nginx mongo")).startsWith("drift takes an optional app; 'nginx mongo' are"
                + " 2 arguments too many");
        assertThat(messageFor("what changed in the last hour")).startsWith("what changed takes no arguments;");
    }

    @Test
    void aNodeAfterALogTargetHintsAtServiceAtNode() {
        assertThat(messageFor("logs docker node2")).contains("write SERVICE@NODE, e.g. logs docker@node2");
    }

    @Test
    void unknownFlagListsTheFlagsTheCommandTakes() {
        assertThat(messageFor("deploy nodeapp --forse"))
                .isEqualTo("deploy has no flag '--forse' (did you mean '--force'?); it takes: --version V, --only, --force, --plan");
        assertThat(messageFor("scale nodeapp 3 --pln"))
                .isEqualTo("scale has no flag '--pln' (did you mean '--plan'?); it takes: --force, --plan");
        assertThat(messageFor("drift nodeapp --plan"))
                .isEqualTo("drift takes no flags, so '--plan' is not one: drift [APP], e.g. drift");
        assertThat(messageFor("logs nodeapp -n 5")).startsWith("logs has no flag '-n';");
    }

    @Test
    void aFlagWithoutItsValueSaysWhatValueItNeeds() {
        assertThat(messageFor("logs nodeapp --since"))
                .isEqualTo("--since needs a duration, e.g. 'logs marathon --since 1h'");
        assertThat(messageFor("logs nodeapp --grep --lines 5")).startsWith("--grep needs some text to look for, e.g.");
        assertThat(messageFor("logs nodeapp --grep \"\"")).startsWith("--grep needs some text to look for");
        assertThat(messageFor("deploy nodeapp --version=")).startsWith("--version needs a version, e.g. 'deploy"
                + " nodeapp --version 1.4.2 --plan'");
    }

    @Test
    void aSwitchGivenAValueOrAFlagGivenTwiceIsRefused() {
        assertThat(messageFor("deploy nodeapp --plan=yes")).isEqualTo("--plan takes no value: write just --plan");
        assertThat(messageFor("logs nodeapp --since 1h --since 2h")).isEqualTo("--since is given twice; give it once");
    }

    @Test
    void badDurationsSayTheFormAndTheLimit() {
        assertThat(messageFor("logs nodeapp --since 10x")).isEqualTo("--since: '10x' is not a duration: give a number"
                + " and a unit (s, m, h or d), e.g. 30s, 15m, 2h, 1d; at most 7d");
        assertThat(messageFor("logs nodeapp --since 90")).contains("'90' is not a duration");
        assertThat(messageFor("what changed --since 8d")).isEqualTo("--since: '8d' is more than 7d: give at most 7d,"
                + " e.g. 2h or 1d");
        assertThat(messageFor("what changed --since 7d1s")).contains("is more than 7d");
        assertThat(messageFor("logs nodeapp --since 0m")).startsWith("--since: '0m' is too short: give at least 1s");
        assertThat(messageFor("logs nodeapp --since 999999999d")).contains("is more than 7d");
    }

    @Test
    void badLineCountsSayTheRange() {
        assertThat(messageFor("logs nodeapp --lines 0")).startsWith("--lines: '0' is out of range: the number of lines"
                + " must be a whole number from 1 to 500, e.g. 'logs docker@node2");
        assertThat(messageFor("logs nodeapp --lines 501")).startsWith("--lines: '501' is out of range: the number of lines"
                + " must be a whole number from 1 to 500");
        assertThat(parser.parse("logs nodeapp --lines 500")).isEqualTo(new Command.Logs("nodeapp", java.util.Optional.empty(),
                Command.Logs.DEFAULT_SINCE, java.util.Optional.empty(), 500));
        assertThat(messageFor("logs nodeapp --lines lots"))
                .startsWith("--lines: 'lots' is not a number of lines: give a whole number from 1 to 500");
    }

    @Test
    void caseWithoutGrepIsRefusedSayingWhatItIsFor() {
        assertThat(messageFor("logs marathon --case")).isEqualTo("--case says how --grep matches, and there is no"
                + " --grep: add --grep TEXT, e.g. 'logs marathon --grep Deployment --case'");
        assertThat(parser.parse("logs marathon --grep Deployment --case")).isEqualTo(new Command.Logs("marathon",
                java.util.Optional.empty(), Command.Logs.DEFAULT_SINCE, java.util.Optional.of("Deployment"),
                Command.Logs.DEFAULT_LINES, true));
        assertThat(parser.parse("logs marathon --grep Deployment --case").text())
                .isEqualTo("logs marathon --grep Deployment --case");
    }

    @Test
    void tooLongGrepTextIsRefused() {
        assertThat(messageFor("logs nodeapp --grep " + "x".repeat(201)))
                .isEqualTo("--grep: the text is 201 characters long; at most 200 are allowed");
    }

    @Test
    void badVersionsAndOperationIdsSayWhatTheyLookLike() {
        assertThat(messageFor("rollback nodeapp \"1.2 beta\"")).startsWith("'1.2 beta' is not a version: give an"
                + " image tag like 1.4.2 or a Marathon version like 2016-03-01T12:00:00.000Z");
        assertThat(messageFor("cancel 7f3a2c")).isEqualTo("'7f3a2c' is not an operation id: ids look like op-7f3a2c"
                + " (progress messages and 'history' show them), e.g. 'cancel op-7f3a2c'");
        assertThat(messageFor("cancel op-xyz")).contains("is not an operation id");
    }

    @Test
    void helpForAnUnknownCommandSuggestsTheClosest() {
        assertThat(messageFor("help sacle")).isEqualTo("unknown command 'sacle'. Did you mean 'scale'? Type 'help' for"
                + " the list.");
        assertThatThrownBy(() -> parser.help("deplyo")).isInstanceOf(CommandException.class)
                .hasMessageContaining("Did you mean 'deploy'?");
    }

    @Test
    void emptyInputGetsAHintToTypeHelp() {
        String hint = "empty command: type 'help' to see what I can do";
        assertThat(messageFor("")).isEqualTo(hint);
        assertThat(messageFor("   \t ")).isEqualTo(hint);
        assertThat(messageFor("/ops")).isEqualTo(hint);
        assertThat(messageFor("<@U012ABC>")).isEqualTo(hint);
        assertThat(messageFor(null)).isEqualTo(hint);
    }

    @Test
    void unterminatedQuoteSaysWhereItOpened() {
        assertThat(messageFor("logs nodeapp --grep \"connection refused")).isEqualTo("unterminated quote: the \" at"
                + " character 21 is never closed; close it, e.g. logs nodeapp --grep \"connection refused\"");
        assertThat(messageFor("logs nodeapp --grep 'it")).startsWith("unterminated quote: the ' at character 21");
        assertThat(messageFor("logs nodeapp --grep “oops")).startsWith("unterminated quote: the “ at character 21");
    }

    @Test
    void inputLongerThanTheLimitIsRefusedWithoutEchoingIt() {
        String message = messageFor("status " + "x".repeat(CommandParser.MAX_LENGTH));
        assertThat(message).isEqualTo("that message is 1007 characters long; a command is at most 1000 characters");
    }

    @Test
    void aCommandIsOneLine() {
        assertThat(messageFor("status\nscale nodeapp 3"))
                .isEqualTo("one command per message, on one line: there is a line break at character 7");
        assertThat(messageFor("status\r\nhelp")).startsWith("one command per message");
        assertThat(parser.parse("status\n")).isEqualTo(new Command.Status(java.util.Optional.empty()));
    }

    @Test
    void errorsQuoteAFlagAsItWasTyped() {
        assertThat(messageFor("status nodeapp; rm -rf /"))
                .isEqualTo("status takes no flags, so '-rf' is not one: status [APP|NODE], e.g. status");
        assertThat(messageFor("scale nodeapp 3 -x")).isEqualTo("scale has no flag '-x'; it takes: --force, --plan");
        assertThat(messageFor("scale nodeapp 3 --x=1")).isEqualTo("scale has no flag '--x'; it takes: --force, --plan");
        assertThat(messageFor("deploy nodeapp —bogus")).startsWith("deploy has no flag '—bogus';");
    }

    @Test
    void invisibleAndBidiControlCharactersAreEchoedEscaped() {
        assertThat(messageFor("status \u202Enodeapp\u202C")).isEqualTo("no app or node named '\\u202Enodeapp\\u202C'"
                + " (did you mean 'nodeapp'?); known apps: mongo, nginx, nodeapp; known nodes: node1, node2, node3");
        assertThat(messageFor("\u2066status\u2069")).startsWith("unknown command '\\u2066status\\u2069'");
        assertThat(messageFor("scale nodeapp 3 --p\u200Dlan")).startsWith("scale has no flag '--p\\u200Dlan'");
        assertThat(messageFor("logs nodeapp --lines 1\u061C0")).startsWith("--lines: '1\\u061C0' is not a number");
    }

    @Test
    void controlCharactersAreNamedNotEchoed() {
        assertThat(messageFor("sta\u0000tus")).isEqualTo("there is a control character (U+0000) at character 4; type"
                + " the command as plain text");
        assertThat(messageFor("status \u001B[31m")).contains("U+001B");
    }

    @Test
    void longWordsAreShortenedWhenEchoed() {
        String word = "y".repeat(300);
        assertThat(messageFor(word)).isEqualTo("unknown command '" + "y".repeat(40) + "…'. Commands: deploy, scale,"
                + " restart, rollback, move, logs, status, drift, history, who deployed, what changed, why, report, cancel, incidents, mute,"
                + " unmute, mutes, help."
                + " Type 'help COMMAND' for details.");
    }

    /** Found by ChatEntryPointsFuzzTest: the sim command quoted its first word as typed, bidi controls and all. */
    @Test
    void simQuotesAnUnknownActionVisibly() {
        CommandParser emulated = new CommandParser(DemoNames.NAMES, true);
        assertThat(catchMessage(emulated, "sim nodeapp\u202E mongo")).isEqualTo("sim can fail, heal or agent, not"
                + " 'nodeapp\\u202E': sim fail APP, sim heal APP, sim agent NODE down|up");
    }

    private static String catchMessage(CommandParser parser, String text) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(text));
        assertThat(thrown).isInstanceOf(CommandException.class);
        return thrown.getMessage();
    }
}
