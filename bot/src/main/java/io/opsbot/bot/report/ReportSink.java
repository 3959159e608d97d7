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
}
