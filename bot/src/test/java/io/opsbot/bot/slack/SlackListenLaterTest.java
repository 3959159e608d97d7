package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * HTTP mode with {@link SlackBot.Builder#listenLater()}, as the bot's overlapped start uses it: Slack's part of the
 * start is done (auth.test) but nothing listens until {@link SlackBot#listen()}; then signed requests are taken.
 */
class SlackListenLaterTest {

    private final AccessConfig access = new AccessConfig(Map.of("viewer", List.of("*")), null, null);

    @Test
    void nothingListensUntilListenThenSignedCommandsAreTaken() throws Exception {
        List<Request> handled = new CopyOnWriteArrayList<>();
        try (FakeSlack slack = new FakeSlack();
             SlackBot bot = SlackBot.builder(new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, null, SlackBotTest.SECRET,
                             slack.apiUrl()), access, (request, progress) -> {
                         handled.add(request);
                         return new Response.Answer(new Report("status", List.of(), false));
                     })
                     .editInterval(Duration.ofMillis(50)).bindAddress("127.0.0.1").listenLater().start()) {
            assertThat(slack.calls("auth.test")).as("Slack's part of the start is done").isNotEmpty();
            assertThat(bot.httpPort()).as("no port is bound before listen()").isEqualTo(-1);

            bot.listen();

            SignedRequests.Answer answer = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET, slack.responseUrl())
                    .slashCommand("status", SlackBotTest.VIEWER, SlackBotTest.CHANNEL, "trig-listen-later-1");
            assertThat(answer.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 1);
            assertThat(handled.get(0).text()).isEqualTo("status");
            assertThatThrownBy(bot::listen).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void withoutListenLaterItListensAtStartAndListenIsRefused() throws Exception {
        try (FakeSlack slack = new FakeSlack();
             SlackBot bot = SlackBot.builder(new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, null, SlackBotTest.SECRET,
                             slack.apiUrl()), access, (request, progress) -> new Response.Answer(new Report("status", List.of(), false)))
                     .bindAddress("127.0.0.1").start()) {
            assertThat(bot.httpPort()).isPositive();
            assertThatThrownBy(bot::listen).isInstanceOf(IllegalStateException.class);
        }
    }
}
