package io.opsbot.bot.slack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A Slack Web API on loopback that records every call and answers as Slack does. */
public final class FakeSlack implements AutoCloseable {

    /** @param status the HTTP status the fake answered (429 when it rate-limited the call); body as sent */
    public record Call(String method, Map<String, String> params, String authorization, long atNanos, int status, String body) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }

        boolean rateLimited() {
            return status == 429;
        }

        /** Text and blocks together: what a person would read. */
        public String shown() {
            return param("text") + "\n" + unescape(param("blocks"));
        }

        /** JSON's \\uXXXX escapes (Gson writes < > & = ' that way) back to characters. */
        static String unescape(String json) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\\\u([0-9a-fA-F]{4})").matcher(json);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
                        String.valueOf((char) Integer.parseInt(m.group(1), 16))));
            }
            return m.appendTail(out).toString();
        }
    }

    static final String BOT_USER = "UBOT";
    static final String TEAM = "T1";
    static final String RESPONSE_PATH = "/commands/T1/1/response";

    private final MockWebServer server = new MockWebServer();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    /** The bytes of every file uploaded to an upload_url, in order. */
    final List<byte[]> uploads = new CopyOnWriteArrayList<>();
    private final AtomicInteger ts = new AtomicInteger(1000);
    /** The ts of every message chat.postMessage created, in order. */
    private final List<String> posted = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> groups = new ConcurrentHashMap<>();
    /** Channels the bot is not a member of: chat.postMessage answers not_in_channel. */
    private final java.util.Set<String> notIn = ConcurrentHashMap.newKeySet();
    /** Per method: how many more calls answer 429 with Retry-After, and its value in seconds. */
    private final Map<String, AtomicInteger> limited = new ConcurrentHashMap<>();
    private final Map<String, Integer> retryAfter = new ConcurrentHashMap<>();
    /** Socket Mode: what the bot sent back over the WebSocket (acks with envelope ids). */
    public final java.util.concurrent.BlockingQueue<String> socketReceived = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicReference<okhttp3.WebSocket> socket = new java.util.concurrent.atomic.AtomicReference<>();

    /** When set, a call with another bearer token is answered invalid_auth, as Slack answers a wrong or revoked token. */
    private volatile String onlyToken;
    private volatile String appToken;

    public FakeSlack() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    public String apiUrl() {
        return server.url("/api/").toString();
    }

    /** From now on only {@code token} is accepted; any other gets {"ok":false,"error":"invalid_auth"}. */
    void acceptOnlyToken(String token) {
        this.onlyToken = token;
    }

    /** With {@link #acceptOnlyToken}: apps.connections.open (Socket Mode) takes this app token, as Slack takes only one. */
    void acceptAppToken(String token) {
        this.appToken = token;
    }

    void group(String id, List<String> members) {
        groups.put(id, List.copyOf(members));
    }

    void notInChannel(String channel) {
        notIn.add(channel);
    }

    /** The bot was invited: chat.postMessage works there from now on. */
    void invite(String channel) {
        notIn.remove(channel);
    }

    /** The next {@code times} calls of {@code method} answer HTTP 429 with Retry-After, as Slack does past a tier limit. */
    void rateLimit(String method, int times, int retryAfterSeconds) {
        retryAfter.put(method, retryAfterSeconds);
        limited.put(method, new AtomicInteger(times));
    }

    /** A slash command's response_url, on this server. */
    String responseUrl() {
        return server.url(RESPONSE_PATH).toString();
    }

    /** The ts Slack gave the n-th message posted (0-based). */
    String postedTs(int n) {
        return posted.get(n);
    }

    private String newPost() {
        String id = ts.incrementAndGet() + ".000100";
        posted.add(id);
        return id;
    }

    /** Forgets the calls recorded so far (a long test's memory figures should not count the fake's own records). */
    void forgetCalls() {
        calls.clear();
        uploads.clear();
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    /** Sends a Socket Mode envelope to the connected bot; false when no bot is connected. */
    public boolean sendOverSocket(String envelope) {
        okhttp3.WebSocket ws = socket.get();
        return ws != null && ws.send(envelope);
    }

    public boolean socketConnected() {
        return socket.get() != null;
    }

    @Override
    public void close() {
        okhttp3.WebSocket ws = socket.get();
        if (ws != null) {
            ws.close(1000, "test over");
        }
        server.close();
    }

    private MockResponse answer(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (path.equals("/socket")) {
            calls.add(new Call("websocket", Map.of(), null, System.nanoTime(), 101, ""));
            return new MockResponse.Builder().webSocketUpgrade(new okhttp3.WebSocketListener() {
                @Override
                public void onOpen(okhttp3.WebSocket webSocket, okhttp3.Response response) {
                    webSocket.send("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"fake\"},"
                            + "\"connection_info\":{\"app_id\":\"A1\"}}");
                    socket.set(webSocket);
                }

                @Override
                public void onMessage(okhttp3.WebSocket webSocket, String text) {
                    socketReceived.add(text);
                }
            }).build();
        }
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        String method = path.startsWith("/api/") ? path.substring(5) : path;
        long at = System.nanoTime();
        AtomicInteger left = limited.get(method);
        if (left != null && left.getAndDecrement() > 0) {
            calls.add(new Call(method, form(body), request.getHeaders().get("Authorization"), at, 429, body));
            return new MockResponse.Builder().code(429).addHeader("Retry-After", String.valueOf(retryAfter.get(method)))
                    .addHeader("Content-Type", "application/json; charset=utf-8").body("{\"ok\":false,\"error\":\"ratelimited\"}").build();
        }
        boolean upload = method.startsWith("/upload/");
        // an upload's body is the file itself (a PNG is no form): kept as bytes
        calls.add(new Call(method, upload ? Map.of() : form(body), request.getHeaders().get("Authorization"), at, 200, body));
        if (upload && request.getBody() != null) {
            uploads.add(request.getBody().toByteArray());
        }
        String authorization = request.getHeaders().get("Authorization");
        boolean appTokenCall = method.equals("apps.connections.open") && appToken != null;
        String json = onlyToken != null && !upload && !method.equals(RESPONSE_PATH)
                && !("Bearer " + (appTokenCall ? appToken : onlyToken)).equals(authorization)
                ? "{\"ok\":false,\"error\":\"invalid_auth\"}" : switch (method) {
            case "auth.test" -> "{\"ok\":true,\"url\":\"https://t1.slack.com/\",\"team\":\"t1\",\"user\":\"opsbot\",\"team_id\":\""
                    + TEAM + "\",\"user_id\":\"" + BOT_USER + "\",\"bot_id\":\"BBOT\"}";
            case "chat.postMessage" -> notIn.contains(form(body).get("channel")) ? "{\"ok\":false,\"error\":\"not_in_channel\"}" : "{\"ok\":true,\"channel\":\"" + form(body).get("channel") + "\",\"ts\":\"" + newPost()
                    + "\"}";
            case "chat.update" -> "{\"ok\":true,\"channel\":\"" + form(body).get("channel") + "\",\"ts\":\"" + form(body).get("ts") + "\"}";
            // like Slack: the bot must be in the channel to post there, even privately
            case "chat.postEphemeral" -> notIn.contains(form(body).get("channel")) ? "{\"ok\":false,\"error\":\"not_in_channel\"}"
                    : "{\"ok\":true,\"message_ts\":\"" + ts.incrementAndGet() + ".000200\"}";
            case "usergroups.users.list" -> "{\"ok\":true,\"users\":[" + String.join(",", groups.getOrDefault(form(body).get("usergroup"),
                    List.of()).stream().map(u -> "\"" + u + "\"").toList()) + "]}";
            case "files.getUploadURLExternal" -> "{\"ok\":true,\"upload_url\":\"" + server.url("/upload/F1") + "\",\"file_id\":\"F1\"}";
            case "files.completeUploadExternal" -> "{\"ok\":true,\"files\":[{\"id\":\"F1\",\"title\":\"output\"}]}";
            case "/upload/F1" -> "OK - " + body.length();
            case RESPONSE_PATH -> "{\"ok\":true}";
            case "apps.connections.open" -> "{\"ok\":true,\"url\":\"ws://127.0.0.1:" + server.getPort() + "/socket\"}";
            default -> "{\"ok\":false,\"error\":\"unknown_method\"}";
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
