package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import io.opsbot.engine.Sleeper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Start-up when Slack cannot be reached or refuses a token: one line saying what failed, retries with backoff. */
class SlackStartupTest {

    private static final AccessConfig ACCESS = new AccessConfig(Map.of("viewer", List.of("*")), null, null);

    private final List<String> said = new CopyOnWriteArrayList<>();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void captureLog() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        root.detachAppender(logged);
        root.setLevel(rootLevel);
    }

    /** Records each pause instead of sleeping; the n-th pause ends the retrying (as an interrupt would). */
    private Sleeper stopAfter(int attempts) {
        return pause -> {
            pauses.add(pause);
            if (pauses.size() >= attempts) {
                throw new InterruptedException("test over");
            }
        };
    }

    private static SlackBot.Builder socketBot(String apiUrl) {
        return SlackBot.builder(new SlackConfig("socket", null, SlackBotTest.BOT_TOKEN, SocketModeTest.APP_TOKEN, null, apiUrl),
                ACCESS, (request, progress) -> new Response.Answer(new Report("status", List.of(), false)));
    }

    private static int closedLoopbackPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableSlackIsSaidInOneLineAndRetriedWithGrowingJitteredBackoff() throws Exception {
        String apiUrl = "http://127.0.0.1:" + closedLoopbackPort() + "/api/";

        assertThatThrownBy(() -> socketBot(apiUrl).reconnect(SlackBot.RECONNECT, stopAfter(4)).startRetrying(said::add))
                .isInstanceOf(InterruptedException.class);

        assertThat(said).hasSize(4);
        for (int i = 0; i < said.size(); i++) {
            assertThat(said.get(i))
                    .doesNotContain("\n")
                    .startsWith("cannot reach Slack at " + apiUrl + ": ConnectException")
                    .contains("(attempt " + (i + 1) + "; trying again in ");
        }
        // 1 s doubling, each pause a random point in the upper half of its cap: growing, bounded, jittered
        for (int i = 0; i < pauses.size(); i++) {
            Duration cap = Duration.ofSeconds(1L << i);
            assertThat(pauses.get(i)).isBetween(cap.dividedBy(2), cap);
        }
        assertThat(pauses.get(3)).isGreaterThan(pauses.get(0));
        List<ILoggingEvent> attempts = logged.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("event=slack_connect_failed")).toList();
        assertThat(attempts).hasSize(4).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).doesNotContain("\n").contains("reason=\"cannot reach Slack at ");
        });
        assertThat(attempts.get(2).getFormattedMessage()).contains("attempt=3 retry_in=");
        // stack traces only at debug level
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
    }

    @Test
    void aRejectedBotTokenStopsAtOnceWithOneLineAndNoRetry() throws Exception {
        try (MockWebServer slack = answering("auth.test", "{\"ok\":false,\"error\":\"invalid_auth\"}")) {
            assertThatThrownBy(() -> socketBot(slack.url("/api/").toString()).reconnect(SlackBot.RECONNECT, stopAfter(1))
                    .startRetrying(said::add))
                    .isExactlyInstanceOf(OpsException.class)
                    .hasMessage("Slack rejected the bot token (slack.botToken): invalid_auth");
            assertThat(slack.getRequestCount()).isEqualTo(1);
        }
        assertThat(pauses).isEmpty();
        assertThat(said).isEmpty();
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
    }

    @Test
    void aRejectedAppTokenIsNamedAsSuch() throws Exception {
        try (MockWebServer slack = answering("apps.connections.open", "{\"ok\":false,\"error\":\"invalid_auth\"}")) {
            assertThatThrownBy(() -> socketBot(slack.url("/api/").toString()).start())
                    .isExactlyInstanceOf(OpsException.class)
                    .hasMessage("Slack rejected the app-level token (slack.appToken): invalid_auth");
        }
    }

    @Test
    void rateLimitedOrFailingSlackIsRetriedAndTheBotConnectsWhenItAnswers() throws Exception {
        try (FakeSlack slack = new FakeSlack()) {
            slack.rateLimit("auth.test", 2, 1);
            try (SlackBot bot = socketBot(slack.apiUrl()).reconnect(SlackBot.RECONNECT, stopAfter(10)).startRetrying(said::add)) {
                await().atMost(Duration.ofSeconds(30)).until(slack::socketConnected);
                assertThat(bot.httpPort()).isEqualTo(-1);
            }
            assertThat(said).hasSize(3);
            assertThat(said.get(0)).startsWith("Slack at " + slack.apiUrl() + " answered HTTP 429 ratelimited (attempt 1;");
            assertThat(said.get(2)).isEqualTo("connected to Slack after 3 attempts");
            assertThat(pauses).hasSize(2);
        }
    }

    @Test
    void aHostThatDoesNotResolveIsNamedWithTheException() {
        SlackReachability reachability = new SlackReachability("https://slack.com/api/");
        assertThatThrownBy(() -> reachability.call("the bot token (slack.botToken)", () -> {
            throw new java.io.IOException("connect failed", new UnknownHostException("slack.com"));
        }))
                .isInstanceOf(SlackReachability.Unreachable.class)
                .hasMessage("cannot reach Slack at https://slack.com/api/: UnknownHostException: slack.com");
    }

    /** A Slack Web API on loopback that answers {@code method} with {@code json} and every other method with ok. */
    private static MockWebServer answering(String method, String json) throws Exception {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                String body = path.equals("/api/" + method) ? json
                        : path.equals("/api/auth.test") ? "{\"ok\":true,\"team_id\":\"T1\",\"user_id\":\"UBOT\",\"bot_id\":\"BBOT\"}"
                        : "{\"ok\":true}";
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json; charset=utf-8")
                        .body(body).build();
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
        return server;
    }
}
