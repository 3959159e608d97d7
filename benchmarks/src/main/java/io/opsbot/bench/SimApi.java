package io.opsbot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The emulated cluster's control API as the benchmarks read it: request counts, writes, seeding, endpoints. */
final class SimApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofMinutes(2)).build();
    private final String marathonUrl;

    SimApi(String marathonUrl) {
        this.marathonUrl = marathonUrl;
    }

    /** Requests the cluster's APIs answered so far. */
    record Requests(long reads, long writes) {
        Requests minus(Requests before) {
            return new Requests(reads - before.reads, writes - before.writes);
        }
    }

    Requests requests() {
        JsonNode n = get("/_sim/requests");
        return new Requests(n.path("reads").asLong(), n.path("writes").asLong());
    }

    /** Writes the cluster accepted so far (Marathon versions, Flocker moves). */
    long writes() {
        return get("/_sim/writes").path("total").asLong();
    }

    JsonNode writesAfter(long seq) {
        return get("/_sim/writes?after=" + seq).path("writes");
    }

    JsonNode endpoints() {
        return get("/_sim/endpoints");
    }

    JsonNode deployments() {
        return get("/v2/deployments");
    }

    JsonNode seed(int agents, int apps, int instances) {
        return post("/_sim/seed", "{\"agents\": " + agents + ", \"apps\": " + apps + ", \"instances\": " + instances + "}");
    }

    JsonNode get(String path) {
        return call(new Request.Builder().url(marathonUrl + path).build());
    }

    JsonNode post(String path, String body) {
        return call(new Request.Builder().url(marathonUrl + path).post(RequestBody.create(body, MediaType.get("application/json"))).build());
    }

    private JsonNode call(Request request) {
        try (Response r = http.newCall(request).execute()) {
            String text = r.body().string();
            if (!r.isSuccessful()) {
                throw new IllegalStateException(request.method() + " " + request.url() + " answered HTTP " + r.code() + ": " + text);
            }
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the emulated cluster at " + request.url(), e);
        }
    }
}
