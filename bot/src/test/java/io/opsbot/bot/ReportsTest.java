package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.render.PlainText;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.engine.ProgressListener;
import io.opsbot.health.AgentUsage;
import io.opsbot.health.HealthReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report now, report schedule / schedules / unschedule, against the local default (the sim over HTTP). */
class ReportsTest {

    @TempDir
    Path home;

    private static String say(Opsbot bot, String text) {
        return new PlainText().render(bot.dispatcher().handle(new Request(text, "tester", "console", false),
                ProgressListener.NONE));
    }

    @Test
    void reportNowMatchesTheSimulatedClusterAndNamesAnInjectedUnhealthyAppInTheVerdict() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            SimControl sim = new SimControl(bot);
            HealthReport report = bot.reports().now();
            List<Agent> agents = sim.mesos().state().agents();
            assertThat(report.agents()).extracting(AgentUsage::hostname)
                    .containsExactlyInAnyOrderElementsOf(agents.stream().map(Agent::hostname).toList());
            for (Agent a : agents) {
                AgentUsage u = report.agents().stream().filter(x -> x.hostname().equals(a.hostname())).findFirst().orElseThrow();
                assertThat(u.cpusTotal()).isEqualTo(a.total().cpus());
                assertThat(u.memTotal()).isEqualTo(a.total().mem());
                assertThat(u.diskTotal()).isEqualTo(a.total().disk());
                assertThat(u.up()).isEqualTo(a.active());
            }
            List<App> apps = sim.marathon().apps();
            assertThat(report.sections()).anySatisfy(s -> assertThat(s.heading()).isEqualTo("Apps: " + apps.size()));
            String text = new HealthText(ZoneId.of("UTC")).render(report, true);
            assertThat(text).contains("(emulated cluster)", "Resource use per agent", "█", "node2", "Weave", "Flocker datasets",
                    "opsbot", "version ");

            String image = sim.marathon().app("/nodeapp").image();
            sim.markFailing(image);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HealthReport sick = bot.reports().now();
                assertThat(sick.verdict()).startsWith("⚠️");
                assertThat(sick.problems()).anySatisfy(p -> assertThat(p.line()).startsWith("nodeapp: ").endsWith("— try: why nodeapp"));
            });
            String answer = say(bot, "report now");
            assertThat(answer).contains("⚠️", "nodeapp: ", "try: why nodeapp", "Agents: ");
        }
    }

    @Test
    void aScheduleFiresIntoTheConnectedChatUntilItIsUnscheduled() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            List<String> printed = new CopyOnWriteArrayList<>();
            HealthText text = new HealthText(bot.reports().zone());
            bot.reports().connect((channel, report) -> printed.add(channel + "\n" + text.render(report, true)));

            String answer = say(bot, "report schedule \"0/2 * * * * ?\" --tz UTC");
            assertThat(answer).contains("a health report to console on \"0/2 * * * * ?\" (UTC)", "next: today ");
            Matcher next = Pattern.compile("next: (.*) \\(UTC\\)").matcher(answer);
            assertThat(next.find()).isTrue();
            assertThat(next.group(1).split(", ")).hasSize(3);
            Matcher id = Pattern.compile("scheduled (r-[0-9a-f]{6})").matcher(answer);
            assertThat(id.find()).isTrue();

            await().atMost(Duration.ofSeconds(60)).until(() -> printed.size() >= 2);
            assertThat(printed.get(0)).startsWith("console\nScheduled health report").contains("Agents: ");
            assertThat(say(bot, "report schedules")).contains(id.group(1), "\"0/2 * * * * ?\" (UTC) → console by tester");

            assertThat(say(bot, "report unschedule " + id.group(1))).contains("no more reports from " + id.group(1));
            assertThat(say(bot, "report schedules")).contains("no schedules");
            assertThat(say(bot, "report unschedule " + id.group(1))).contains("no report schedule " + id.group(1));
        }
    }

    @Test
    void badReportCommandsSayWhatIsWrong() {
        try (Opsbot bot = Opsbot.start(null, home)) {
            assertThat(say(bot, "report schedule \"0 0 61 * * ?\"")).contains("is not a Quartz cron expression");
            assertThat(say(bot, "report schedule \"every day\"")).contains("is not a Quartz cron expression");
            assertThat(say(bot, "report schedule \"0 0 9 * * ?\" ops")).contains("'ops' is not a channel: write it with its #");
            assertThat(say(bot, "report schedule \"0 0 9 * * ?\" #ops --tz Mars/Olympus")).contains("'Mars/Olympus' is not a time zone");
            assertThat(say(bot, "report later")).contains("report later is not one");
            assertThat(say(bot, "report unschedule 42")).contains("'42' is not a schedule id");
            assertThat(say(bot, "report")).contains("report needs");
            assertThat(say(bot, "report schedules")).contains("no schedules");
        }
    }
}
