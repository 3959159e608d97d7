package io.opsbot.bot.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * A cluster of 1,000 apps and 200 agents, served as Marathon and the Mesos master document them: the report built
 * from it by the real clients stays inside Slack's limits by summarizing, with every line in the full lists.
 */
class ReportAtScaleTest {

    private static final int APPS = 1000;
    private static final int AGENTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every 10th app has an unhealthy task, every 25th is one instance short, every 40th agent is down. */
    static String apps() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode apps = root.putArray("apps");
        for (int i = 1; i <= APPS; i++) {
            ObjectNode a = apps.addObject().put("id", String.format("/team%02d/app%04d", i % 20, i)).put("instances", 2)
                    .put("cpus", 0.1).put("mem", 64).put("tasksRunning", i % 25 == 0 ? 1 : 2)
                    .put("tasksHealthy", i % 10 == 0 ? 1 : 2).put("tasksStaged", 0).put("tasksUnhealthy", i % 10 == 0 ? 1 : 0)
                    .put("version", "2026-01-01T00:00:00.000Z");
            a.putArray("healthChecks").addObject().put("protocol", "HTTP").put("path", "/health");
            a.putArray("deployments");
        }
        return root.toString();
    }

    static String state(Instant now) {
        ObjectNode root = JSON.createObjectNode().put("version", "1.4.3").put("leader", "master@127.0.0.1:5050");
        ArrayNode slaves = root.putArray("slaves");
        for (int i = 1; i <= AGENTS; i++) {
            ObjectNode s = slaves.addObject().put("id", "S" + i).put("hostname", String.format("agent%03d", i))
                    .put("active", i % 40 != 0);
            s.putObject("resources").put("cpus", 8).put("mem", 16384).put("disk", 100000);
            s.putObject("used_resources").put("cpus", (i % 8) + 0.5).put("mem", 1024.0 * (i % 16)).put("disk", 1000);
        }
        ObjectNode fw = root.putArray("frameworks").addObject().put("id", "F").put("name", "marathon").put("active", true);
        fw.putArray("tasks");
        ArrayNode completed = fw.putArray("completed_tasks");
        for (int i = 1; i <= 300; i++) {
            ObjectNode t = completed.addObject().put("id", "t" + i).put("name", String.format("team%02d.app%04d", i % 20, i))
                    .put("state", "TASK_FAILED").put("slave_id", "S" + (i % AGENTS + 1));
            t.putArray("statuses").addObject().put("state", "TASK_FAILED").put("message", "Container exited with status 1")
                    .put("timestamp", now.minusSeconds(60L * i).toEpochMilli() / 1000.0);
        }
        return root.toString();
    }

    @Test
    void aThousandAppsAndTwoHundredAgentsStayInsideSlacksLimits() throws Exception {
        Instant now = Instant.now();
        String apps = apps();
        String state = state(now);
        try (MockWebServer server = new MockWebServer(); JdbcJournal journal = JdbcJournal.inMemory()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    String path = request.getUrl().encodedPath();
                    String body = path.startsWith("/v2/apps") ? apps : path.startsWith("/master/state") ? state : null;
                    return body == null ? new MockResponse.Builder().code(404).body("{}").build()
                            : new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
                }
            });
            server.start(InetAddress.getLoopbackAddress(), 0);
            String url = server.url("/").toString();
            ClusterConfig config = new ClusterConfig(new ClusterConfig.Marathon(url, null, null, null),
                    new ClusterConfig.Mesos(url, null), null, null, null, null, null, Map.of(), Map.of(), false);
            AppCatalog catalog = AppCatalog.load(Path.of("..", "config", "apps"));
            try (ClusterClients clients = ClusterClients.connect(config)) {
                HealthReporter reporter = new HealthReporter(clients, catalog, new ClusterOperations(clients, catalog,
                        Duration.ofMinutes(1)), journal, Clock.systemUTC(), List.of());
                HealthReport report = reporter.build("Health report", now.minus(Duration.ofHours(24)), ZoneId.of("UTC"));
                System.out.println("figure: health report over " + APPS + " apps / " + AGENTS + " agents built in "
                        + report.buildTime().toMillis() + " ms");

                assertThat(report.agents()).hasSize(AGENTS);
                assertThat(report.problems()).hasSize(100 + 20 + 5 + 25); // unhealthy, under-replicated, agents down, agents nearly full
                Section appsSection = report.sections().stream().filter(s -> s.key().equals("apps")).findFirst().orElseThrow();
                assertThat(appsSection.heading()).isEqualTo("Apps: 1000");
                assertThat(appsSection.lines().get(0)).startsWith("100 unhealthy · 20 under-replicated");
                assertThat(appsSection.full()).hasSize(120);
                assertThat(report.failuresPerHour().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);

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
                assertThat(png.getHeight()).as("resources, then task failures per hour")
                        .isEqualTo(io.opsbot.bot.render.HealthChart.HEIGHT + io.opsbot.bot.render.HealthChart.FAILURES_HEIGHT);
                assertThat(io.opsbot.bot.render.HealthChart.dataset(report.agents()).getColumnCount())
                        .as("bar groups drawn, capped for readability").isEqualTo(io.opsbot.bot.render.HealthChart.MAX_AGENTS);
                String full = new HealthText(ZoneId.of("UTC")).render(report, true);
                assertThat(full).contains("app1000", "agent200", "/team10/app0010: 1 of 2 healthy (1 unhealthy)");
            }
        }
    }
}
