package io.opsbot.bot.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP mode: Slack POSTs to one path ({@code slack.path}, default {@code /slack/events}); each request goes through Bolt's own parsing and middleware
 * (signature and timestamp check: 401 when wrong or older than 5 minutes). The JDK's HTTP server carries it,
 * which spares a servlet container for one endpoint. Slack requires HTTPS: put a TLS proxy in front.
 */
final class HttpTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
    /** Slack's payloads are small; anything bigger is not from Slack. */
    private static final int MAX_BODY_BYTES = 1 << 20;
    /** Bolt's handlers only enqueue work, so a few threads answer every request within Slack's 3 s. */
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String path;

    HttpTransport(App app, String bindAddress, int port, String path) throws IOException {
        this.path = path;
        SlackRequestParser parser = new SlackRequestParser(app.config());
        this.server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
        this.executor = Executors.newFixedThreadPool(THREADS, Threads.named("opsbot-slack-http"));
        server.setExecutor(executor);
        server.createContext(path, exchange -> {
            try (exchange) {
                handle(app, parser, exchange);
            } catch (RuntimeException | IOException e) {
                log.warn("event=slack_http_error error=\"{}\"", e.getMessage(), e);
            }
        });
    }

    void start() {
        server.start();
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
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void handle(App app, SlackRequestParser parser, HttpExchange exchange) throws IOException {
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            send(exchange, 405, "text/plain", "POST only");
            return;
        }
        String body = readBody(exchange.getRequestBody());
        if (body == null) {
            send(exchange, 413, "text/plain", "too large");
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
        com.slack.api.bolt.request.Request<?> request = parser.parse(http);
        if (request == null) {
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
        response.getHeaders().forEach((k, values) -> values.forEach(v -> exchange.getResponseHeaders().add(k, v)));
        send(exchange, response.getStatusCode(), response.getContentType(), response.getBody());
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
