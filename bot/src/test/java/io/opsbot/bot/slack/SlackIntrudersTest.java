package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opsbot.bot.Request;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Intruders in HTTP mode: requests Slack did not sign, or signed for something else or for another time, and bodies
 * too big to be Slack's. Each is sent to the bot's real HTTP endpoint (Bolt's signature check, opsbot's transport) in
 * front of a real opsbot and its emulated cluster; none may reach the command handler, the audit log, the journal,
 * the cluster or Slack.
 */
class SlackIntrudersTest {

    /** Slack's bound on a request's age; older (or that far in the future) is a replay. */
    static final long FIVE_MINUTES = 5 * 60;

    @TempDir
    Path home;

    FakeSlack slack;
    SlackRig rig;
    final List<Request> reached = new CopyOnWriteArrayList<>();
    final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    final ListAppender<ILoggingEvent> transport = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        rig = SlackRig.with(slack).config(OpsbotConfig.empty())
                .around(handler -> (request, progress) -> {
                    reached.add(request);
                    return handler.handle(request, progress);
                })
                .start(home);
        audit.start();
        transport.start();
        ((Logger) LoggerFactory.getLogger("io.opsbot.audit")).addAppender(audit);
        ((Logger) LoggerFactory.getLogger(HttpTransport.class)).addAppender(transport);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("io.opsbot.audit")).detachAppender(audit);
        ((Logger) LoggerFactory.getLogger(HttpTransport.class)).detachAppender(transport);
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    /** A request an intruder sends: a body that would change the cluster if it got through, and how it is forged. */
    record Forgery(String entry, String kind, String body, String contentType, Map<String, String> headers) {}

    @Test
    void unsignedWronglySignedTamperedAndReplayedRequestsAreAllRefusedAndNoneReachesTheHandlerOrTheEngine() throws Exception {
        long writesBefore = rig.simWritesTotal();
        List<Forgery> forgeries = forgeries();
        Map<String, Integer> refused = new LinkedHashMap<>();
        List<String> notRefused = new ArrayList<>();

        for (Forgery f : forgeries) {
            SignedRequests.Answer answer = rig.requests.postRaw(f.body(), f.contentType(), f.headers());
            if (answer.status() == 401) {
                refused.merge(f.kind(), 1, Integer::sum);
            } else {
                notRefused.add(f.entry() + " " + f.kind() + ": HTTP " + answer.status());
            }
        }

        assertThat(notRefused).as("forged requests not refused with 401").isEmpty();
        assertThat(reached).as("requests that reached the command handler").isEmpty();
        assertThat(audit.list).as("audit lines").isEmpty();
        assertThat(rig.simWritesTotal()).as("writes the cluster accepted").isEqualTo(writesBefore);
        assertThat(slack.calls()).as("calls to Slack").noneMatch(c -> c.method().startsWith("chat."));
        assertThat(rig.run("history")).doesNotContain("scale nodeapp 3", "restart nodeapp");
        assertThat(transport.list).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(l -> l.startsWith("event=slack_request_refused status=401")).hasSize(forgeries.size());
        System.out.println("measured: forged Slack requests refused with 401 (of " + forgeries.size() + " sent, 3 entry points): "
                + refused + "; reached the handler: " + reached.size() + "; cluster writes: "
                + (rig.simWritesTotal() - writesBefore));

        // the same requests, signed as Slack signs them, do get through: the refusals above are the signature check's
        long now = SignedRequests.now();
        String genuine = rig.requests.slashCommandBody("scale nodeapp 3", "UADMIN", "C0OPS", "genuine-1");
        Map<String, String> signed = Map.of("X-Slack-Request-Timestamp", Long.toString(now),
                "X-Slack-Signature", SignedRequests.signature(SlackBotTest.SECRET, now, genuine));
        assertThat(rig.requests.postRaw(genuine, SignedRequests.FORM, signed).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        // a captured genuine request replayed within the five minutes is a retry: it runs once
        assertThat(rig.requests.postRaw(genuine, SignedRequests.FORM, signed).status()).isEqualTo(200);
        assertThat(rig.requests.postRaw(genuine, SignedRequests.FORM, signed).status()).isEqualTo(200);
        assertThat(reached).extracting(Request::text).containsExactly("scale nodeapp 3");
        assertThat(rig.run("status nodeapp")).contains("3/3 running");
    }

    /**
     * Slowloris: clients that dribble their headers, dribble their body, or declare a body and withhold it. The JDK
     * server reads requests on the transport's threads, so before the transport bounded them four such clients held
     * all four threads and Slack's own requests waited as long as they did. Here twelve of them connect and at least
     * eight hold a thread each (checked in the thread dump, not assumed), and a correctly signed command from Slack is
     * still acked — before the
     * slow clients are let go. (That the transport then cuts them at their deadline is ExchangeDeadlinesTest.)
     */
    @Test
    void slowClientsHoldingConnectionsDoNotKeepSlackWaiting() throws Exception {
        int port = rig.bot.httpPort();
        List<Socket> slow = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        // one thread writes every dribbling client's next byte at the slow clients' pace (the pace is the clients'
        // behaviour, not a wait for a result); a client the server cut fails its write and is dropped from the schedule
        ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "slow-clients");
            t.setDaemon(true);
            return t;
        });
        int each = 4;
        try {
            for (int i = 0; i < each * 3; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                slow.add(socket);
                OutputStream out = socket.getOutputStream();
                String start = "POST " + SlackConfig.DEFAULT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + SignedRequests.FORM;
                String dribble;
                switch (i % 3) {
                    case 0 -> { // headers dribbled, never ended
                        out.write((start + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
                        dribble = "a";
                    }
                    case 1 -> { // the body dribbled a byte at a time
                        out.write((start + "\r\nContent-Length: 100000\r\n\r\ntoken=").getBytes(StandardCharsets.US_ASCII));
                        dribble = "x";
                    }
                    default -> { // a body declared and withheld
                        out.write((start + "\r\nContent-Length: 5000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        dribble = null;
                    }
                }
                out.flush();
                if (dribble != null) {
                    byte[] next = dribble.getBytes(StandardCharsets.US_ASCII);
                    dribbler.scheduleAtFixedRate(() -> {
                        try {
                            out.write(next);
                            out.flush();
                        } catch (IOException cutOrReleased) {
                            throw new UncheckedIOException(cutOrReleased); // ends this client's schedule
                        }
                    }, 300, 300, TimeUnit.MILLISECONDS);
                }
            }
            // the slow clients are being read by transport threads — twice as many as the transport had before it bounded
            // its exchanges (4); not all 12 are required: on a busy machine the first may be cut (10 s) before the last
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> transportThreadsReading() >= 8);
            int held = transportThreadsReading();

            long now = SignedRequests.now();
            String body = rig.requests.slashCommandBody("status nodeapp", "UADMIN", "C0OPS", "slowloris-1");
            SignedRequests.Answer ack = rig.requests.postRaw(body, SignedRequests.FORM, Map.of("X-Slack-Request-Timestamp",
                    Long.toString(now), "X-Slack-Signature", SignedRequests.signature(SlackBotTest.SECRET, now, body)));
            assertThat(released).as("the slow clients were let go before the command was acked").isFalse();
            assertThat(ack.status()).as("the signed command's ack while %d slow clients held transport threads", held).isEqualTo(200);
            System.out.println("measured: a signed slash command acked in " + ack.took().toMillis() + " ms while " + held
                    + " slow clients (headers dribbled, body dribbled, body withheld) held transport threads");
        } finally {
            released.set(true);
            dribbler.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
        assertThat(dribbler.awaitTermination(30, TimeUnit.SECONDS)).as("the slow clients' writer stopped").isTrue();
    }

    /** Transport threads blocked reading a request from a client. */
    private static int transportThreadsReading() {
        int n = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith("opsbot-slack-http-") && java.util.Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().startsWith("sun.net.httpserver.") && f.getMethodName().equals("read"))) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsReadAndOneAtTheLimitIsTaken() throws Exception {
        long writesBefore = rig.simWritesTotal();
        int limit = HttpTransport.MAX_BODY_BYTES;

        // declared too big: the answer comes before a byte of the body is sent
        String declared = rawExchange(limit + 1);
        String huge = rawExchange(100L * 1024 * 1024 * 1024);
        // sent without a length (chunked), signed as Slack would, one byte over
        String command = rig.requests.slashCommandBody("scale nodeapp 4", "UADMIN", "C0OPS", "big-1");
        String over = padded(command, limit + 1);
        long now = SignedRequests.now();
        int chunked = chunkedPost(over, now, SignedRequests.signature(SlackBotTest.SECRET, now, over));

        assertThat(declared).startsWith("HTTP/1.1 413");
        assertThat(huge).startsWith("HTTP/1.1 413");
        assertThat(chunked).isEqualTo(413);
        assertThat(reached).isEmpty();
        assertThat(transport.list).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(l -> l.startsWith("event=slack_request_refused status=413")).hasSize(3);

        // exactly at the limit, signed: a Slack request like any other
        String atLimit = padded(rig.requests.slashCommandBody("status nodeapp", "UADMIN", "C0OPS", "big-2"), limit);
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(limit);
        assertThat(rig.requests.post(atLimit, SignedRequests.FORM, SignedRequests.now(), Map.of()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> reached.size() == 1);
        assertThat(reached.get(0).text()).isEqualTo("status nodeapp");
        assertThat(rig.simWritesTotal()).isEqualTo(writesBefore);
        System.out.println("measured: bodies over " + limit + " bytes refused with 413 (declared 1 MiB + 1, declared 100 GiB,"
                + " chunked 1 MiB + 1): 3 of 3, none reached the handler; a signed body of exactly " + limit + " bytes ran");
    }

    /** Every way to forge a request, for each entry point that would change the cluster if it got through. */
    private List<Forgery> forgeries() {
        Map<String, String[]> entries = new LinkedHashMap<>();
        entries.put("slash command", new String[] {
                rig.requests.slashCommandBody("scale nodeapp 3", "UADMIN", "C0OPS", "forged-1"), SignedRequests.FORM});
        entries.put("mention", new String[] {
                rig.requests.mentionBody("Ev-forged-1", "<@UBOT> scale nodeapp 3", "UADMIN", "C0OPS"), SignedRequests.JSON});
        entries.put("alert Restart click", new String[] {
                rig.requests.clickBody(AlertBlocks.ACTION_RESTART, "nodeapp", "UADMIN", "C0OPS", "forged-click-1"), SignedRequests.FORM});
        List<Forgery> out = new ArrayList<>();
        String secret = SlackBotTest.SECRET;
        entries.forEach((entry, bodyAndType) -> {
            String body = bodyAndType[0];
            String type = bodyAndType[1];
            long now = SignedRequests.now();
            String ts = Long.toString(now);
            String tampered = body.replace("UADMIN", "UADMIX");
            long old = now - FIVE_MINUTES - 60;
            long ahead = now + FIVE_MINUTES + 60;
            out.add(new Forgery(entry, "unsigned", body, type, Map.of()));
            out.add(new Forgery(entry, "timestamp without signature", body, type, Map.of("X-Slack-Request-Timestamp", ts)));
            out.add(new Forgery(entry, "signature without timestamp", body, type,
                    Map.of("X-Slack-Signature", SignedRequests.signature(secret, now, body))));
            out.add(new Forgery(entry, "wrong secret", body, type, signed(now, SignedRequests.signature("not-the-secret", now, body))));
            out.add(new Forgery(entry, "tampered body", tampered, type, signed(now, SignedRequests.signature(secret, now, body))));
            out.add(new Forgery(entry, "replayed (6 minutes old)", body, type, signed(old, SignedRequests.signature(secret, old, body))));
            out.add(new Forgery(entry, "6 minutes in the future", body, type, signed(ahead, SignedRequests.signature(secret, ahead, body))));
            out.add(new Forgery(entry, "signed for another timestamp", body, type,
                    signed(now, SignedRequests.signature(secret, now - 10, body))));
            out.add(new Forgery(entry, "another signature version", body, type,
                    signed(now, SignedRequests.signature(secret, now, body).replace("v0=", "v1="))));
            out.add(new Forgery(entry, "garbage signature", body, type, signed(now, "v0=" + "zz".repeat(32))));
            out.add(new Forgery(entry, "timestamp not a number", body, type,
                    Map.of("X-Slack-Request-Timestamp", "soon", "X-Slack-Signature", SignedRequests.signature(secret, now, body))));
        });
        return out;
    }

    private static Map<String, String> signed(long timestamp, String signature) {
        return Map.of("X-Slack-Request-Timestamp", Long.toString(timestamp), "X-Slack-Signature", signature);
    }

    /** {@code body} with a form field of filler added so that it is exactly {@code size} bytes. */
    private static String padded(String body, int size) {
        String field = "&filler=";
        return body + field + "x".repeat(size - body.length() - field.length());
    }

    /**
     * Headers only, declaring a body of {@code length} bytes that never comes: the status line the bot answers with.
     * A server that waited for the body would make this time out.
     */
    private String rawExchange(long length) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), rig.bot.httpPort())) {
            socket.setSoTimeout(30_000);
            long now = SignedRequests.now();
            String head = "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + SignedRequests.FORM + "\r\n"
                    + "Content-Length: " + length + "\r\nX-Slack-Request-Timestamp: " + now + "\r\n"
                    + "X-Slack-Signature: " + SignedRequests.signature(SlackBotTest.SECRET, now, "") + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            return status == null ? "(closed without an answer)" : status;
        }
    }

    /** POSTs {@code body} chunked (no Content-Length); the status, or 0 when the bot closed the connection first. */
    private int chunkedPost(String body, long timestamp, String signature) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        okhttp3.RequestBody chunked = new okhttp3.RequestBody() {
            @Override
            public okhttp3.MediaType contentType() {
                return okhttp3.MediaType.get(SignedRequests.FORM);
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
                sink.write(bytes);
            }
        };
        okhttp3.Request request = new okhttp3.Request.Builder().url("http://127.0.0.1:" + rig.bot.httpPort() + "/slack/events")
                .post(chunked).header("X-Slack-Request-Timestamp", Long.toString(timestamp)).header("X-Slack-Signature", signature)
                .build();
        try (okhttp3.Response response = new okhttp3.OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build()
                .newCall(request).execute()) {
            return response.code();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private String lastShown() {
        List<FakeSlack.Call> writes = slack.calls().stream()
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }
}
