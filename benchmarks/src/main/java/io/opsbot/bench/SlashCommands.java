package io.opsbot.bench;

import io.opsbot.bot.slack.SlackSigning;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Slash commands as Slack sends them to the bot's /slack/events: a form body signed with HMAC-SHA256 over
 * "v0:timestamp:body" with the signing secret, so they pass Bolt's real request verification.
 */
final class SlashCommands {

    static final String SECRET = "bench-signing-secret";
    static final String BOT_TOKEN = "xoxb-bench-token";
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");

    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(60))
            .connectionPool(new ConnectionPool(64, 1, java.util.concurrent.TimeUnit.MINUTES)).build();
    private final String url;
    private final String responseUrl;
    private final AtomicLong triggers = new AtomicLong();
    /** Trigger ids are unique across instances and processes: the bot runs a trigger id it saw before only once. */
    private final String triggerPrefix = "bench." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".";

    SlashCommands(int port, String responseUrl) {
        this.url = "http://127.0.0.1:" + port + "/slack/events";
        this.responseUrl = responseUrl;
    }

    /** What the bot answered (its ack) and the nanoTime when the answer was read. */
    record Ack(int status, String body, long sentNanos, long answeredNanos) {
        long nanos() {
            return answeredNanos - sentNanos;
        }
    }

    /** A slash command's form body and its Slack signature headers, made as Slack makes them. */
    record Signed(String body, long timestamp, String signature) {
    }

    Signed signed(String text, String user, String channel) {
        String body = "token=t&team_id=" + FakeSlack.TEAM + "&team_domain=t1&channel_id=" + channel + "&channel_name=ops"
                + "&user_id=" + user + "&user_name=" + user + "&command=" + enc("/ops") + "&text=" + enc(text)
                + "&api_app_id=A1&response_url=" + enc(responseUrl) + "&trigger_id=" + triggerPrefix + triggers.incrementAndGet();
        long timestamp = System.currentTimeMillis() / 1000;
        return new Signed(body, timestamp, signature(timestamp, body));
    }

    Ack send(String text, String user, String channel) throws IOException {
        Signed signed = signed(text, user, channel);
        okhttp3.Request request = new okhttp3.Request.Builder().url(url)
                .post(RequestBody.create(signed.body(), FORM))
                .header("X-Slack-Request-Timestamp", Long.toString(signed.timestamp()))
                .header("X-Slack-Signature", signed.signature())
                .build();
        long sent = System.nanoTime();
        try (Response response = http.newCall(request).execute()) {
            String answer = response.body().string();
            return new Ack(response.code(), answer, sent, System.nanoTime());
        }
    }

    static String signature(long timestamp, String body) {
        return SlackSigning.signature(SECRET, timestamp, body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
