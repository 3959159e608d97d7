package io.opsbot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Listens to Marathon's event stream as any subscriber does and remembers each deployment's start (its first
 * deployment_info) and its deployment_success by deployment id, with the event's own {@code timestamp}: the emulated
 * cluster's clock, which follows the wall clock (it is read on the sim's tick that emits the event), so it is when
 * the cluster told the world, to the millisecond.
 */
final class EventTap implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ZERO).build();
    private final Map<String, Long> starts = new ConcurrentHashMap<>();
    private final Map<String, Long> successes = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean open;
    private volatile Response response;

    EventTap(String marathonUrl) {
        Request request = new Request.Builder().url(marathonUrl + "/v2/events?event_type=deployment_info&event_type=deployment_success")
                .header("Accept", "text/event-stream").build();
        reader = new Thread(() -> read(request), "bench-event-tap");
        reader.setDaemon(true);
        reader.start();
        Waits.until("Marathon's event stream to attach", Duration.ofSeconds(30), () -> open);
    }

    private void read(Request request) {
        try (Response r = http.newCall(request).execute()) {
            response = r;
            open = true;
            BufferedSource source = r.body().source();
            String line;
            while ((line = source.readUtf8Line()) != null) {
                if (line.startsWith("data:")) {
                    JsonNode event = JSON.readTree(line.substring(5).trim());
                    String type = event.path("eventType").asText();
                    if ("deployment_success".equals(type)) {
                        successes.put(event.path("id").asText(), java.time.Instant.parse(event.path("timestamp").asText()).toEpochMilli());
                    } else if ("deployment_info".equals(type)) {
                        starts.putIfAbsent(event.path("plan").path("id").asText(),
                                java.time.Instant.parse(event.path("timestamp").asText()).toEpochMilli());
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The deployment's success event's timestamp (epoch ms), or null while it has not arrived. */
    Long successAt(String deploymentId) {
        return successes.get(deploymentId);
    }

    Map<String, Long> successes() {
        return Map.copyOf(successes);
    }

    /** The deployment's first deployment_info event's timestamp (epoch ms): when the cluster started it; null if not heard. */
    Long startedAt(String deploymentId) {
        return starts.get(deploymentId);
    }

    @Override
    public void close() {
        Response r = response;
        if (r != null) {
            r.close();
        }
        http.dispatcher().executorService().shutdownNow();
        http.connectionPool().evictAll();
    }
}
