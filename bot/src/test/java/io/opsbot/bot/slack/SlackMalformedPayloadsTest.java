package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Correctly signed payloads that are not what Slack sends — clicks without actions, user or channel, events without
 * text, slash commands without a user, a 100 KB text, a payload that is not JSON — through Bolt's real HTTP handling:
 * none gets a 5xx (which Slack would retry), none reaches the pipeline with a missing user or channel, and the bot
 * keeps answering a normal command after them.
 */
class SlackMalformedPayloadsTest {

    private FakeSlack slack;
    private SlackBot bot;
    private final List<Request> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void malformedPayloadsAreAcknowledgedOrRefusedNeverAServerErrorAndTheBotKeepsServing() throws Exception {
        slack = new FakeSlack();
        bot = SlackBot.builder(new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, null, SlackBotTest.SECRET, slack.apiUrl()),
                        new io.opsbot.config.OpsbotConfig.AccessConfig(Map.of("viewer", List.of("*")), null, "5m"),
                        (request, progress) -> {
                            handled.add(request);
                            return new Response.Answer(new Report("ok", List.of(), false));
                        })
                .editInterval(Duration.ofMillis(50)).bindAddress("127.0.0.1").start();
        SignedRequests requests = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET, slack.responseUrl());
        String team = "\"team\":{\"id\":\"" + FakeSlack.TEAM + "\",\"domain\":\"t1\"},\"api_app_id\":\"A1\",\"token\":\"t\"";
        String user = "\"user\":{\"id\":\"UOPS\",\"username\":\"ops\",\"team_id\":\"" + FakeSlack.TEAM + "\"}";
        String channel = "\"channel\":{\"id\":\"C0OPS\",\"name\":\"ops\"}";
        Map<String, String> clicks = new LinkedHashMap<>();
        for (String action : List.of("opsbot.confirm", "opsbot.decline", "opsbot.cancel", "opsbot.alert.restart")) {
            String button = "{\"action_id\":\"" + action + "\",\"block_id\":\"b1\",\"type\":\"button\",\"value\":\"nodeapp\"}";
            clicks.put(action + " without actions", "{\"type\":\"block_actions\"," + team + "," + user + "," + channel
                    + ",\"trigger_id\":\"t-" + action + "-1\"}");
            clicks.put(action + " with no action", "{\"type\":\"block_actions\"," + team + "," + user + "," + channel
                    + ",\"trigger_id\":\"t-" + action + "-2\",\"actions\":[]}");
            clicks.put(action + " without a user", "{\"type\":\"block_actions\"," + team + "," + channel
                    + ",\"trigger_id\":\"t-" + action + "-3\",\"actions\":[" + button + "]}");
            clicks.put(action + " without a channel", "{\"type\":\"block_actions\"," + team + "," + user
                    + ",\"trigger_id\":\"t-" + action + "-4\",\"actions\":[" + button + "]}");
            clicks.put(action + " without a value", "{\"type\":\"block_actions\"," + team + "," + user + "," + channel
                    + ",\"trigger_id\":\"t-" + action + "-5\",\"actions\":[{\"action_id\":\"" + action + "\",\"type\":\"button\"}]}");
            clicks.put(action + " with a value of the wrong type", "{\"type\":\"block_actions\"," + team + "," + user + ","
                    + channel + ",\"trigger_id\":\"t-" + action + "-6\",\"actions\":[{\"action_id\":\"" + action
                    + "\",\"type\":\"button\",\"value\":{\"a\":[1]}}]}");
        }
        clicks.put("not JSON", "{\"type\":\"block_actions\",");
        clicks.put("JSON null", "null");
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (Map.Entry<String, String> click : clicks.entrySet()) {
            statuses.put(click.getKey(), requests.post("payload=" + URLEncoder.encode(click.getValue(), StandardCharsets.UTF_8),
                    SignedRequests.FORM, SignedRequests.now(), Map.of()).status());
        }
        String event = "{\"token\":\"t\",\"team_id\":\"" + FakeSlack.TEAM + "\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_time\":1700000000,";
        statuses.put("mention without text", requests.post(event + "\"event_id\":\"Ev1\",\"event\":{\"type\":\"app_mention\","
                + "\"user\":\"UOPS\",\"channel\":\"C0OPS\",\"ts\":\"1.1\"}}", SignedRequests.JSON, SignedRequests.now(), Map.of()).status());
        statuses.put("DM without a user", requests.post(event + "\"event_id\":\"Ev2\",\"event\":{\"type\":\"message\","
                + "\"channel_type\":\"im\",\"text\":\"status\",\"channel\":\"D1\",\"ts\":\"1.2\"}}", SignedRequests.JSON,
                SignedRequests.now(), Map.of()).status());
        statuses.put("event of the wrong type", requests.post(event + "\"event_id\":\"Ev3\",\"event\":[1,2]}",
                SignedRequests.JSON, SignedRequests.now(), Map.of()).status());
        statuses.put("slash command without text or user", requests.post("token=t&team_id=" + FakeSlack.TEAM
                + "&channel_id=C0OPS&command=%2Fops&trigger_id=s1", SignedRequests.FORM, SignedRequests.now(), Map.of()).status());
        statuses.put("slash command of 100 KB", requests.slashCommand("status " + "x".repeat(100_000), "UOPS", "C0OPS", "s2").status());

        System.out.println("malformed Slack payloads, HTTP status each got: " + statuses);
        assertThat(statuses).allSatisfy((what, status) -> assertThat(status).as(what).isLessThan(500));

        SignedRequests.Answer fine = requests.slashCommand("status", "UOPS", "C0OPS", "s3");
        assertThat(fine.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.stream().anyMatch(r -> "status".equals(r.text())));
        assertThat(handled).allSatisfy(r -> {
            assertThat(r.user()).as("user of %s", r.text()).isNotBlank();
            assertThat(r.channel()).as("channel of %s", r.text()).isNotBlank();
        });
    }
}
