package io.opsbot.bot.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opsbot.bot.http.ExchangeDeadlines;
import io.opsbot.bot.http.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (Prometheus text format) and {@code GET /health} (JSON; 200 when every check is
 * up, 503 naming the ones that are not) on a small JDK HTTP server. Anything else is 404.
 */
public final class OpsHttpEndpoint implements AutoCloseable {

    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** Long enough for a database ping or one HTTP round trip; short enough for a probe's own timeout. */
    public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(OpsHttpEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // a scrape and a probe at once, with room for slow checks and a couple of stalled clients; more only queue
    private static final int SERVER_THREADS = 4;
    /** Reading a request, checking and answering: the health checks are bounded well below it (checkTimeout). */
    private static final Duration EXCHANGE_DEADLINE = Duration.ofSeconds(30);
    private static final int MAX_DETAIL = 200;

    private final OpsMetrics metrics;
    private final Map<String, HealthCheck> checks;
    private final Duration checkTimeout;
    private final HttpServer server;
    private final ExchangeDeadlines serverThreads;
    private final ExecutorService checkThreads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OpsHttpEndpoint(OpsMetrics metrics, String bind, int port, Map<String, HealthCheck> checks,
                            Duration checkTimeout) throws IOException {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.checks = Map.copyOf(checks);
        this.checkTimeout = Objects.requireNonNull(checkTimeout, "checkTimeout");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, was " + port);
        }
        if (checkTimeout.isNegative() || checkTimeout.isZero()) {
            throw new IllegalArgumentException("health check timeout must be positive");
        }
        String address = bind == null || bind.isBlank() ? DEFAULT_BIND : bind;
        this.server = JdkHttpServers.create(new InetSocketAddress(address, port), 0);
        // a scraper or prober that stalls mid-request (or a slowloris) is cut after EXCHANGE_DEADLINE, freeing its thread
        Duration checkAndAnswer = checkTimeout.plus(Duration.ofSeconds(10));
        this.serverThreads = new ExchangeDeadlines("opsbot-metrics-http", SERVER_THREADS,
                checkAndAnswer.compareTo(EXCHANGE_DEADLINE) > 0 ? checkAndAnswer : EXCHANGE_DEADLINE);
        this.checkThreads = Executors.newCachedThreadPool(daemon("opsbot-health-check"));
        server.setExecutor(serverThreads);
        serverThreads.watch(server.createContext("/", this::serve));
        server.start();
        serverThreads.watchConnections(server.getAddress(), JdkHttpServers.maxConnections());
        log.info("event=metrics_endpoint_started bind={} port={} checks={}", address, port(), this.checks.keySet());
    }

    /** Starts on {@code bind} (null = 127.0.0.1) and {@code port} (0 = any free port). */
    public static OpsHttpEndpoint start(OpsMetrics metrics, String bind, int port, Map<String, HealthCheck> checks) {
        return start(metrics, bind, port, checks, DEFAULT_CHECK_TIMEOUT);
    }

    /** @param checkTimeout how long {@code /health} waits for the checks, which run side by side */
    public static OpsHttpEndpoint start(OpsMetrics metrics, String bind, int port, Map<String, HealthCheck> checks,
                                        Duration checkTimeout) {
        try {
            return new OpsHttpEndpoint(metrics, bind, port, checks, checkTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for metrics on " + bind + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address and port it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            boolean known = "/metrics".equals(path) || "/health".equals(path);
            if (!known) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
            } else if ("/metrics".equals(path)) {
                send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
            } else {
                health(exchange);
            }
        } catch (RuntimeException e) {
            log.warn("event=metrics_endpoint_failed path={} reason=\"{}\"", exchange.getRequestURI().getPath(), e.toString());
            throw e;
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        Map<String, Future<HealthCheck.Status>> running = new LinkedHashMap<>();
        checks.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(c -> running.put(c.getKey(), checkThreads.submit(c.getValue()::check)));
        long deadline = System.nanoTime() + checkTimeout.toNanos();
        Map<String, Object> results = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, Future<HealthCheck.Status>> entry : running.entrySet()) {
            HealthCheck.Status status = await(entry.getValue(), deadline);
            up &= status.up();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("status", status.up() ? "UP" : "DOWN");
            if (status.detail() != null) {
                one.put("detail", shorten(status.detail()));
            }
            results.put(entry.getKey(), one);
            if (!status.up()) {
                log.info("event=health_check_down check={} detail=\"{}\"", entry.getKey(), shorten(status.detail()));
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", up ? "UP" : "DOWN");
        document.put("checks", results);
        send(exchange, up ? 200 : 503, "application/json", JSON.writeValueAsString(document));
    }

    private HealthCheck.Status await(Future<HealthCheck.Status> future, long deadline) {
        try {
            HealthCheck.Status status = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return status == null ? HealthCheck.Status.down("the check gave no answer") : status;
        } catch (TimeoutException e) {
            future.cancel(true);
            return HealthCheck.Status.down("no answer within " + checkTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return HealthCheck.Status.down(cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return HealthCheck.Status.down("interrupted while waiting for the check");
        }
    }

    private static String shorten(String detail) {
        if (detail == null) {
            return "";
        }
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "…";
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop(0);
        } finally {
            serverThreads.close();
            checkThreads.shutdownNow();
            log.info("event=metrics_endpoint_stopped");
        }
    }
}
