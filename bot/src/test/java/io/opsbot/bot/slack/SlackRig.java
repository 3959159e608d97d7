package io.opsbot.bot.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Main;
import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.render.PlainText;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;

/**
 * The Slack set-up the end-to-end tests share: an opsbot (its own emulated cluster unless the configuration names one)
 * wired to Slack exactly as {@link Main} wires it, in HTTP mode on an ephemeral loopback port, talking to a
 * {@link FakeSlack}, and {@link SignedRequests} to send it requests as Slack signs them.
 *
 * <p>{@link #bare} is the same without an opsbot: the Slack adapter around a handler of the test's own.
 */
final class SlackRig implements AutoCloseable {

    private static final OkHttpClient SIM_HTTP = new OkHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static final AccessConfig ACCESS = new AccessConfig(Map.of("admin", List.of("UADMIN"), "operator", List.of("UOPS"),
            "viewer", List.of("*")), null, "5m");

    final FakeSlack slack;
    /** Null for a {@link #bare} rig. */
    final Opsbot opsbot;
    final SlackBot bot;
    final SignedRequests requests;

    private SlackRig(FakeSlack slack, Opsbot opsbot, SlackBot bot, String responseUrl) {
        this.slack = slack;
        this.opsbot = opsbot;
        this.bot = bot;
        this.requests = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET, responseUrl);
    }

    static Builder with(FakeSlack slack) {
        return new Builder(slack);
    }

    /** The fake Slack's config for a bot in HTTP mode on port 0, with {@code botToken}. */
    static SlackConfig httpConfig(FakeSlack slack, String botToken) {
        return new SlackConfig("http", 0, botToken, null, SlackBotTest.SECRET, slack.apiUrl());
    }

    /** The emulated cluster's own record of the writes it accepted after {@code after} ({@code GET /_sim/writes}). */
    List<JsonNode> simWrites(long after) {
        List<JsonNode> out = new ArrayList<>();
        simControl("/_sim/writes?after=" + after).path("writes").forEach(out::add);
        return out;
    }

    /** How many writes the emulated cluster has accepted so far. */
    long simWritesTotal() {
        return simControl("/_sim/writes?after=" + Long.MAX_VALUE).path("total").asLong();
    }

    private JsonNode simControl(String path) {
        okhttp3.Request request = new okhttp3.Request.Builder().url(opsbot.config().cluster().marathon().url() + path).build();
        try (okhttp3.Response response = SIM_HTTP.newCall(request).execute()) {
            if (response.code() != 200) {
                throw new IllegalStateException("sim control " + path + " answered " + response.code());
            }
            return JSON.readTree(response.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command as the console would send it (no access rules), answered as plain text. */
    String run(String text) {
        return new PlainText().render(opsbot.handler().handle(new Request(text, "tester", "console", false), ProgressListener.NONE));
    }

    @Override
    public void close() {
        try {
            bot.close();
        } finally {
            if (opsbot != null) {
                opsbot.close();
            }
        }
    }

    static final class Builder {
        private final FakeSlack slack;
        private OpsbotConfig config = OpsbotConfig.empty();
        private AccessConfig access = ACCESS;
        private String botToken = SlackBotTest.BOT_TOKEN;
        private UnaryOperator<CommandHandler> around = UnaryOperator.identity();
        private Consumer<SlackBot.Builder> settings = b -> { };
        private String responseUrl;

        private Builder(FakeSlack slack) {
            this.slack = Objects.requireNonNull(slack, "slack");
        }

        Builder config(OpsbotConfig value) {
            this.config = value;
            return this;
        }

        Builder access(AccessConfig value) {
            this.access = value;
            return this;
        }

        /** The token the bot calls the fake Slack with (the fake records it, so calls show which replica made them). */
        Builder botToken(String value) {
            this.botToken = value;
            return this;
        }

        /** Wraps opsbot's handler, e.g. to see what reaches it (only what access lets through does). */
        Builder around(UnaryOperator<CommandHandler> value) {
            this.around = value;
            return this;
        }

        /** More settings of the Slack adapter (workers, edit interval, clock). */
        Builder settings(Consumer<SlackBot.Builder> value) {
            this.settings = value;
            return this;
        }

        /** The response_url slash commands and clicks carry; the fake Slack's by default. */
        Builder responseUrl(String value) {
            this.responseUrl = value;
            return this;
        }

        /** Starts an opsbot in {@code home} and its Slack adapter, wired as Main wires them. */
        SlackRig start(Path home) {
            Opsbot opsbot = Opsbot.startWith(config, home);
            try {
                SlackBot.Builder b = Main.slackBuilder(opsbot, httpConfig(slack, botToken), access, around.apply(opsbot.handler()))
                        .bindAddress("127.0.0.1");
                settings.accept(b);
                return new SlackRig(slack, opsbot, b.start(), responseUrl());
            } catch (RuntimeException | Error e) {
                opsbot.close();
                throw e;
            }
        }

        /** Only the Slack adapter, around {@code handler} (no opsbot, no cluster). */
        SlackRig bare(CommandHandler handler) {
            SlackBot.Builder b = SlackBot.builder(httpConfig(slack, botToken), access, around.apply(handler)).bindAddress("127.0.0.1");
            settings.accept(b);
            return new SlackRig(slack, null, b.start(), responseUrl());
        }

        private String responseUrl() {
            return responseUrl != null ? responseUrl : slack.responseUrl();
        }
    }
}
