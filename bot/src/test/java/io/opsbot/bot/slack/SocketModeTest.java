package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Socket Mode, the default: apps.connections.open with the app token, then envelopes over a WebSocket on loopback. */
class SocketModeTest {

    static final String APP_TOKEN = "xapp-1-A1-test-secret-app-token";

    FakeSlack slack;
    SlackBot bot;

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
    void aSlashCommandOverTheSocketIsAckedAtOnceAndARetriedEventRunsOnce() throws Exception {
        slack = new FakeSlack();
        List<Request> handled = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        bot = SlackBot.builder(new SlackConfig(null, null, SlackBotTest.BOT_TOKEN, APP_TOKEN, null, slack.apiUrl()),
                new AccessConfig(Map.of("viewer", List.of("*")), null, null), (request, progress) -> {
                    handled.add(request);
                    if (request.text().equals("status slow")) {
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return new Response.Answer(new Report("status", List.of(), false));
                }).editInterval(Duration.ofMillis(50)).start();

        await().atMost(Duration.ofSeconds(10)).until(slack::socketConnected);
        // Bolt opens a connection URL when it builds the client and again when it connects
        assertThat(slack.calls("apps.connections.open")).isNotEmpty()
                .allSatisfy(c -> assertThat(c.authorization()).isEqualTo("Bearer " + APP_TOKEN));

        long sent = System.nanoTime();
        slack.sendOverSocket("{\"envelope_id\":\"env-1\",\"type\":\"slash_commands\",\"accepts_response_payload\":true,\"payload\":{"
                + "\"token\":\"t\",\"team_id\":\"T1\",\"team_domain\":\"t1\",\"channel_id\":\"C0OPS\",\"channel_name\":\"ops\","
                + "\"user_id\":\"UVIEW\",\"user_name\":\"v\",\"command\":\"/ops\",\"text\":\"status slow\",\"api_app_id\":\"A1\","
                + "\"response_url\":\"https://hooks.slack.invalid/1\",\"trigger_id\":\"trig-s1\"}}");
        String ack = slack.socketReceived.poll(3, TimeUnit.SECONDS);
        long ackMs = (System.nanoTime() - sent) / 1_000_000;
        System.out.println("measured: socket mode ack while the handler blocks: " + ackMs + " ms");
        assertThat(ack).contains("\"envelope_id\":\"env-1\"");
        assertThat(ackMs).isLessThan(3000);
        release.countDown();

        String event = "{\"token\":\"t\",\"team_id\":\"T1\",\"api_app_id\":\"A1\",\"type\":\"event_callback\",\"event_id\":\"EvS1\","
                + "\"event_time\":1700000000,\"event\":{\"type\":\"app_mention\",\"user\":\"UVIEW\",\"text\":\"<@UBOT> status\","
                + "\"ts\":\"1700000000.000100\",\"channel\":\"C0OPS\",\"event_ts\":\"1700000000.000100\"}}";
        slack.sendOverSocket("{\"envelope_id\":\"env-2\",\"type\":\"events_api\",\"accepts_response_payload\":false,"
                + "\"retry_attempt\":0,\"retry_reason\":\"\",\"payload\":" + event + "}");
        slack.sendOverSocket("{\"envelope_id\":\"env-3\",\"type\":\"events_api\",\"accepts_response_payload\":false,"
                + "\"retry_attempt\":1,\"retry_reason\":\"timeout\",\"payload\":" + event + "}");

        List<String> acks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            acks.add(slack.socketReceived.poll(3, TimeUnit.SECONDS));
        }
        assertThat(String.join(" ", acks)).contains("env-2", "env-3");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 2);
        Thread.sleep(300);
        assertThat(handled).extracting(Request::text).containsExactlyInAnyOrder("status slow", "status");
    }
}
