package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.HealthChart;
import io.opsbot.bot.render.HealthText;
import io.opsbot.health.AgentUsage;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Reports in Slack: Block Kit within Slack's limits, the chart through the external upload flow, full lists in a file. */
class SlackReportSinkTest {

    private static HealthReport report(int agents, int apps) {
        List<AgentUsage> usage = new ArrayList<>();
        for (int i = 1; i <= agents; i++) {
            usage.add(new AgentUsage("agent" + i, i % 17 != 0, i % 4, 4, 512.0 * (i % 3), 2048, 100, 35000));
        }
        List<String> appLines = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 1; i <= apps; i++) {
            if (i % 5 == 0) {
                appLines.add("app" + i + ": 1 of 2 running — a line long enough to matter for Slack's section limit");
                problems.add(new Problem(Problem.Severity.WARNING, "app" + i, "1 of 2 running", "why app" + i));
            }
        }
        List<Section> sections = List.of(
                Section.bounded("agents", "Agents: " + agents, List.of(), usage.stream().map(AgentUsage::hostname).toList(), 10),
                Section.bounded("apps", "Apps: " + apps, List.of(apps + " apps"), appLines, 10),
                new Section("opsbot", "opsbot", List.of("version 0.1.0")));
        return new HealthReport("Health report", Instant.now(), Instant.now().minus(Duration.ofHours(24)), true, problems,
                sections, usage, new TreeMap<>(), Duration.ofMillis(5), null);
    }

    private static SlackApi api(FakeSlack fake) {
        com.slack.api.SlackConfig config = new com.slack.api.SlackConfig();
        config.setMethodsEndpointUrlPrefix(fake.apiUrl());
        Slack slack = Slack.getInstance(config);
        return new SlackApi(slack.methods("xoxb-test"), slack);
    }

    @Test
    void theChartIsAPngWithOneBarGroupPerAgentUploadedInThreeCallsInOrder() throws Exception {
        HealthReport report = report(3, 20);
        assertThat(HealthChart.dataset(report.agents()).getColumnCount()).isEqualTo(3);
        assertThat(HealthChart.dataset(report.agents()).getRowKeys()).containsExactly("CPU", "memory", "disk");
        try (FakeSlack fake = new FakeSlack()) {
            new SlackReportSink(api(fake), ZoneId.of("UTC")).deliver("C0OPS", report);

            List<String> methods = fake.calls().stream().map(FakeSlack.Call::method).toList();
            assertThat(methods).containsSubsequence("chat.postMessage", "files.getUploadURLExternal", "/upload/F1",
                    "files.completeUploadExternal");
            assertThat(fake.calls("files.getUploadURLExternal").get(0).param("filename")).isEqualTo("health-report.png");
            byte[] uploaded = fake.uploads.get(0);
            int start = indexOfPng(uploaded);
            assertThat(start).as("the upload carries a PNG").isGreaterThanOrEqualTo(0);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(uploaded, start, uploaded.length - start));
            assertThat(image.getWidth()).isEqualTo(HealthChart.WIDTH);
            assertThat(image.getHeight()).isEqualTo(HealthChart.HEIGHT);
            assertThat(fake.calls("files.completeUploadExternal").get(0).param("thread_ts"))
                    .isEqualTo(fake.postedTs(0));
        }
    }

    @Test
    void aThousandAppsAndTwoHundredAgentsStayWithinSlacksLimitsWithTheFullListsInAFile() {
        HealthReport report = report(200, 1000);
        BlockKit.Message message = new BlockKit().report(new HealthText(ZoneId.of("UTC")).asReport(report, false));
        assertThat(message.blocks()).hasSizeLessThanOrEqualTo(BlockKit.MAX_BLOCKS);
        for (LayoutBlock block : message.blocks()) {
            if (block instanceof SectionBlock s && s.getText() != null) {
                assertThat(s.getText().getText().length()).isLessThanOrEqualTo(BlockKit.MAX_SECTION_TEXT);
            }
        }
        String shown = message.text() + message.blocks();
        assertThat(shown).contains("⚠️ 200 problems", "… and 190 more problems", "… and 190 more");
        try (FakeSlack fake = new FakeSlack()) {
            new SlackReportSink(api(fake), ZoneId.of("UTC")).deliver("C0OPS", report);
            assertThat(fake.calls("files.getUploadURLExternal")).extracting(c -> c.param("filename"))
                    .containsExactly("health-report.png", "health-report-full.txt");
            String full = new String(fake.uploads.get(1), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(full).contains("app1000: 1 of 2 running", "agent200");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int indexOfPng(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if ((bytes[i] & 0xff) == 0x89 && bytes[i + 1] == 'P' && bytes[i + 2] == 'N' && bytes[i + 3] == 'G') {
                return i;
            }
        }
        return -1;
    }
}
