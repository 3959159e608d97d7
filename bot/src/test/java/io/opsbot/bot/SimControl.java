package io.opsbot.bot;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.mesos.MesosClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Steers the local default's emulated cluster through its control API (/_sim/), and reads it with the real clients. */
final class SimControl {

    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http = new OkHttpClient();
    private final Opsbot bot;

    SimControl(Opsbot bot) {
        this.bot = bot;
    }

    String marathonUrl() {
        return bot.config().cluster().marathon().url();
    }

    MarathonClient marathon() {
        return new MarathonClient(marathonUrl(), Auth.none(), http);
    }

    MesosClient mesos() {
        return new MesosClient(bot.config().cluster().mesos().all(), http);
    }

    /** Tasks of this image fail their health checks (or crash, without health checks) until the sim is reset. */
    void markFailing(String image) {
        post("/_sim/images/failing", "{\"image\":\"" + image + "\"}");
    }

    void post(String path, String json) {
        Request request = new Request.Builder().url(marathonUrl() + path).post(RequestBody.create(json, JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new IllegalStateException("sim control " + path + " answered " + response.code() + ": "
                        + response.body().string());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A change made straight through Marathon's API, as someone at the Marathon UI would. */
    void putApp(String id, String json) {
        Request request = new Request.Builder().url(marathonUrl() + "/v2/apps" + id + "?force=true")
                .put(RequestBody.create(json, JSON)).build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new IllegalStateException("PUT " + id + " answered " + response.code() + ": " + response.body().string());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
