package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.alerts.AlertService;
import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.render.PlainText;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.ProgressListener;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The glue of alerts and reports on the local default: the incidents section, why's open incident, the alert leader. */
class IncidentsInReportTest {

    @TempDir
    Path home;

    @Test
    void anIncidentShowsInTheReportAndInWhyWhileOpenAndAsResolvedAfterwards() {
        try (Opsbot bot = Opsbot.startWith(OpsbotConfig.empty(), home)) {
            AlertService alerts = bot.alerts().orElseThrow();
            alerts.start(change -> { });
            await().atMost(Duration.ofSeconds(60)).until(alerts::watching);

            HealthReport quiet = bot.reports().now();
            assertThat(section(quiet, "opsbot").lines()).anySatisfy(l -> assertThat(l).startsWith("alerts: this replica leads ("));
            assertThat(String.join("\n", section(quiet, "opsbot").lines())).doesNotContain("no leader election configured");
            assertThat(section(quiet, "incidents").lines()).containsExactly("none open, none resolved in the last 24h");

            assertThat(say(bot, "sim fail nodeapp")).contains("nodeapp's tasks now fail");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HealthReport sick = bot.reports().now();
                assertThat(section(sick, "incidents").lines()).anySatisfy(l -> assertThat(l).startsWith("🔴 nodeapp  "));
                // one line for nodeapp however many sections noticed it (its tasks failing, the open incident)
                assertThat(sick.problems()).filteredOn(p -> p.subject().equals("nodeapp")).singleElement()
                        .extracting(Problem::line).satisfies(l -> assertThat(l)
                                .startsWith("nodeapp: ").contains("open incident (").endsWith("— try: why nodeapp"));
            });
            String why = say(bot, "why nodeapp");
            assertThat(why).contains("Open incident", "🔴 ", "open since ", "last: ");
            String text = new HealthText(bot.reports().zone()).render(bot.reports().now(), true);
            assertThat(text).contains("Incidents", "🔴 nodeapp  ", "open incident (");

            assertThat(say(bot, "sim heal nodeapp")).contains("nodeapp is well again");
            // healthy again, but the incident stays open until it has been stable a while (15 s here): why says both
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String well = say(bot, "why nodeapp");
                return well.contains("✅ nodeapp is well") && well.contains("Open incident");
            });
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                HealthReport healed = bot.reports().now();
                List<String> lines = section(healed, "incidents").lines();
                assertThat(lines).noneSatisfy(l -> assertThat(l).startsWith("🔴 nodeapp"));
                assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("✅ nodeapp  ").contains("resolved after"));
                assertThat(healed.problems()).extracting(Problem::subject).doesNotContain("nodeapp");
            });
            assertThat(say(bot, "why nodeapp")).doesNotContain("Open incident");
        }
    }

    @Test
    void withAlertsOffTheReportHasNoIncidentsSectionAndSaysWhy() {
        OpsbotConfig off = OpsbotConfig.empty().withAlerts(new OpsbotConfig.AlertsConfig(false, null, null, null, null,
                null, null, null, null, null));
        try (Opsbot bot = Opsbot.startWith(off, home)) {
            assertThat(bot.alerts()).isEmpty();
            HealthReport report = bot.reports().now();
            assertThat(report.sections()).extracting(Section::key).doesNotContain("incidents").contains("opsbot");
            assertThat(section(report, "opsbot").lines()).anySatisfy(l -> assertThat(l).startsWith("alerts: off"));
            assertThat(say(bot, "why nodeapp")).contains("nodeapp").doesNotContain("Open incident");
        }
    }

    private static Section section(HealthReport report, String key) {
        return report.sections().stream().filter(s -> s.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " section in " + report.sections()));
    }

    private static String say(Opsbot bot, String text) {
        return new PlainText().render(bot.dispatcher().handle(new Request(text, "tester", "console", false),
                ProgressListener.NONE));
    }
}
