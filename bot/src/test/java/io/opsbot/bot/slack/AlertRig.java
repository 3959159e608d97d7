package io.opsbot.bot.slack;

import io.opsbot.alerts.AlertService;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.access.Access;
import io.opsbot.bot.render.PlainText;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.AlertsConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One opsbot replica as Main wires it for Slack, with alerts: the Opsbot (its own emulated cluster, or the one of
 * {@code cluster}), a Slack bot in HTTP mode against the fake Slack, and the alert service started with its sink.
 */
final class AlertRig implements AutoCloseable {

    static final String ALERTS = "C0ALERTS";
    static final AccessConfig ACCESS = new AccessConfig(Map.of("admin", List.of("UADMIN"), "operator", List.of("UOPS"),
            "viewer", List.of("*")), null, "5m");

    /** Test bounds: poll often, resolve after 2 s of good state; replicas and stream gaps late enough not to interfere. */
    static AlertsConfig alerts() {
        return new AlertsConfig(true, ALERTS, null, null, "500ms", "2s", "10m", null, null, "10m");
    }

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
        Opsbot o = Opsbot.startWith(config, home);
        SlackBot b = null;
        try {
            b = SlackBot.builder(new SlackConfig("http", 0, botToken, null, SlackBotTest.SECRET, slack.apiUrl()),
                            ACCESS, o.handler())
                    .emulated(o.emulated())
                    .verbRoles(Access.verbRoles(o.dispatcher().parser().grammar()))
                    .owners(o.dispatcher()::requesterOf)
                    .audit(o.dispatcher()::record)
                    .start();
            AlertService a = o.alerts().orElseThrow();
            a.start(b.alertSink(a, editInterval));
            this.alerts = a;
            if (awaitWatching) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(a::watching);
            }
        } catch (RuntimeException e) {
            if (b != null) {
                b.close();
            }
            o.close();
            throw e;
        }
        this.opsbot = o;
        this.bot = b;
        this.requests = new SignedRequests(b.httpPort(), SlackBotTest.SECRET);
    }

    /** A command as the console would send it (no access rules), answered as plain text. */
    String run(String text) {
        Response r = opsbot.handler().handle(new Request(text, "tester", "console", false), ProgressListener.NONE);
        return new PlainText().render(r);
    }

    @Override
    public void close() {
        bot.close();
        opsbot.close();
    }
}
