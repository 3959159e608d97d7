package io.opsbot.bot.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsHttpEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final OpsMetrics metrics = new OpsMetrics(List.of("deploy", "status"));
    private final CountDownLatch never = new CountDownLatch(1);
    private OpsHttpEndpoint endpoint;

    @AfterEach
    void stop() {
        never.countDown();
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void metricsServesPrometheusTextWithTheCommandCounters() throws Exception {
        CommandHandler handler = metrics.instrument((request, progress) -> new Response.Finished(
                new Outcome("op-1", "deploy", Outcome.State.SUCCEEDED, List.of(), "", Duration.ofMillis(3))));
        handler.handle(new Request("deploy nodeapp", "U1", "C1", false), ProgressListener.NONE);
        handler.handle(new Request("deploy mongo", "U1", "C1", false), ProgressListener.NONE);
        metrics.clientMetrics().record("marathon", "GET", "2xx", Duration.ofMillis(7));
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of());

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body())
                .contains("# TYPE opsbot_commands_total counter")
                .containsPattern("opsbot_commands_total\\{outcome=\"succeeded\",verb=\"deploy\"} 2\\.0")
                .containsPattern("opsbot_command_duration_seconds_count\\{outcome=\"succeeded\",verb=\"deploy\"} 2")
                .containsPattern("opsbot_client_calls_seconds_count\\{method=\"GET\",service=\"marathon\",status=\"2xx\"} 1")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void healthIs200WhenEveryCheckIsUp() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, "127.0.0.1", 0, Map.of(
                "journal", () -> HealthCheck.Status.up("h2"),
                "marathon", () -> HealthCheck.Status.up("leader 127.0.0.1:8080")));

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("journal").path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("marathon").path("detail").asText()).isEqualTo("leader 127.0.0.1:8080");
    }

    @Test
    void healthWithoutChecksIsUp() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of());

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("UP");
    }

    @Test
    void healthIs503NamingTheCheckThatIsDownOrThrows() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of(
                "journal", () -> HealthCheck.Status.up("h2"),
                "marathon", () -> HealthCheck.Status.down("connection refused"),
                "registry", () -> {
                    throw new IOException("registry.local: no route to host");
                }));

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("checks").path("journal").path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("marathon").path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("checks").path("marathon").path("detail").asText()).isEqualTo("connection refused");
        assertThat(body.path("checks").path("registry").path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("checks").path("registry").path("detail").asText())
                .isEqualTo("IOException: registry.local: no route to host");
    }

    @Test
    void aCheckThatHangsIsDownAfterTheTimeoutAndHealthStillAnswers() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of(
                "journal", () -> HealthCheck.Status.up("h2"),
                "marathon", () -> {
                    never.await();
                    return HealthCheck.Status.up("too late");
                }), Duration.ofMillis(300));

        long start = System.nanoTime();
        HttpResponse<String> response = get("/health");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("checks").path("marathon").path("detail").asText()).isEqualTo("no answer within 300 ms");
        assertThat(body.path("checks").path("journal").path("status").asText()).isEqualTo("UP");
        assertThat(took).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anyOtherPathIs404AndOtherMethodsAre405() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of());

        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void closingFreesThePort() throws Exception {
        endpoint = OpsHttpEndpoint.start(metrics, null, 0, Map.of());
        URI metricsUri = uri("/metrics");
        assertThat(get("/metrics").statusCode()).isEqualTo(200);

        endpoint.close();

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(metricsUri).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aBadPortIsRefusedBeforeListening() {
        assertThatThrownBy(() -> OpsHttpEndpoint.start(metrics, null, 70_000, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + endpoint.port() + path);
    }
}
