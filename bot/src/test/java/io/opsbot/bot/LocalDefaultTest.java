package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.console.ConsoleChat;
import io.opsbot.bot.render.PlainText;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.Origin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local default end to end: the bot's pipeline, the engine, the real clients and the sim over HTTP. */
class LocalDefaultTest {

    @TempDir
    Path home;

    private static Response run(Opsbot bot, String text) {
        return bot.dispatcher().handle(new Request(text, "tester", "test", false), ProgressListener.NONE);
    }

    @Test
    void scaleTwiceChangesNothingTheSecondTimeAndHistorySurvivesARestart() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            assertThat(bot.emulated()).isTrue();
            Response first = run(bot, "scale nodeapp 3");
            assertThat(first).isInstanceOf(Response.Finished.class);
            Outcome changed = ((Response.Finished) first).outcome();
            assertThat(changed.state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(changed.count(StepResult.CHANGED)).isEqualTo(1);

            Outcome again = ((Response.Finished) run(bot, "scale nodeapp 3")).outcome();
            assertThat(again.state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(again.changedSomething()).isFalse();
            assertThat(again.steps().get(0).detail()).contains("already at 3 instances");
        }
        try (Opsbot restarted = Opsbot.start(null, home)) {
            String history = new PlainText().render(run(restarted, "history nodeapp"));
            assertThat(history).contains("scale nodeapp 3").contains("by tester");
            assertThat(history.lines().filter(l -> l.contains("scale nodeapp 3")).count()).isEqualTo(2);
            String status = new PlainText().render(run(restarted, "status"));
            assertThat(status).contains("(emulated cluster)").contains("/nodeapp").contains("3/3 running");
        }
    }

    @Test
    void whoDeployedNamesWhoRolledOutWhichVersionAndLeavesOutRunsThatChangedNothing() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            assertThat(((Response.Finished) run(bot, "deploy nodeapp --version 2.0.1")).outcome().changedSomething()).isTrue();
            assertThat(((Response.Finished) run(bot, "deploy nodeapp --version 2.0.1")).outcome().changedSomething()).isFalse();

            String who = new PlainText().render(run(bot, "who deployed nodeapp"));

            assertThat(who).contains("tester deployed version 2.0.1 at ", "→ succeeded ('deploy nodeapp --version 2.0.1' in test)");
            assertThat(who.lines().filter(l -> l.contains("deployed version"))).hasSize(1);
            assertThat(new PlainText().render(run(bot, "who deployed nginx")))
                    .contains("no deployment of nginx that changed it is recorded in the journal");
        }
    }

    @Test
    void execExitStatusSaysWhatHappened() {
        String opsbotHome = System.getProperty("opsbot.home");
        System.setProperty("opsbot.home", home.toString());
        try {
            assertThat(exec("help")).isZero();
            assertThat(exec("sacle", "nodeapp", "3")).isEqualTo(2);
            assertThat(exec("scale", "nodeapp", "999")).isEqualTo(2);
            assertThat(exec("--yes", "scale", "nodeapp", "0")).as("below limits.minInstances").isEqualTo(2);
            assertThat(exec("scale", "mongo", "0")).isEqualTo(3);
            try (Opsbot bot = Opsbot.start(null, home)) {
                assertThat(new PlainText().render(run(bot, "status mongo"))).contains("1/1 running");
                assertThat(new PlainText().render(run(bot, "history")).lines().filter(l -> l.contains("scale mongo 0")))
                        .as("exec without --yes is recorded as not confirmed, not left waiting")
                        .singleElement().asString().contains("(exec without --yes); nothing changed")
                        .doesNotContain("waiting for confirmation");
                assertThat(new PlainText().render(run(bot, "status nodeapp"))).contains("2/2 running");
            }
            assertThat(exec("--yes", "scale", "mongo", "0")).isZero();
            assertThat(exec("--yes", "scale", "mongo", "1")).isZero();
            // the command's own options reach it, unquoted too (picocli's --version once swallowed them: exit 0, nothing done)
            assertThat(exec("deploy", "nodeapp", "--only", "--version", "1.5")).isZero();
            try (Opsbot bot = Opsbot.start(null, home)) {
                assertThat(new PlainText().render(run(bot, "status nodeapp"))).contains("nodeapp:1.5");
            }
        } finally {
            if (opsbotHome == null) {
                System.clearProperty("opsbot.home");
            } else {
                System.setProperty("opsbot.home", opsbotHome);
            }
        }
    }

    private static int exec(String... words) {
        String[] args = new String[words.length + 1];
        args[0] = "exec";
        System.arraycopy(words, 0, args, 1, words.length);
        return Main.commandLine().execute(args);
    }

    @Test
    void theConsoleAnswersHelpStatusAndScaleAndAsksBeforeDestructiveOperations() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Opsbot bot = Opsbot.start(null, home); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            String input = String.join("\n", "help", "status", "scale nodeapp 3", "scale mongo 0", "n", "sacle nodeapp 1",
                    "quit", "status");
            ConsoleChat chat = new ConsoleChat(bot.dispatcher(), bot.dispatcher().parser(),
                    ConsoleChat.dumbTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out),
                    ConsoleChat.Settings.of("console:test", true));
            assertThat(chat.run()).isZero();
        }
        String shown = bytes.toString(StandardCharsets.UTF_8);
        // piped input: plain lines, no prompt and no escape codes
        assertThat(shown).doesNotContain("\u001b").doesNotContain("ops>");
        assertThat(shown).contains("connected to the emulated cluster")
                .contains("scale APP N")
                .contains("/nodeapp")
                .contains("✓ scale nodeapp 3")
                .contains("'scale mongo 0' needs confirmation")
                .contains("not run; nothing changed")
                .contains("unknown command 'sacle'. Did you mean 'scale'?");
        // 'status' after 'quit' is never read: the status section appears once.
        assertThat(shown.split("Marathon apps", -1)).hasSize(2);
    }

    @Test
    void aConsoleStartThatRecoveredAnOperationSaysWhichAndHowItEnded() throws Exception {
        try (Opsbot first = Opsbot.start(null, home)) {
            assertThat(first.recoveredAtStart()).isEmpty();
        }
        // what a process killed in the middle of 'scale nodeapp 3' leaves in the journal: a RUNNING entry with no owner
        Instant then = Instant.now();
        try (JdbcJournal journal = JdbcJournal.h2(home.resolve("journal"))) {
            journal.operationStarted(new OperationEntry("op-c0ffee", "scale", "scale nodeapp 3",
                    new Origin("console:alice", "console", "scale nodeapp 3"), List.of("/nodeapp"), "", OperationEntry.RUNNING,
                    then, null, null));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Opsbot bot = Opsbot.start(null, home); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ConsoleChat chat = new ConsoleChat(bot.handler(), bot.dispatcher().parser(),
                    ConsoleChat.dumbTerminal(new ByteArrayInputStream("history nodeapp\n".getBytes(StandardCharsets.UTF_8)), out),
                    new ConsoleChat.Settings("console:test", true, null, bot.dispatcher()::running, bot.recoveredAtStart()));
            assertThat(chat.run()).isZero();
        }
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("recovered op-c0ffee 'scale nodeapp 3', left running when an opsbot process stopped: succeeded");
        assertThat(shown.indexOf("recovered op-c0ffee")).isLessThan(shown.indexOf("history of nodeapp"));
    }

    @Test
    void withAMetricsSectionCommandsAreCountedAndHealthIsServed() throws Exception {
        Path config = home.resolve("opsbot.yaml");
        java.nio.file.Files.writeString(config, "apps: " + Path.of("..", "config", "apps").toAbsolutePath() + "\nmetrics: { port: 0 }\n");
        try (Opsbot bot = Opsbot.start(config, home)) {
            bot.handler().handle(new Request("scale nodeapp 3", "tester", "test", false), ProgressListener.NONE);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + bot.metricsPort();
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("opsbot_commands_total{outcome=\"succeeded\",verb=\"scale\"} 1.0")
                    .contains("opsbot_steps_total{result=\"changed\"} 1.0")
                    .contains("opsbot_client_calls_seconds_count{method=\"PUT\",service=\"marathon\",status=\"2xx\"}");
            java.net.http.HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").contains("marathon");
        }
    }

    @Test
    void anExecServesNoMetricsEvenWithAMetricsSectionWhoseBotHoldsThePort() throws Exception {
        try (java.net.ServerSocket botsPort = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = home.resolve("opsbot.yaml");
            java.nio.file.Files.writeString(config, "apps: " + Path.of("..", "config", "apps").toAbsolutePath()
                    + "\nmetrics: { port: " + botsPort.getLocalPort() + " }\n");
            try (Opsbot exec = Opsbot.startFor("history", config, home)) {
                assertThat(exec.metricsPort()).isEqualTo(-1);
                assertThat(new PlainText().render(run(exec, "history"))).contains("history");
            }
        }
    }

    @Test
    void everyCommandIsInTheJournalWithItsOutcomeAndHistoryShowsIt() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            run(bot, "status");
            run(bot, "sacle nodeapp 3");
            run(bot, "scale mongo 0");
            bot.dispatcher().record(new Request("move mongo node3", "U-viewer", "C1", false),
                    "denied: move needs the admin role");
            String history = new PlainText().render(run(bot, "history"));
            assertThat(history).contains("status", "answered", "by tester")
                    .contains("sacle nodeapp 3", "rejected: unknown command 'sacle'")
                    .contains("scale mongo 0", "waiting for confirmation; nothing changed")
                    .contains("move mongo node3", "denied: move needs the admin role", "by U-viewer");
            String changed = new PlainText().render(run(bot, "what changed"));
            assertThat(changed).doesNotContain("sacle").doesNotContain("status");
        }
    }
}
