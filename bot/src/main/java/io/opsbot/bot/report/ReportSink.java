package io.opsbot.bot.report;

import io.opsbot.health.HealthReport;

/**
 * Where reports go: a Slack channel (Block Kit, the chart and the full lists), or the console (text and a text
 * chart). One small interface so that any chat can receive scheduled reports.
 */
@FunctionalInterface
public interface ReportSink {

    /** Delivers one report to {@code channel}; failures are the sink's to log, never thrown at the scheduler. */
    void deliver(String channel, HealthReport report);

    /**
     * Delivers one report a user asked for ({@code report now}), saying whether it arrived so that the answer can
     * tell the truth; a sink that cannot fail delivers and says yes.
     */
    default boolean deliverAsked(String channel, HealthReport report) {
        deliver(channel, report);
        return true;
    }

    /**
     * Whether this chat posts reports as messages of their own in a channel (Slack: Block Kit, the chart, the
     * thread). Then {@code report now} without a channel posts there too; otherwise (the console) the report is the
     * answer itself.
     */
    default boolean postsToChannels() {
        return false;
    }
}
