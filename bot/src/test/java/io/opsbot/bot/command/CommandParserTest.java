package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandParserTest {

    private final CommandParser parser = DemoNames.parser();

    static Stream<Arguments> everyForm() {
        Duration fifteenMinutes = Duration.ofMinutes(15);
        return Stream.of(
                Arguments.of("deploy nodeapp", new Command.Deploy("nodeapp", Optional.empty(), false, false)),
                Arguments.of("deploy nodeapp --version 1.4.2",
                        new Command.Deploy("nodeapp", Optional.of("1.4.2"), false, false)),
                Arguments.of("deploy nodeapp --version=1.4.2 --only --plan",
                        new Command.Deploy("nodeapp", Optional.of("1.4.2"), true, true)),
                Arguments.of("deploy nodeapp --plan --only", new Command.Deploy("nodeapp", Optional.empty(), true, true)),
                Arguments.of("deploy --plan nodeapp", new Command.Deploy("nodeapp", Optional.empty(), false, true)),
                Arguments.of("scale nodeapp 3", new Command.Scale("nodeapp", 3, false)),
                Arguments.of("scale nodeapp 0 --plan", new Command.Scale("nodeapp", 0, true)),
                Arguments.of("scale nodeapp 1000", new Command.Scale("nodeapp", 1000, false)),
                Arguments.of("scale nodeapp 007", new Command.Scale("nodeapp", 7, false)),
                Arguments.of("restart nginx", new Command.Restart("nginx")),
                Arguments.of("rollback nodeapp", new Command.Rollback("nodeapp", Optional.empty())),
                Arguments.of("rollback nodeapp 2016-03-01T12:00:00.000Z",
                        new Command.Rollback("nodeapp", Optional.of("2016-03-01T12:00:00.000Z"))),
                Arguments.of("rollback nodeapp v1.4.1", new Command.Rollback("nodeapp", Optional.of("v1.4.1"))),
                Arguments.of("move mongo node3", new Command.Move("mongo", "node3", false)),
                Arguments.of("move mongo node3 --plan", new Command.Move("mongo", "node3", true)),
                Arguments.of("logs nodeapp", new Command.Logs("nodeapp", Optional.empty())),
                Arguments.of("logs marathon", new Command.Logs("marathon", Optional.empty())),
                Arguments.of("logs docker@node2", new Command.Logs("docker", Optional.of("node2"))),
                Arguments.of("logs mesos-slave@node3 --since 1h",
                        new Command.Logs("mesos-slave", Optional.of("node3"), Duration.ofHours(1), Optional.empty(), 200)),
                Arguments.of("logs nodeapp --since 30s --lines 50",
                        new Command.Logs("nodeapp", Optional.empty(), Duration.ofSeconds(30), Optional.empty(), 50)),
                Arguments.of("logs nodeapp --since=1h30m",
                        new Command.Logs("nodeapp", Optional.empty(), Duration.ofMinutes(90), Optional.empty(), 200)),
                Arguments.of("logs nodeapp --since 7d",
                        new Command.Logs("nodeapp", Optional.empty(), Duration.ofDays(7), Optional.empty(), 200)),
                Arguments.of("logs nodeapp --grep \"connection refused\"",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("connection refused"), 200)),
                Arguments.of("logs nodeapp --grep 'connection refused'",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("connection refused"), 200)),
                Arguments.of("logs nodeapp --grep “connection refused”",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("connection refused"), 200)),
                Arguments.of("logs nodeapp --grep ‘it’s down’",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("it’s down"), 200)),
                Arguments.of("logs nodeapp --grep 'it's down'",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("it's down"), 200)),
                Arguments.of("logs nodeapp --grep=\"connection refused\" --lines=10",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("connection refused"), 10)),
                Arguments.of("logs nodeapp --grep \"say \\\"hi\\\"\"",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("say \"hi\""), 200)),
                Arguments.of("logs nodeapp --grep \"--verbose\"",
                        new Command.Logs("nodeapp", Optional.empty(), fifteenMinutes, Optional.of("--verbose"), 200)),
                Arguments.of("status", new Command.Status(Optional.empty())),
                Arguments.of("status nodeapp", new Command.Status(Optional.of("nodeapp"))),
                Arguments.of("status node2", new Command.Status(Optional.of("node2"))),
                Arguments.of("drift", new Command.Drift(Optional.empty())),
                Arguments.of("drift mongo", new Command.Drift(Optional.of("mongo"))),
                Arguments.of("history", new Command.History(Optional.empty())),
                Arguments.of("history nodeapp", new Command.History(Optional.of("nodeapp"))),
                Arguments.of("who deployed nodeapp", new Command.WhoDeployed("nodeapp")),
                Arguments.of("what changed", new Command.WhatChanged(Duration.ofHours(1))),
                Arguments.of("what changed --since 6h", new Command.WhatChanged(Duration.ofHours(6))),
                Arguments.of("what changed --since=2d", new Command.WhatChanged(Duration.ofDays(2))),
                Arguments.of("cancel op-7f3a2c", new Command.Cancel("op-7f3a2c")),
                Arguments.of("help", new Command.Help(Optional.empty())),
                Arguments.of("help scale", new Command.Help(Optional.of("scale"))),
                Arguments.of("help who", new Command.Help(Optional.of("who deployed"))),
                Arguments.of("help what changed", new Command.Help(Optional.of("what changed"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyForm")
    void everyFormParsesToItsRecord(String text, Command expected) {
        assertThat(parser.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyForm")
    void canonicalTextParsesBackToTheSameCommand(String text, Command expected) {
        Command parsed = parser.parse(text);
        assertThat(parser.parse(parsed.text())).isEqualTo(parsed);
    }

    @Test
    void canonicalTextIsWhatPeopleType() {
        assertThat(parser.parse("SCALE  NodeApp   3").text()).isEqualTo("scale nodeapp 3");
        assertThat(parser.parse("deploy nodeapp --plan --version=1.4.2").text())
                .isEqualTo("deploy nodeapp --version 1.4.2 --plan");
        assertThat(parser.parse("logs docker@node2 --grep 'connection refused' --since 15m").text())
                .isEqualTo("logs docker@node2 --grep \"connection refused\"");
        assertThat(parser.parse("logs nodeapp --since 120m --lines 200").text()).isEqualTo("logs nodeapp --since 2h");
        assertThat(parser.parse("what changed --since 60m").text()).isEqualTo("what changed");
        assertThat(parser.parse("help who").text()).isEqualTo("help who deployed");
    }

    @Test
    void slashOpsPrefixAndBotMentionsAreStripped() {
        Command expected = new Command.Scale("nodeapp", 3, false);
        assertThat(parser.parse("/ops scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("/OPS scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("<@U012ABC> scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("<@U012ABC|opsbot>: scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("<@!123456789> scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("<@U012ABC> /ops scale nodeapp 3")).isEqualTo(expected);
        assertThat(parser.parse("/ops help")).isEqualTo(new Command.Help(Optional.empty()));
    }

    @Test
    void verbsNamesAndFlagsIgnoreCaseAndNamesComeBackAsConfigured() {
        CommandParser mixedCase = new CommandParser(KnownNames.withDefaultServices(
                java.util.List.of("NodeApp"), java.util.List.of("Node2")));
        assertThat(mixedCase.parse("MOVE nodeapp NODE2 --PLAN")).isEqualTo(new Command.Move("NodeApp", "Node2", true));
        assertThat(mixedCase.parse("Who Deployed NODEAPP")).isEqualTo(new Command.WhoDeployed("NodeApp"));
    }

    @Test
    void surroundingAndRepeatedWhitespaceOfAnyKindIsIgnored() {
        assertThat(parser.parse("  \t scale\u00A0nodeapp \u2003 3 \n")).isEqualTo(new Command.Scale("nodeapp", 3, false));
    }

    @Test
    void zeroWidthCharactersFromCopyAndPasteDoNotChangeNames() {
        assertThat(parser.parse("\uFEFFscale node\u200Bapp 3")).isEqualTo(new Command.Scale("nodeapp", 3, false));
    }

    @Test
    void dashesThatChatClientsMergedStillMakeFlags() {
        assertThat(parser.parse("scale nodeapp 3 —plan")).isEqualTo(new Command.Scale("nodeapp", 3, true));
        assertThat(parser.parse("scale nodeapp 3 –plan")).isEqualTo(new Command.Scale("nodeapp", 3, true));
    }

    @Test
    void marathonStyleAppIdsWithALeadingSlashNameTheApp() {
        assertThat(parser.parse("restart /nodeapp")).isEqualTo(new Command.Restart("nodeapp"));
    }

    @Test
    void helpFlagAfterAnyCommandAsksForThatCommandsHelp() {
        assertThat(parser.parse("scale --help")).isEqualTo(new Command.Help(Optional.of("scale")));
        assertThat(parser.parse("who deployed -h")).isEqualTo(new Command.Help(Optional.of("who deployed")));
        assertThat(parser.parse("--help")).isEqualTo(new Command.Help(Optional.empty()));
    }

    @Test
    void operationIdsAreReadInLowerCase() {
        assertThat(parser.parse("cancel OP-7F3A2C")).isEqualTo(new Command.Cancel("op-7f3a2c"));
    }

    @Test
    void onlyDeployScaleAndMoveCarryAPlanFlag() {
        assertThat(parser.parse("deploy nodeapp --plan").plan()).isTrue();
        assertThat(parser.parse("scale nodeapp 2 --plan").plan()).isTrue();
        assertThat(parser.parse("move mongo node2 --plan").plan()).isTrue();
        assertThat(parser.parse("restart nodeapp").plan()).isFalse();
        assertThat(parser.parse("status").plan()).isFalse();
    }

    @Test
    void aNameThatIsBothAnAppAndAServiceReadsTheAppsLogs() {
        CommandParser overlapping = new CommandParser(new KnownNames(java.util.Set.of("weave"),
                java.util.Set.of("node1"), KnownNames.DEFAULT_SERVICES));
        assertThat(overlapping.parse("logs weave")).isEqualTo(new Command.Logs("weave", Optional.empty()));
        assertThat(overlapping.parse("logs weave@node1")).isEqualTo(new Command.Logs("weave", Optional.of("node1")));
    }
}
