package io.opsbot.bot.slack;

import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.HealthChart;
import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.report.ReportSink;
import io.opsbot.health.HealthReport;
import java.time.ZoneId;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health reports in a Slack channel: one message in Block Kit within Slack's limits (the verdict, summarized
 * sections), then in its thread the chart as a PNG and, when anything was summarized, the full report as a file.
 * Files go through Slack's current upload flow (files.getUploadURLExternal, the upload, files.completeUploadExternal).
 */
final class SlackReportSink implements ReportSink {

    private static final Logger log = LoggerFactory.getLogger(SlackReportSink.class);

    private final SlackApi api;
    private final BlockKit blocks;
    private final HealthText text;

    SlackReportSink(SlackApi api, ZoneId zone) {
        this.api = api;
        this.blocks = new BlockKit();
        this.text = new HealthText(zone);
    }

    @Override
    public void deliver(String channel, HealthReport report) {
        deliverAsked(channel, report);
    }

    @Override
    public boolean postsToChannels() {
        return true;
    }

    /** Posts the report; false when Slack refused the message (then nothing went to the thread either). */
    @Override
    public boolean deliverAsked(String channel, HealthReport report) {
        BlockKit.Message message = blocks.report(text.asReport(report, false));
        Optional<String> ts = api.post(channel, null, message);
        if (ts.isEmpty()) {
            log.warn("event=report-not-posted channel={}", channel);
            return false;
        }
        if (!report.agents().isEmpty()) {
            api.uploadFile(channel, ts.get(), "health-report.png", "Resource use per agent", HealthChart.png(report));
        }
        boolean summarized = report.sections().stream().anyMatch(s -> s.summarized())
                || report.problems().size() > io.opsbot.engine.ops.HealthReporter.PROBLEMS_SHOWN || !message.overflow().isEmpty();
        if (summarized) {
            api.upload(channel, ts.get(), "health-report-full.txt", "The full report", text.render(report, true));
        }
        return true;
    }
}
