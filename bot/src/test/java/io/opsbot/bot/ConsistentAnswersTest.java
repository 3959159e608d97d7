package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.console.ConsoleChat;
import io.opsbot.bot.render.PlainText;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Answers a new user met as wrong or contradictory (issue 9), against the local default: bot, engine and sim. */
class ConsistentAnswersTest {

    @TempDir
    Path home;
    Opsbot bot;
    final PlainText text = new PlainText();

    @BeforeEach
    void start() {
        bot = Opsbot.start(null, home);
    }

    @AfterEach
    void stop() {
        bot.close();
    }

    private Response run(String command) {
        return bot.dispatcher().handle(new Request(command, "tester", "test", false), ProgressListener.NONE);
    }

    @Test
    void aPlanThatChangesNothingNeedsNoConfirmationAndIsAnsweredAsTheNoOp() {
        // the seeded cluster runs nodeapp 1.0
        Response rollback = run("rollback nodeapp 1.0");
        Response scale = run("scale mongo 1");

        assertThat(rollback).isInstanceOf(Response.Finished.class);
        Outcome outcome = ((Response.Finished) rollback).outcome();
        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.changedSomething()).isFalse();
        assertThat(outcome.message()).startsWith("nothing to do: ");
        assertThat(text.render(rollback)).doesNotContain("needs confirmation");
        assertThat(scale).isInstanceOf(Response.Finished.class);
        // a change still asks
        assertThat(run("scale mongo 0")).isInstanceOf(Response.NeedsConfirmation.class);
        assertThat(run("rollback nodeapp 1.0")).isInstanceOf(Response.Finished.class);
    }

    @Test
    void aConfirmationAnsweredNoInTheConsoleIsRecordedAsDeclinedByWhoAnswered() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new ConsoleChat(bot.dispatcher(), bot.dispatcher().parser(),
                    ConsoleChat.dumbTerminal(new ByteArrayInputStream("scale mongo 0\nn\nquit\n".getBytes(StandardCharsets.UTF_8)), out),
                    ConsoleChat.Settings.of("console:ops", true)).run();
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("not run; nothing changed");

        String history = text.render(run("history"));

        assertThat(history.lines().filter(l -> l.contains("scale mongo 0")))
                .singleElement().asString().contains("declined by console:ops; nothing changed")
                .doesNotContain("waiting for confirmation");
        assertThat(text.render(run("status mongo"))).contains("1/1 running");
    }

    @Test
    void theReadmesLogsExampleFindsTheDeploymentsWhateverTheirCase() {
        assertThat(((Response.Finished) run("scale nodeapp 3")).outcome().changedSomething()).isTrue();

        String logs = text.render(run("logs marathon --since 1h --grep deployment"));
        String exact = text.render(run("logs marathon --since 1h --grep deployment --case"));

        assertThat(logs).contains("INFO  Deployment ").contains(" of /nodeapp ");
        assertThat(exact).contains("no lines").doesNotContain("INFO  Deployment ");
    }

    @Test
    void historyShowsInvisibleCharactersOfWhatWasTypedEscaped() {
        run("status \u202Enodeapp\u202C");

        assertThat(text.render(run("history"))).contains("status \\u202Enodeapp\\u202C  rejected: ")
                .doesNotContain("\u202E");
    }

    @Test
    void helpIsTitledByTheCommandItExplains() {
        assertThat(text.render(run("help deploy"))).startsWith("help deploy\n");
        assertThat(text.render(run("help who"))).startsWith("help who deployed\n");
        assertThat(text.render(run("help"))).startsWith("help\n");
    }

    @Test
    void aNoOpDeploySaysSoOnceAndAPlanCountsItsStepsInTheRightNumber() {
        Response first = run("deploy nodeapp --version 2.0.1");
        assertThat(((Response.Finished) first).outcome().changedSomething()).isTrue();

        String again = text.render(run("deploy nodeapp --version 2.0.1"));
        String plan = text.render(run("scale nginx 2 --plan"));

        assertThat(again).contains("nothing to do: all 3 steps were already in place");
        // every step's detail is shown once, on its own line
        assertThat(again.split("already runs this definition", -1)).hasSize(2);
        assertThat(plan).endsWith("would change 1 of 1 step");
    }
}
