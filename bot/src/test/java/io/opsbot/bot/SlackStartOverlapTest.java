package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.access.Access;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slack bot's start in HTTP mode, Slack's part overlapping the bot's wiring ({@link Main#startSlack}), as the
 * start-up archive's training runs it ({@link SlackTraining}): signed slash commands are acked and answered, the
 * schedules start, a rejected token still stops the start with one line and exit status 2.
 */
class SlackStartOverlapTest {

    @TempDir
    Path scratch;

    @Test
    void theTrainingsBotStartsAnswersSignedCommandsAndStops() throws Exception {
        AppCatalog catalog = AppCatalog.load(Opsbot.appsDir(OpsbotConfig.empty()));
        Path simHome = scratch.resolve("sim");
        try (Sim sim = Sim.start(new SimOptions(simHome, 0, LocalCluster.writeTopology(simHome, catalog),
                SimOptions.DEFAULT_TIME_SCALE * 10, false))) {
            // 0 failures: both commands acked with 200 and answered at the fake Slack, and the schedules started
            assertThat(StartupTraining.trainSlackBot(scratch, sim.endpoints())).isZero();
        }
    }

    @Test
    void theVerbRolesTakenBeforeTheWiringAreTheWiringsWhateverTheNames() {
        for (boolean emulated : List.of(true, false)) {
            CommandParser wired = new CommandParser(KnownNames.withDefaultServices(Set.of("nodeapp", "mongo"),
                    Set.of("node1", "node2"), Set.of("zookeeper")), emulated);
            assertThat(SlackStarting.verbRoles(emulated)).isEqualTo(Access.verbRoles(wired.grammar()));
        }
        assertThat(SlackStarting.verbRoles(true)).isNotEqualTo(SlackStarting.verbRoles(false));
    }

    @Test
    void aRejectedTokenInHttpModeStopsStartUpWithOneLineAndExitStatus2() throws Exception {
        RejectedTokenRun.assertStartStopsWithOneLineAndStatus2(scratch.resolve("home"), apiUrl -> {
            Path file = scratch.resolve("opsbot.yaml");
            Files.writeString(file, "slack:\n  mode: http\n  port: 0\n  botToken: xoxb-bad\n  signingSecret: s3cret\n"
                    + "  apiUrl: " + apiUrl + "\n"
                    + "journal: { url: \"jdbc:h2:file:" + scratch.resolve("journal") + "\" }\n");
            return file;
        });
    }
}
