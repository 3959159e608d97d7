package io.opsbot.bot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.bot.slack.SlackSigning;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The long-running Slack bot's part of the start-up archive's training ({@link StartupTraining}): the bot started as
 * {@code ./opsbot --config} starts it in HTTP mode ({@link Main#serveSlack}'s wiring), against a fake Slack Web API on
 * loopback that this class serves (auth.test, chat.*, the slash command's response_url), then signed slash commands
 * sent to it as Slack sends them and waited for until answered, then a clean stop. So Bolt's, the HTTP server's,
 * Quartz's and the bot's wiring classes are archived with exec's. Every wait is bounded.
 */
final class SlackTraining implements AutoCloseable {

    static final String BOT_TOKEN = "xoxb-startup-training";
    static final String SIGNING_SECRET = "startup-training-secret";
    static final String USER = "UTRAINING";
    static final String CHANNEL = "CTRAINING";
    /** How long one slash command may take to be answered before the training gives up on it. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(60);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "training-fake-slack");
        t.setDaemon(true);
        return t;
    });
    /** The Web API methods and response_url posts received, in order (e.g. "auth.test", "response"). */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger ts = new AtomicInteger(1000);
    private final AtomicInteger triggers = new AtomicInteger();

    SlackTraining() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(threads);
        server.createContext("/", this::answer);
        server.start();
    }

    /** The Web API's base URL, as slack.apiUrl. */
    String apiUrl() {
        return base() + "/api/";
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    /** The slack section (HTTP mode on a free loopback port) and roles for the training's user, as opsbot.yaml holds them. */
    Map<String, Object> slackSection() {
        return Map.of("mode", "http", "port", 0, "botToken", BOT_TOKEN, "signingSecret", SIGNING_SECRET, "apiUrl", apiUrl());
    }

    Map<String, Object> accessSection() {
        return Map.of("roles", Map.of("admin", List.of(USER)));
    }

    /**
     * Runs the bot from {@code config} as {@code ./opsbot --config} does, sends each command as a signed slash command
     * and waits until each was answered, then stops it.
     *
     * @return how many commands were not acked or not answered in time
     */
    int train(Path config, Path home, List<String> commands) throws InterruptedException {
        int failures = 0;
        Main.SlackStarted started;
        try {
            started = Main.startSlack(new io.opsbot.config.ConfigLoader().load(config), home, line -> { });
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return 1;
        }
        try (Opsbot bot = started.bot()) {
            try (SlackBot slack = started.slack()) {
                Main.Serving serving = Main.serveSlack(bot, slack);
                for (String command : commands) {
                    failures += send(slack.httpPort(), bot.config().slack().pathOrDefault(), command) ? 0 : 1;
                }
                failures += serving.awaitStarted(ANSWER_WAIT) ? 0 : 1;
            }
        }
        return failures;
    }

    /** One signed slash command; true when acked with 200 and answered (a response_url post or a chat message) in time. */
    private boolean send(int port, String path, String text) throws InterruptedException {
        int answersBefore = answers();
        String body = "token=t&team_id=T1&team_domain=t1&channel_id=" + CHANNEL + "&channel_name=ops&user_id=" + USER
                + "&user_name=training&command=" + enc(SlackBot.COMMAND) + "&text=" + enc(text) + "&api_app_id=A1"
                + "&response_url=" + enc(base() + "/response") + "&trigger_id=training." + triggers.incrementAndGet();
        long timestamp = System.currentTimeMillis() / 1000;
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setConnectTimeout(10_000);
            c.setReadTimeout(30_000);
            c.setDoOutput(true);
            c.setRequestMethod("POST");
            c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            c.setRequestProperty("X-Slack-Request-Timestamp", Long.toString(timestamp));
            c.setRequestProperty("X-Slack-Signature", signature(timestamp, body));
            try (OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            if (status != 200) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (answers() == answersBefore) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private int answers() {
        return (int) calls.stream().filter(c -> c.equals("response") || c.startsWith("chat.")).count();
    }

    static String signature(long timestamp, String body) {
        return SlackSigning.signature(SIGNING_SECRET, timestamp, body);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = path.startsWith("/api/") ? path.substring(5) : path.substring(1);
            calls.add(method);
            String json = switch (method) {
                case "auth.test" -> "{\"ok\":true,\"url\":\"https://t1.slack.com/\",\"team\":\"t1\",\"user\":\"opsbot\","
                        + "\"team_id\":\"T1\",\"user_id\":\"UBOT\",\"bot_id\":\"BBOT\"}";
                case "chat.postMessage", "chat.update" -> "{\"ok\":true,\"channel\":\"" + param(form, "channel") + "\",\"ts\":\""
                        + (param(form, "ts").isEmpty() ? ts.incrementAndGet() + ".000100" : param(form, "ts")) + "\"}";
                case "chat.postEphemeral" -> "{\"ok\":true,\"message_ts\":\"" + ts.incrementAndGet() + ".000200\"}";
                case "usergroups.users.list" -> "{\"ok\":true,\"users\":[]}";
                default -> "{\"ok\":true}";
            };
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static String param(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
