package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The emulated cluster's control API ({@code /_sim/} on its Marathon port): makes an app fail or heals it, takes an
 * agent down or up, takes Marathon's event stream down or up, crashes tasks. Only the emulated cluster has it.
 */
public final class SimControl {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpUrl base;
    /**
     * Made at the first call: building an OkHttpClient loads the JDK's trust store (a tenth of a second of CPU), and
     * every start on the emulated cluster makes a SimControl that most commands (a one-shot exec) never call.
     */
    private OkHttpClient http;

    public SimControl(String marathonUrl) {
        this.base = Objects.requireNonNull(HttpUrl.parse(marathonUrl), "not a URL: " + marathonUrl);
    }

    private synchronized OkHttpClient http() {
        if (http == null) {
            http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        }
        return http;
    }

    /** The app's tasks keep failing their health checks (or crash, without one); returns the image concerned. */
    public String fail(String app) {
        return post("apps/" + app + "/fail", "{}").path("image").asText();
    }

    public String heal(String app) {
        return post("apps/" + app + "/heal", "{}").path("image").asText();
    }

    public void agent(String node, boolean up) {
        post("agents/" + node + (up ? "/up" : "/down"), "{}");
    }

    /** Tasks running this image fail their health checks (or crash) from now on. */
    public void failImage(String image) {
        post("images/failing", "{\"image\":\"" + image.replace("\"", "") + "\"}");
    }

    /** Marathon's event stream closes and refuses connections until {@link #eventsUp()}. */
    public void eventsDown() {
        post("events/down", "{}");
    }

    public void eventsUp() {
        post("events/up", "{}");
    }

    /** {@code count} task failures of the app at once, each replaced at once; returns how many happened. */
    public int crash(String app, int count) {
        return post("apps/" + app + "/crash", "{\"count\":" + count + "}").path("crashed").asInt();
    }

    private JsonNode post(String path, String body) {
        HttpUrl url = base.newBuilder().addPathSegment("_sim").addPathSegments(path).build();
        Request request = new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
        try (Response response = http().newCall(request).execute()) {
            String text = response.body() == null ? "" : response.body().string();
            JsonNode json = text.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(text);
            if (!response.isSuccessful()) {
                throw new OpsException("the emulated cluster refused: " + json.path("message").asText("HTTP " + response.code()));
            }
            return json;
        } catch (IOException e) {
            throw new OpsException("cannot reach the emulated cluster's control API: " + e.getMessage(), e);
        }
    }
}
