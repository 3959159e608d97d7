package io.opsbot.cluster.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Sends requests to one component and reads the answers fully, translating "no answer" into a
 * {@link TransientException} that names the component and its URL:
 * "Marathon at http://node1:8080 is unreachable: connection refused".
 */
public final class ApiCaller {

    public static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    /**
     * Bodies beyond this are a misconfiguration (wrong URL, endless stream) or a list too large to hold, not an answer
     * to parse: 32 MiB is Marathon's /v2/apps with tasks embedded for about 100,000 tasks, and parsed it takes a few
     * hundred MiB of heap, which is as much as the bot may spend on one answer.
     */
    public static final long MAX_BODY_BYTES = 32L * 1024 * 1024;

    private final String component;
    private final HttpUrl base;
    private final OkHttpClient client;

    public ApiCaller(String component, String baseUrl, OkHttpClient client) {
        this.component = Objects.requireNonNull(component, "component");
        this.base = parseBaseUrl(component, baseUrl);
        this.client = Objects.requireNonNull(client, "client");
    }

    public static HttpUrl parseBaseUrl(String component, String baseUrl) {
        HttpUrl parsed = baseUrl == null ? null : HttpUrl.parse(baseUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("not a valid URL for " + component + ": " + baseUrl);
        }
        return parsed;
    }

    public String component() {
        return component;
    }

    public HttpUrl base() {
        return base;
    }

    public OkHttpClient client() {
        return client;
    }

    /** A URL builder positioned at the base URL (its path kept, so a base like http://host/marathon works). */
    public HttpUrl.Builder url() {
        HttpUrl.Builder builder = base.newBuilder();
        // Drop a trailing empty segment so that addPathSegment does not produce "//".
        if (base.pathSegments().size() > 0 && base.pathSegments().get(base.pathSegments().size() - 1).isEmpty()) {
            builder.removePathSegment(base.pathSegments().size() - 1);
        }
        return builder;
    }

    public static RequestBody jsonBody(JsonNode node) {
        try {
            return RequestBody.create(Json.MAPPER.writeValueAsBytes(node), JSON);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JsonNode", e);
        }
    }

    public ApiResponse send(Request request) {
        String path = Redact.pathAndQuery(request.url());
        String origin = Redact.origin(request.url());
        try (Response response = client.newCall(request).execute()) {
            return new ApiResponse(component, origin, request.method(), path, response.code(), response.headers(),
                    readBody(response, origin, request.method(), path));
        } catch (SSLException e) {
            // A certificate problem is configuration, not something a retry fixes.
            throw new OpsException("TLS with " + component + " at " + origin + " failed: " + TlsFailure.describe(e)
                    + "; refusing to talk to it", e);
        } catch (IOException e) {
            throw unreachable(origin, e);
        }
    }

    public TransientException unreachable(String origin, IOException e) {
        String reason = describe(e);
        if (e instanceof SocketTimeoutException && client.readTimeoutMillis() > 0) {
            // OkHttp's read timeout (a SocketTimeoutException "timeout", or "Read timed out" from the socket): a server
            // that took the request and went silent. Not the call timeout below, whose exception is its parent type.
            long millis = client.readTimeoutMillis();
            reason = "timed out: no answer for " + (millis % 1000 == 0 ? millis / 1000 + " s"
                    : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0)) + " (the read timeout)";
        } else if (e instanceof InterruptedIOException && "timeout".equals(e.getMessage()) && client.callTimeoutMillis() > 0) {
            // OkHttp's call timeout: an answer that kept coming, but too slowly, or a server that kept it waiting
            long seconds = client.callTimeoutMillis() / 1000;
            reason = "no whole answer within " + (seconds >= 120 && seconds % 60 == 0 ? seconds / 60 + " minutes"
                    : seconds + " s") + " (the time limit of one call)";
        }
        return new TransientException(component + " at " + origin + " is unreachable: " + reason, e);
    }

    /** A short reason in words for an I/O failure. */
    public static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof InterruptedIOException) {
            return "interrupted";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * The whole body, at most {@link #MAX_BODY_BYTES}: a longer one is refused as soon as the limit is passed (the
     * rest is never read) with an error that is not retried, since the same request gets the same answer.
     */
    private String readBody(Response response, String origin, String method, String path) throws IOException {
        ResponseBody body = response.body();
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        if (!source.request(MAX_BODY_BYTES + 1)) {
            return source.getBuffer().readUtf8();
        }
        source.getBuffer().clear();
        throw new OpsException(component + " at " + origin + " answered " + method + " " + path + " with more than "
                + MAX_BODY_BYTES / (1024 * 1024) + " MiB, more than opsbot reads from one answer (is the URL right,"
                + " or is the list too long to read whole?)");
    }
}
