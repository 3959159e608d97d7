package io.opsbot.bench;

import io.opsbot.alerts.AlertService;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.access.Access;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Slack bot in one process as Main wires it — the Opsbot (its own emulated cluster unless the configuration
 * names one), the Slack adapter in HTTP mode posting to a {@link FakeSlack}, and, when asked, alerts with their sink.
 */
final class SlackRig implements AutoCloseable {

    static final String OPERATOR = "UOPS";
    static final String CHANNEL = "C0OPS";
    static final AccessConfig ACCESS = new AccessConfig(Map.of("admin", List.of("UADMIN"), "operator", List.of(OPERATOR),
            "viewer", List.of("*")), null, "5m");

    final Opsbot opsbot;
    final SlackBot bot;
    final FakeSlack slack;
    final SlashCommands commands;

    /**
     * @param editInterval the least time between two edits of one message (Slack's default 1 s; zero shows the
     *                     pipeline without the throttle)
     * @param alertEdits   when not null, alerts are started with this least time between two edits of one alert
     */
    SlackRig(OpsbotConfig config, Path home, Duration editInterval, Duration alertEdits) throws Exception {
        this.slack = new FakeSlack();
        Opsbot o = null;
        SlackBot b = null;
        try {
            o = Opsbot.startWith(config, home);
            b = SlackBot.builder(new SlackConfig("http", 0, SlashCommands.BOT_TOKEN, null, SlashCommands.SECRET, slack.apiUrl()),
                            ACCESS, o.handler())
                    .emulated(o.emulated())
                    .verbRoles(Access.verbRoles(o.dispatcher().parser().grammar()))
                    .owners(o.dispatcher()::requesterOf)
                    .audit(o.dispatcher()::record)
                    .editInterval(editInterval)
                    .bindAddress("127.0.0.1")
                    .start();
            if (alertEdits != null) {
                AlertService a = o.alerts().orElseThrow(() -> new IllegalStateException("alerts are off in this configuration"));
                a.start(b.alertSink(a, alertEdits));
                Waits.until("the alert service to lead and hear Marathon's event stream", Duration.ofSeconds(60), a::watching);
            }
        } catch (Exception | Error e) {
            if (b != null) {
                b.close();
            }
            if (o != null) {
                o.close();
            }
            slack.close();
            throw e;
        }
        this.opsbot = o;
        this.bot = b;
        this.commands = new SlashCommands(b.httpPort(), slack.responseUrl());
    }

    String marathonUrl() {
        return opsbot.config().cluster().marathon().url();
    }

    @Override
    public void close() {
        bot.close();
        opsbot.close();
        slack.close();
    }
}
