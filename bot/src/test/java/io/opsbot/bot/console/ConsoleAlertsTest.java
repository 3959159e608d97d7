package io.opsbot.bot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.alerts.AlertService;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.render.PlainText;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local default as a newcomer tries it: sim fail shows an alert line in the console, sim heal resolves it. */
class ConsoleAlertsTest {

    @TempDir
    Path home;

    @Test
    void simFailShowsAnAlertLineAndSimHealResolvesItAndIncidentsListsIt() {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Opsbot bot = Opsbot.startWith(OpsbotConfig.empty(), home)) {
            AlertService alerts = bot.alerts().orElseThrow();
            alerts.start(new ConsoleAlerts(lines::add));
            await().atMost(Duration.ofSeconds(60)).until(alerts::watching);

            assertThat(run(bot, "help")).contains("sim fail|heal|agent");
            assertThat(run(bot, "sim fail nodeapp")).contains("nodeapp's tasks now fail their health checks");
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.startsWith("[alert] 🔴 nodeapp: ")));

            assertThat(run(bot, "sim heal nodeapp")).contains("nodeapp is well again");
            await().atMost(Duration.ofSeconds(120)).until(() -> lines.stream()
                    .anyMatch(l -> l.startsWith("[alert] ✅ nodeapp: resolved after")));
            assertThat(run(bot, "incidents")).contains("nodeapp", "unhealthy", "resolved after");
            assertThat(run(bot, "status")).contains("alerts: this replica leads");
        }
    }

    @Test
    void updatesOfOneIncidentArePrintedAtMostOnceInAWhileOpeningAndResolvingAlways() {
        List<String> lines = new CopyOnWriteArrayList<>();
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T10:00:00Z");
        ConsoleAlerts console = new ConsoleAlerts(lines::add, java.time.Clock.fixed(t0, java.time.ZoneOffset.UTC),
                Duration.ofSeconds(5));
        io.opsbot.alerts.Incident open = new io.opsbot.alerts.Incident(7, io.opsbot.alerts.IncidentKind.TASK_FAILURES,
                "nodeapp", io.opsbot.alerts.Incident.State.OPEN, 1, t0, t0, "TASK_FAILED on node3", List.of("node3"), false,
                t0, null, null, null, null);
        console.show(new io.opsbot.alerts.IncidentChange(open, io.opsbot.alerts.IncidentChange.Type.OPENED, null, t0));
        for (int n = 2; n <= 50; n++) {
            io.opsbot.alerts.Incident more = new io.opsbot.alerts.Incident(7, open.kind(), "nodeapp", open.state(), n, t0, t0,
                    "TASK_FAILED on node3", List.of("node3"), false, t0, null, null, null, null);
            console.show(new io.opsbot.alerts.IncidentChange(more, io.opsbot.alerts.IncidentChange.Type.UPDATED, null, t0));
        }
        io.opsbot.alerts.Incident done = new io.opsbot.alerts.Incident(7, open.kind(), "nodeapp",
                io.opsbot.alerts.Incident.State.RESOLVED, 50, t0, t0, "TASK_FAILED on node3", List.of("node3"), false, t0,
                t0.plusSeconds(360), "back at 2/2", null, null);
        console.show(new io.opsbot.alerts.IncidentChange(done, io.opsbot.alerts.IncidentChange.Type.RESOLVED, null, t0));

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("[alert] 🔴 nodeapp: 1 task failure in 0s — last: TASK_FAILED on node3");
        assertThat(lines.get(1)).isEqualTo("[alert] ✅ nodeapp: resolved after 6m — 50 task failures, last on node3");
    }

    private static String run(Opsbot bot, String text) {
        return new PlainText().render(bot.handler().handle(new Request(text, "tester", "console", false),
                ProgressListener.NONE));
    }
}
