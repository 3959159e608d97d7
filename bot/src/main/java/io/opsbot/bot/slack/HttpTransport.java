package io.opsbot.bot.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opsbot.bot.http.ExchangeDeadlines;
import io.opsbot.bot.http.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP mode: Slack POSTs to one path ({@code slack.path}, default {@code /slack/events}); each request goes through Bolt's own parsing and middleware
 * (signature and timestamp check: 401 when wrong or older than 5 minutes). The JDK's HTTP server carries it,
 * which spares a servlet container for one endpoint. Slack requires HTTPS: put a TLS proxy in front.
 */
final class HttpTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
    /**
     * The largest body taken, 1 MiB: Slack's biggest payload here is a button click carrying the message it sits on
     * (at most 50 blocks of 3,000 characters, form-encoded: well under 1 MiB); anything bigger is not from Slack. A
     * body declared bigger is refused before a byte of it is read, one sent without a length once it passes the bound.
     */
    static final int MAX_BODY_BYTES = 1 << 20;
    /**
     * Slack's bound on a request's age, taken both ways as Slack's own verification recipe does: Bolt refuses an
     * older timestamp but not one ahead of the clock, which Slack never sends.
     */
    static final long MAX_SKEW_SECONDS = 5 * 60;
    /**
     * Bolt's handlers only enqueue work, so a few threads would answer every request within Slack's 3 s — but the JDK
     * server reads each request on these threads too, so slow clients (slowloris) hold them: 16, each exchange cut at
     * {@link #EXCHANGE_DEADLINE}, leave room for Slack beside 15 slow clients at once.
     */
    static final int THREADS = 16;
    /**
     * Reading a request, handling it and answering: Slack itself gives up after 3 s, so a request that takes 10 s is
     * a slow or stalled client, and it is abandoned to free the thread.
     */
    static final Duration EXCHANGE_DEADLINE = Duration.ofSeconds(10);

    private final HttpServer server;
    private final ExchangeDeadlines executor;
    private final String path;

    HttpTransport(App app, String bindAddress, int port, String path) throws IOException {
        this(app, bindAddress, port, path, EXCHANGE_DEADLINE);
    }

    HttpTransport(App app, String bindAddress, int port, String path, Duration exchangeDeadline) throws IOException {
        this.path = path;
        SlackRequestParser parser = new SlackRequestParser(app.config());
        this.server = JdkHttpServers.create(new InetSocketAddress(bindAddress, port), 64);
        this.executor = new ExchangeDeadlines("opsbot-slack-http", THREADS, exchangeDeadline);
        server.setExecutor(executor);
        executor.watch(server.createContext(path, exchange -> {
            try (exchange) {
                handle(app, parser, exchange);
            } catch (RuntimeException | IOException e) {
                log.warn("event=slack_http_error error=\"{}\"", e.getMessage(), e);
            }
        }));
    }

    void start() {
        server.start();
        executor.watchConnections(server.getAddress(), JdkHttpServers.maxConnections());
        log.info("event=slack_http_listening address={} port={} path={}", server.getAddress().getHostString(), port(), path);
    }

    int port() {
        return server.getAddress().getPort();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private static void handle(App app, SlackRequestParser parser, HttpExchange exchange) throws IOException {
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            send(exchange, 405, "text/plain", "POST only");
            return;
        }
        long declared = declaredLength(exchange);
        String body = declared > MAX_BODY_BYTES ? null : readBody(exchange.getRequestBody());
        if (body == null) {
            refused(exchange, 413, "body over " + MAX_BODY_BYTES + " bytes" + (declared > 0 ? " (declared " + declared + ")" : ""));
            exchange.getResponseHeaders().set("Connection", "close");
            send(exchange, 413, "text/plain", "too large");
            return;
        }
        if (aheadOfTheClock(exchange.getRequestHeaders().getFirst("X-Slack-Request-Timestamp"))) {
            refused(exchange, 401, "timestamp more than " + MAX_SKEW_SECONDS / 60 + " minutes ahead of this clock");
            send(exchange, 401, "application/json", "{\"error\":\"invalid request\"}");
            return;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
        SlackRequestParser.HttpRequest http = SlackRequestParser.HttpRequest.builder()
                .requestUri(exchange.getRequestURI().getPath())
                .queryString(query(exchange.getRequestURI().getRawQuery()))
                .headers(new RequestHeaders(headers))
                .requestBody(body)
                .remoteAddress(exchange.getRemoteAddress().getAddress().getHostAddress())
                .build();
        com.slack.api.bolt.request.Request<?> request;
        try {
            request = parser.parse(http);
        } catch (RuntimeException e) {
            // Bolt's parser fails on payloads Slack never sends (a click without actions, a payload that is not
            // JSON): answered 400, not a dropped connection, and nothing runs (the signature is not checked yet)
            log.warn("event=slack_payload_malformed error=\"{}\"", e.toString());
            send(exchange, 400, "text/plain", "malformed Slack payload");
            return;
        }
        if (request == null) {
            refused(exchange, 400, "not a Slack request");
            send(exchange, 400, "text/plain", "not a Slack request");
            return;
        }
        Response response;
        try {
            response = app.run(request);
        } catch (Exception e) {
            log.warn("event=slack_bolt_error type={} error=\"{}\"", request.getRequestType(), e.getMessage(), e);
            send(exchange, 500, "text/plain", "error");
            return;
        }
        if (response.getStatusCode() == 401) {
            // Bolt's signature check: unsigned, wrongly signed, tampered, or older than 5 minutes (a replay)
            refused(exchange, 401, "signature or timestamp invalid");
        }
        response.getHeaders().forEach((k, values) -> values.forEach(v -> exchange.getResponseHeaders().add(k, v)));
        send(exchange, response.getStatusCode(), response.getContentType(), response.getBody());
    }

    /** One line per refused request: who sent what, never the body (it may hold anything). */
    private static void refused(HttpExchange exchange, int status, String reason) {
        log.warn("event=slack_request_refused status={} reason=\"{}\" remote={}", status, reason,
                exchange.getRemoteAddress().getAddress().getHostAddress());
    }

    /** A Slack timestamp (seconds) further ahead than Slack's bound; a missing or garbled one is Bolt's to refuse. */
    static boolean aheadOfTheClock(String timestamp) {
        if (timestamp == null) {
            return false;
        }
        try {
            return Long.parseLong(timestamp.trim()) > System.currentTimeMillis() / 1000 + MAX_SKEW_SECONDS;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The Content-Length the client declared; -1 when it sent none (chunked) or nonsense. */
    private static long declaredLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
