package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Tokens and the signing secret never reach the log, even at DEBUG and on failures. */
class SecretsNotLoggedTest {

    @Test
    void noTokenOrSecretAppearsInAnyLogLineAtDebugLevel() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        root.setLevel(Level.DEBUG);
        SlackConfig config = new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, "xapp-unused-app-token", SlackBotTest.SECRET, null);
        try (FakeSlack slack = new FakeSlack();
             SlackBot bot = SlackBot.builder(new SlackConfig("http", 0, config.botToken(), config.appToken(), config.signingSecret(),
                             slack.apiUrl()), new AccessConfig(Map.of("viewer", List.of("*")), null, null),
                     (request, progress) -> {
                         if (request.text().equals("boom")) {
                             throw new IllegalStateException("handler failed");
                         }
                         return new Response.Answer(new Report("status", List.of(), false));
                     })
                     .editInterval(Duration.ofMillis(10)).start()) {
            SignedRequests requests = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET);
            requests.slashCommand("status", "UVIEW", "C1", "t-1");
            requests.slashCommand("boom", "UVIEW", "C1", "t-2");
            requests.postSigned("text=status", SignedRequests.FORM, SignedRequests.now(), "v0=deadbeef", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1
                    && slack.calls("chat.postMessage").size() == 1);
        } finally {
            root.setLevel(before);
            root.detachAppender(lines);
        }

        assertThat(lines.list).hasSizeGreaterThan(5);
        assertThat(config.toString()).doesNotContain(config.botToken());
        for (ILoggingEvent line : lines.list) {
            String text = line.getFormattedMessage() + (line.getThrowableProxy() == null ? "" : line.getThrowableProxy().getMessage());
            assertThat(text).doesNotContain(SlackBotTest.BOT_TOKEN, SlackBotTest.SECRET, "xapp-unused-app-token");
        }
    }
}
