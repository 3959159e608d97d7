package io.opsbot.bot.slack;

import io.opsbot.alerts.AlertService;
import io.opsbot.bot.Opsbot;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.AlertsConfig;
import java.nio.file.Path;

/**
 * One opsbot replica as Main wires it for Slack ({@link SlackRig}), with alerts: the alert service started with its
 * Slack sink.
 */
final class AlertRig implements AutoCloseable {

    static final String ALERTS = "C0ALERTS";
    static final AccessConfig ACCESS = SlackRig.ACCESS;

    /** Test bounds: poll often, resolve after 2 s of good state; replicas and stream gaps late enough not to interfere. */
    static AlertsConfig alerts() {
        return new AlertsConfig(true, ALERTS, null, null, "500ms", "2s", "10m", null, null, "10m");
    }

    private final SlackRig rig;
    final Opsbot opsbot;
    final SlackBot bot;
    final AlertService alerts;
    final SignedRequests requests;

    AlertRig(OpsbotConfig config, Path home, FakeSlack slack) {
        this(config, home, slack, true);
    }

    /** @param awaitWatching return once this replica leads and hears the event stream (a follower never does) */
    AlertRig(OpsbotConfig config, Path home, FakeSlack slack, boolean awaitWatching) {
        this(config, home, slack, awaitWatching, SlackBotTest.BOT_TOKEN);
    }

    /** @param botToken the Slack token this replica calls with: the fake Slack records it, so calls show who made them */
    AlertRig(OpsbotConfig config, Path home, FakeSlack slack, boolean awaitWatching, String botToken) {
        this(config, home, slack, awaitWatching, botToken, SlackAlerts.DEFAULT_MIN_INTERVAL);
    }

    /** @param editInterval the least time between two edits of one alert message */
    AlertRig(OpsbotConfig config, Path home, FakeSlack slack, boolean awaitWatching, String botToken,
             java.time.Duration editInterval) {
        SlackRig r = SlackRig.with(slack).config(config).access(ACCESS).botToken(botToken)
                .responseUrl(SignedRequests.NO_RESPONSE_URL).start(home);
        try {
            AlertService a = r.opsbot.alerts().orElseThrow();
            a.start(r.bot.alertSink(a, editInterval));
            this.alerts = a;
            if (awaitWatching) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(a::watching);
            }
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        this.rig = r;
        this.opsbot = r.opsbot;
        this.bot = r.bot;
        this.requests = r.requests;
    }

    /** A command as the console would send it (no access rules), answered as plain text. */
    String run(String text) {
        return rig.run(text);
    }

    @Override
    public void close() {
        rig.close();
    }
}
