package io.opsbot.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * The Slack Web API on loopback, as much of it as the bot calls here: it answers as Slack does and records every
 * call with the moment it arrived ({@link System#nanoTime()}), which is where the benchmarks stop their clocks.
 */
final class FakeSlack implements AutoCloseable {

    static final String TEAM = "T1";
    static final String BOT_USER = "UBOT";

    /** One call: the Web API method, its form parameters, and when it arrived (monotonic, and wall clock in ms). */
    record Call(String method, Map<String, String> params, long atNanos, long atMillis) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger ts = new AtomicInteger(1000);

    FakeSlack() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    String apiUrl() {
        return server.url("/api/").toString();
    }

    /** A slash command's response_url on this server. */
    String responseUrl() {
        return server.url("/commands/" + TEAM + "/response").toString();
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> calls(Predicate<Call> which) {
        return calls.stream().filter(which).toList();
    }

    void clear() {
        calls.clear();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (RuntimeException e) {
            // closing a server whose clients went away: nothing to report
        }
    }

    private MockResponse answer(RecordedRequest request) {
        long at = System.nanoTime();
        long atMillis = System.currentTimeMillis();
        String path = request.getUrl().encodedPath();
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        String method = path.startsWith("/api/") ? path.substring(5) : path;
        Map<String, String> form = form(body);
        if (method.equals("chat.postMessage")) {
            form.put("ts", ts.incrementAndGet() + ".000100"); // recorded with the call: the message's id from now on
        }
        calls.add(new Call(method, form, at, atMillis));
        String json = switch (method) {
            case "auth.test" -> "{\"ok\":true,\"url\":\"https://t1.slack.com/\",\"team\":\"t1\",\"user\":\"opsbot\",\"team_id\":\""
                    + TEAM + "\",\"user_id\":\"" + BOT_USER + "\",\"bot_id\":\"BBOT\"}";
            case "chat.postMessage" -> "{\"ok\":true,\"channel\":\"" + form.get("channel") + "\",\"ts\":\"" + form.get("ts") + "\"}";
            case "chat.update" -> "{\"ok\":true,\"channel\":\"" + form.get("channel") + "\",\"ts\":\"" + form.get("ts") + "\"}";
            case "chat.postEphemeral" -> "{\"ok\":true,\"message_ts\":\"" + ts.incrementAndGet() + ".000200\"}";
            case "files.getUploadURLExternal" -> "{\"ok\":true,\"upload_url\":\"" + server.url("/upload/F1") + "\",\"file_id\":\"F1\"}";
            case "files.completeUploadExternal" -> "{\"ok\":true,\"files\":[{\"id\":\"F1\",\"title\":\"output\"}]}";
            case "usergroups.users.list" -> "{\"ok\":true,\"users\":[]}";
            default -> method.startsWith("/") ? "{\"ok\":true}" : "{\"ok\":false,\"error\":\"unknown_method\"}";
        };
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json; charset=utf-8").body(json).build();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (body.isEmpty() || body.startsWith("{")) {
            return out;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
