package io.opsbot.bot.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.HealthText;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.ClusterOperations;
import io.opsbot.engine.ops.HealthReporter;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Section;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of 1,000 apps and 200 agents, seeded into the sim ({@code POST /_sim/seed}) and read over HTTP by the
 * real clients: the report built from it stays inside Slack's limits by summarizing, with every line in the full lists.
 */
class ReportAtScaleTest {

    private static final int APPS = 1000;
    private static final int AGENTS = 200;
    private static final int DOWN = 5;

    @TempDir
    Path home;

    @Test
    void aThousandAppsAndTwoHundredAgentsStayInsideSlacksLimits() throws Exception {
        Instant now = Instant.now();
        try (Sim sim = Sim.start(new SimOptions(home, 0, null, 10, true)); JdbcJournal journal = JdbcJournal.inMemory()) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> seeded = http.send(HttpRequest.newBuilder(URI.create(sim.endpoints().marathonUrl() + "/_sim/seed"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"agents\": " + AGENTS + ", \"apps\": " + APPS + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);
            for (int i = 1; i <= DOWN; i++) {
                HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create(sim.endpoints().marathonUrl()
                        + String.format("/_sim/agents/scale-agent%04d/down", i * 40))).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
            }
            ClusterConfig config = new ClusterConfig(new ClusterConfig.Marathon(sim.endpoints().marathonUrl(), null, null, null),
                    new ClusterConfig.Mesos(sim.endpoints().mesosUrl(), null), null, null, null, null, null, Map.of(), Map.of(), false);
            AppCatalog catalog = AppCatalog.load(Path.of("..", "config", "apps"));
            try (ClusterClients clients = ClusterClients.connect(config)) {
                HealthReporter reporter = new HealthReporter(clients, catalog, new ClusterOperations(clients, catalog,
                        Duration.ofMinutes(1)), journal, Clock.systemUTC(), List.of());
                long started = System.nanoTime();
                HealthReport report = reporter.build("Health report", now.minus(Duration.ofHours(24)), ZoneId.of("UTC"));
                System.out.println("figures: report over " + APPS + " apps / " + AGENTS + " agents built in "
                        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms (reporter's own figure "
                        + report.buildTime().toMillis() + " ms)");

                assertThat(report.agents().size()).as("the seeded agents and the topology's").isGreaterThanOrEqualTo(AGENTS);
                assertThat(report.problems().size()).as("at least the agents taken down").isGreaterThanOrEqualTo(DOWN);
                System.out.println("figures: " + report.problems().size() + " problems, " + report.agents().size() + " agents, " + appsSectionHeading(report));
                Section appsSection = report.sections().stream().filter(s -> s.key().equals("apps")).findFirst().orElseThrow();
                assertThat(Integer.parseInt(appsSection.heading().replace("Apps: ", ""))).isGreaterThanOrEqualTo(APPS);

                BlockKit.Message message = new BlockKit().report(new HealthText(ZoneId.of("UTC")).asReport(report, false));
                assertThat(message.blocks()).hasSizeLessThanOrEqualTo(BlockKit.MAX_BLOCKS);
                for (LayoutBlock block : message.blocks()) {
                    if (block instanceof SectionBlock s && s.getText() != null) {
                        assertThat(s.getText().getText().length()).isLessThanOrEqualTo(BlockKit.MAX_SECTION_TEXT);
                    }
                }
                assertThat(message.text().length()).isLessThanOrEqualTo(BlockKit.MAX_FALLBACK_TEXT);
                java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                        io.opsbot.bot.render.HealthChart.png(report)));
                assertThat(png.getWidth()).isEqualTo(io.opsbot.bot.render.HealthChart.WIDTH);
                assertThat(io.opsbot.bot.render.HealthChart.dataset(report.agents()).getColumnCount())
                        .as("bar groups drawn, capped for readability").isEqualTo(io.opsbot.bot.render.HealthChart.MAX_AGENTS);
                String full = new HealthText(ZoneId.of("UTC")).render(report, true);
                assertThat(full).as("the full lists of the thread file").contains("scale-agent0200", "scale-agent0040", "/scale/team00/app1000");
            }
        }
    }

    private static String appsSectionHeading(HealthReport report) {
        return report.sections().stream().filter(s -> s.key().equals("apps")).map(Section::heading).findFirst().orElse("no apps section");
    }
}
