package io.opsbot.bot.slack;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Requests as Slack sends them to /slack/events, signed with HMAC-SHA256 over "v0:timestamp:body". */
final class SignedRequests {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";

    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(20)).build();
    private final int port;
    private final String path;
    private final String secret;
    private final String responseUrl;

    /** A response_url that leads nowhere, for tests that do not look at what goes through it. */
    static final String NO_RESPONSE_URL = "https://hooks.slack.invalid/commands/1";

    SignedRequests(int port, String secret) {
        this(port, secret, NO_RESPONSE_URL);
    }

    /** @param responseUrl the response_url slash commands carry (the fake Slack's, to see what goes through it) */
    SignedRequests(int port, String secret, String responseUrl) {
        this(port, SlackConfig.DEFAULT_PATH, secret, responseUrl);
    }

    /** @param path where the bot takes Slack's requests (slack.path) */
    SignedRequests(int port, String path, String secret, String responseUrl) {
        this.port = port;
        this.path = path;
        this.secret = secret;
        this.responseUrl = responseUrl;
    }

    /** What came back, and how long it took. */
    record Answer(int status, String body, Duration took) {}

    Answer slashCommand(String text, String user, String channel, String triggerId) throws IOException {
        return slashCommand(text, user, channel, triggerId, Map.of());
    }

    /** @param headers more headers, e.g. a retry's X-Slack-Retry-Num and X-Slack-Retry-Reason */
    Answer slashCommand(String text, String user, String channel, String triggerId, Map<String, String> headers) throws IOException {
        return post(slashCommandBody(text, user, channel, triggerId), FORM, now(), headers);
    }

    /** A slash command's form body, as Slack sends it. */
    String slashCommandBody(String text, String user, String channel, String triggerId) {
        String body = "token=t&team_id=" + FakeSlack.TEAM + "&team_domain=t1&channel_id=" + channel + "&channel_name=ops&user_id=" + user
                + "&user_name=" + user + "&command=" + enc(SlackBot.COMMAND) + "&text=" + enc(text)
                + "&api_app_id=A1&response_url=" + enc(responseUrl) + "&trigger_id=" + triggerId;
        return body;
    }

    /** The headers of Slack's n-th retry of a delivery (1-based). */
    static Map<String, String> retry(int n, String reason) {
        return Map.of("X-Slack-Retry-Num", Integer.toString(n), "X-Slack-Retry-Reason", reason);
    }

    Answer mention(String eventId, String text, String user, String channel, Map<String, String> headers) throws IOException {
        return post(mentionBody(eventId, text, user, channel), JSON, now(), headers);
    }

    /** An app_mention event's JSON body, as Slack sends it. */
    String mentionBody(String eventId, String text, String user, String channel) {
        String body = "{\"token\":\"t\",\"team_id\":\"" + FakeSlack.TEAM + "\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"" + eventId + "\",\"event_time\":1700000000,\"event\":{\"type\":\"app_mention\",\"user\":\"" + user
                + "\",\"text\":\"" + text + "\",\"ts\":\"1700000000.000100\",\"channel\":\"" + channel
                + "\",\"event_ts\":\"1700000000.000100\"}}";
        return body;
    }

    Answer directMessage(String eventId, String text, String user, String channel) throws IOException {
        String body = "{\"token\":\"t\",\"team_id\":\"" + FakeSlack.TEAM + "\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"" + eventId + "\",\"event_time\":1700000000,\"event\":{\"type\":\"message\",\"channel_type\":\"im\",\"user\":\""
                + user + "\",\"text\":\"" + text + "\",\"ts\":\"1700000000.000200\",\"channel\":\"" + channel
                + "\",\"event_ts\":\"1700000000.000200\"}}";
        return post(body, JSON, now(), Map.of());
    }

    Answer click(String actionId, String value, String user, String channel, String triggerId) throws IOException {
        return click(actionId, value, user, channel, triggerId, Map.of());
    }

    Answer click(String actionId, String value, String user, String channel, String triggerId, Map<String, String> headers)
            throws IOException {
        return post(clickBody(actionId, value, user, channel, triggerId), FORM, now(), headers);
    }

    /** A button click's form body (payload=JSON), as Slack sends it. */
    String clickBody(String actionId, String value, String user, String channel, String triggerId) {
        String payload = "{\"type\":\"block_actions\",\"team\":{\"id\":\"" + FakeSlack.TEAM + "\",\"domain\":\"t1\"},\"user\":{\"id\":\"" + user
                + "\",\"username\":\"" + user + "\",\"team_id\":\"" + FakeSlack.TEAM + "\"},\"api_app_id\":\"A1\",\"token\":\"t\","
                + "\"trigger_id\":\"" + triggerId + "\",\"channel\":{\"id\":\"" + channel + "\",\"name\":\"ops\"},"
                + "\"container\":{\"type\":\"message\",\"message_ts\":\"1001.000100\",\"channel_id\":\"" + channel + "\"},"
                + "\"response_url\":\"" + responseUrl + "\",\"actions\":[{\"action_id\":\"" + actionId
                + "\",\"block_id\":\"b1\",\"value\":\"" + value + "\",\"type\":\"button\",\"action_ts\":\"1700000001.000\"}]}";
        return "payload=" + enc(payload);
    }

    Answer post(String body, String contentType, long timestamp, Map<String, String> headers) throws IOException {
        return postSigned(body, contentType, timestamp, signature(secret, timestamp, body), headers);
    }

    Answer postSigned(String body, String contentType, long timestamp, String signature, Map<String, String> headers) throws IOException {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("X-Slack-Request-Timestamp", Long.toString(timestamp));
        all.put("X-Slack-Signature", signature);
        all.putAll(headers);
        return postRaw(body, contentType, all);
    }

    /** Exactly these headers: no signature unless they carry one. */
    Answer postRaw(String body, String contentType, Map<String, String> headers) throws IOException {
        okhttp3.Request.Builder request = new okhttp3.Request.Builder()
                .url("http://127.0.0.1:" + port + path)
                .post(RequestBody.create(body, MediaType.get(contentType)));
        headers.forEach(request::header);
        long start = System.nanoTime();
        try (Response response = http.newCall(request.build()).execute()) {
            String text = response.body().string();
            return new Answer(response.code(), text, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String signature(String secret, long timestamp, String body) {
        return SlackSigning.signature(secret, timestamp, body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
