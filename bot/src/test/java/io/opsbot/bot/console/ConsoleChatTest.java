package io.opsbot.bot.console;

import static io.opsbot.bot.console.VirtualTerminal.CTRL_C;
import static io.opsbot.bot.console.VirtualTerminal.CTRL_D;
import static io.opsbot.bot.console.VirtualTerminal.ENTER;
import static io.opsbot.bot.console.VirtualTerminal.TAB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console in a terminal driven key by key, against the real engine with steps the test holds. */
class ConsoleChatTest {

    private static final CommandParser PARSER = new CommandParser(KnownNames.withDefaultServices(
            List.of("nginx", "nodeapp", "mongo"), List.of("node1", "node2", "node3")));

    @TempDir
    Path home;

    private final EnginePipeline pipeline = new EnginePipeline();
    private final VirtualTerminal term = new VirtualTerminal();
    private CompletableFuture<Integer> exit;

    @AfterEach
    void stop() throws Exception {
        pipeline.release();
        if (exit != null && !exit.isDone()) {
            term.type(CTRL_D);
        }
        // an operation left running by a test (a second Ctrl-C) ends before its journal closes
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.running().isEmpty());
        term.close();
        pipeline.close();
    }

    private ConsoleChat start(ConsoleChat.Settings settings) {
        ConsoleChat chat = new ConsoleChat(pipeline, PARSER, term.terminal(), settings);
        exit = CompletableFuture.supplyAsync(chat::run);
        term.awaitText("Type 'help' for the commands");
        return chat;
    }

    private ConsoleChat start() {
        return start(new ConsoleChat.Settings("console:test", true, null, pipeline::running, List.of()));
    }

    private String startDeploy() {
        term.type("deploy nodeapp --version 1.5" + ENTER);
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.running().size() == 1);
        String id = pipeline.running().get(0).operationId();
        term.awaitText(id + " 1/2 push the image of nodeapp");
        return id;
    }

    @Test
    void firstCtrlCCancelsTheRunningOperationAfterItsStepAndTheConsoleGoesOn() throws Exception {
        start();
        String id = startDeploy();

        term.type(CTRL_C);

        term.awaitText("cancelling " + id + " after this step; Ctrl-C again to quit now");
        pipeline.release();
        term.awaitText("■ deploy nodeapp --version 1.5 [" + id + "] cancelled");
        term.awaitText("cancelled by console:test after step 1 of 2");
        assertThat(exit).isNotDone();
        term.type("quit" + ENTER);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void secondCtrlCQuitsAtOnceWhileTheOperationStillRuns() throws Exception {
        start();
        String id = startDeploy();

        term.type(CTRL_C);
        term.awaitText("cancelling " + id);
        term.type(CTRL_C);

        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(ConsoleChat.EXIT_INTERRUPTED);
        assertThat(term.text()).contains("quitting now; " + id + " 'deploy nodeapp --version 1.5' stops where it is");
        assertThat(pipeline.running()).hasSize(1);
    }

    @Test
    void quitWhileAnOperationRunsWaitsForItsOutcome() throws Exception {
        start();
        String id = startDeploy();

        term.type("quit" + ENTER);
        term.awaitText("waiting for " + id + " 'deploy nodeapp --version 1.5' to finish");
        assertThat(exit).isNotDone();
        pipeline.release();

        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(term.text()).contains("✓ deploy nodeapp --version 1.5 [" + id + "] succeeded");
    }

    @Test
    void ctrlCAtAnIdlePromptClearsTheLineAndCtrlDLeaves() throws Exception {
        start();

        term.type("scale nodeapp 3" + CTRL_C);
        term.type("status" + ENTER);
        term.awaitText("all apps healthy");
        term.type(CTRL_D);

        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(pipeline.received).containsExactly("status");
    }

    @Test
    void queriesAreAnsweredAndCancelAloneStopsTheConsolesOperationWhileItRuns() throws Exception {
        start();
        String id = startDeploy();

        term.type("status" + ENTER);
        term.awaitText("all apps healthy");
        assertThat(pipeline.running()).extracting(h -> h.operationId()).containsExactly(id);

        term.type("cancel" + ENTER);
        term.awaitText("cancelling " + id);
        assertThat(pipeline.received).contains("cancel " + id);
        pipeline.release();
        term.awaitText("[" + id + "] cancelled");
    }

    @Test
    void textTypedWhileTheProgressLineIsRedrawnStaysOnThePromptLineBelowIt() throws Exception {
        ConsoleChat chat = start();
        String id = startDeploy();
        term.awaitText("halfway");

        term.type("sta");
        term.awaitText("ops> sta");
        chat.output().printAbove("ALERT nodeapp unhealthy on node2");
        term.awaitText("ALERT nodeapp unhealthy on node2");

        List<String> lines = term.text().lines().toList();
        int alert = lines.indexOf("ALERT nodeapp unhealthy on node2");
        assertThat(lines.get(alert + 1)).startsWith("[##").contains("] " + id + " 1/2 push the image of nodeapp — halfway");
        assertThat(lines.get(alert + 2)).isEqualTo("ops> sta");

        // the operation ends while "sta" is typed: its outcome goes above, the progress line away, "sta" stays
        pipeline.release();
        term.awaitText("✓ deploy nodeapp --version 1.5 [" + id + "] succeeded");
        await().atMost(Duration.ofSeconds(60)).until(() -> term.lineWith(id + " 1/2") == null);
        assertThat(term.lineWith("ops> ")).isEqualTo("ops> sta");
        term.type("tus" + ENTER);
        term.awaitText("all apps healthy");
        assertThat(pipeline.received).containsExactly("deploy nodeapp --version 1.5", "status");
    }

    @Test
    void tabCompletesCommandsAndNamesFromTheGrammar() throws Exception {
        start();

        term.type("sca" + TAB + "node" + TAB + "3" + ENTER);
        await().atMost(Duration.ofSeconds(60)).until(() -> !pipeline.received.isEmpty());

        assertThat(pipeline.received).containsExactly("scale nodeapp 3");
    }

    @Test
    void historyIsKeptInTheGivenFileAndRecalledWithTheUpArrow() throws Exception {
        Path history = home.resolve("console_history");
        start(new ConsoleChat.Settings("console:test", true, history, pipeline::running, List.of()));

        term.type("status" + ENTER);
        term.awaitText("all apps healthy");
        term.type(VirtualTerminal.UP + ENTER);
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.received.size() == 2);
        term.type("quit" + ENTER);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();

        assertThat(pipeline.received).containsExactly("status", "status");
        assertThat(Files.readString(history)).contains("status");
    }

    @Test
    void aStartThatRecoveredAnOperationSaysWhichAndHowItEnded() {
        Outcome recovered = new Outcome("op-5e1a7c", "deploy nodeapp --version 1.5", Outcome.State.SUCCEEDED,
                List.of(new StepReport(0, "run /nodeapp at version 1.5", StepResult.CHANGED, "image → 1.5",
                        Duration.ofSeconds(2))), "resumed after a restart; done: changed 1 of 1 step", Duration.ofSeconds(3));

        start(new ConsoleChat.Settings("console:test", true, null, pipeline::running, List.of(recovered)));

        term.awaitText("recovered op-5e1a7c 'deploy nodeapp --version 1.5', left running when an opsbot process stopped:"
                + " succeeded — resumed after a restart; done: changed 1 of 1 step");
    }

    @Test
    void otherPartsPrintAboveThePromptWhetherIdleOrWhileAnOperationRuns() {
        ConsoleChat chat = start();
        chat.output().printAbove("ALERT nodeapp unhealthy on node2");
        term.awaitText("ALERT nodeapp unhealthy on node2");

        startDeploy();
        chat.output().printAbove("ALERT mongo restarted");
        term.awaitText("ALERT mongo restarted");
    }

    @Test
    void pipedInputRunsLineByLineInPlainTextAndWaitsForTheOperation() throws Exception {
        pipeline.release();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String input = "deploy nodeapp\nstatus\n";
        ConsoleChat chat = new ConsoleChat(pipeline, PARSER,
                ConsoleChat.dumbTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out),
                ConsoleChat.Settings.of("console:test", true));

        assertThat(chat.run()).isZero();

        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(shown).doesNotContain("\u001b").doesNotContain("ops>").contains("✓ deploy nodeapp", "all apps healthy");
        assertThat(shown.indexOf("✓ deploy nodeapp")).isLessThan(shown.indexOf("all apps healthy"));
    }

    @Test
    void aProgressLineWiderThanTheTerminalIsCutSoThatRedrawingItLeavesNothingBehind() {
        String line = "[##########----------] 1/1 set instances of /nodeapp to 3 — task nodeapp.20a34a31 on node1: TASK_RUNNING";

        assertThat(Screen.fit(line, 40)).hasSize(40).endsWith("…").startsWith("[##########----------] 1/1 set");
        assertThat(Screen.fit(line, 500)).isEqualTo(line);
        assertThat(Screen.fit("✓ ünïcödé — ok", 14)).isEqualTo("✓ ünïcödé — ok");
        assertThat(Screen.fit("✓ ünïcödé — ok", 5)).isEqualTo("✓ ün…");
    }
}
