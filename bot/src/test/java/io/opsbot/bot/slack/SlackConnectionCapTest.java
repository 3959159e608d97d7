package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.http.ExchangeDeadlines;
import io.opsbot.bot.http.JdkHttpServers;
import io.opsbot.bot.http.OpenConnections;
import io.opsbot.engine.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Slack's HTTP mode under a flood of connections that send nothing or next to nothing (slowloris at volume): 500 are
 * opened at once. The transport keeps at most {@link JdkHttpServers#maxConnections()} of them open (the JDK server
 * closes the rest as it accepts them, on its dispatcher thread, unanswered), its threads stay at their bound, the cap
 * being reached is logged once for the whole burst, and a signed command is acked once the flood's connections are
 * gone: in the bounded suite the clients let go; with OPSBOT_LONG=true they stay, and the server itself cuts them
 * (silent ones after {@code sun.net.httpserver.maxReqTime}, 10 s; slow ones at the exchange deadline).
 */
class SlackConnectionCapTest {

    private static final int FLOOD = 500;

    FakeSlack slack;
    SlackRig rig;
    final List<Request> reached = new CopyOnWriteArrayList<>();
    final ListAppender<ILoggingEvent> deadlines = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        rig = SlackRig.with(slack).bare((request, progress) -> {
            reached.add(request);
            return new Response.Answer(new Report("ok", List.of(), false));
        });
        deadlines.start();
        ((Logger) LoggerFactory.getLogger(ExchangeDeadlines.class)).addAppender(deadlines);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(ExchangeDeadlines.class)).detachAppender(deadlines);
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    @Test
    void fiveHundredSilentOrSlowConnectionsAreCappedWithBoundedThreadsAndASignedCommandIsAckedAfter() throws Exception {
        int port = rig.bot.httpPort();
        int cap = JdkHttpServers.maxConnections();
        assertThat(cap).as("the connection cap in force").isPositive().isLessThan(FLOOD);
        int threadsBefore = Thread.activeCount();
        boolean longMode = "true".equals(System.getenv("OPSBOT_LONG"));
        List<Socket> flood = new ArrayList<>();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicInteger maxThreads = new AtomicInteger();
        try {
            for (int i = 0; i < FLOOD; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                flood.add(s);
                if (i % 10 == 0) { // one in ten starts a request and never finishes it
                    OutputStream out = s.getOutputStream();
                    out.write(("POST " + io.opsbot.config.OpsbotConfig.SlackConfig.DEFAULT_PATH
                            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            // the server reached its cap (logged) and keeps at most that many open
            await().atMost(Duration.ofSeconds(60)).until(() -> sample(port, maxOpen, maxThreads) > 0 && atCapLines() == 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> sample(port, maxOpen, maxThreads) <= cap);
            // the server closed the ones over the cap (their end reaches each client a moment after it)
            int refusedAtOnce = await().atMost(Duration.ofSeconds(60)).until(() -> closedByServer(flood), n -> n >= FLOOD - cap);
            assertThat(transportThreads()).as("transport threads").isLessThanOrEqualTo(16 + 2);

            if (!longMode) {
                for (Socket s : flood) {
                    s.close();
                }
            }
            // a signed command is acked once the flood's connections are gone (tried again while the server refuses)
            long now = SignedRequests.now();
            String body = rig.requests.slashCommandBody("status nodeapp", "UADMIN", "C0OPS", "cap-1");
            SignedRequests.Answer ack = await().atMost(Duration.ofSeconds(90)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        sample(port, maxOpen, maxThreads);
                        return rig.requests.postRaw(body, SignedRequests.FORM, java.util.Map.of("X-Slack-Request-Timestamp",
                                Long.toString(now), "X-Slack-Signature", SignedRequests.signature(SlackBotTest.SECRET, now, body)));
                    }, a -> a.status() == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> reached.size() == 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> belowCapLines() == 1);

            assertThat(maxOpen.get()).as("most connections the server had open").isLessThanOrEqualTo(cap + 64 /* backlog */);
            assertThat(atCapLines()).as("'at cap' lines for the burst").isEqualTo(1);
            assertThat(reached).extracting(Request::text).containsExactly("status nodeapp");
            System.out.println("measured: " + FLOOD + " connections opened (1 in 10 slow), cap " + cap + ": closed by the "
                    + "server as accepted " + refusedAtOnce + ", most open at once " + maxOpen.get() + ", threads "
                    + threadsBefore + " before, at most " + maxThreads.get() + " during (transport "
                    + transportThreads() + "), 'at cap' logged " + atCapLines() + "x; signed command acked 200"
                    + (longMode ? " with the flood's sockets still open (the server cut them)" : " after they closed"));
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    private static int sample(int port, AtomicInteger maxOpen, AtomicInteger maxThreads) {
        int open = OpenConnections.established(port);
        maxOpen.accumulateAndGet(open, Math::max);
        maxThreads.accumulateAndGet(Thread.activeCount(), Math::max);
        return open;
    }

    /** Flood sockets whose connection the server already ended (EOF or reset), probed without blocking. */
    private static int closedByServer(List<Socket> flood) throws IOException {
        int closed = 0;
        for (Socket s : flood) {
            s.setSoTimeout(1);
            try {
                if (s.getInputStream().read() < 0) {
                    closed++;
                }
            } catch (java.net.SocketTimeoutException open) {
                // still open
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private long atCapLines() {
        return deadlines.list.stream().filter(e -> e.getFormattedMessage().startsWith("event=http_connections_at_cap server=opsbot-slack-http")).count();
    }

    private long belowCapLines() {
        return deadlines.list.stream().filter(e -> e.getFormattedMessage().startsWith("event=http_connections_below_cap server=opsbot-slack-http")).count();
    }

    private static long transportThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("opsbot-slack-http")).count();
    }
}
