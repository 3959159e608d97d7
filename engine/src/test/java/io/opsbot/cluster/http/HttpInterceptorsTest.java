package io.opsbot.cluster.http;

import static io.opsbot.cluster.testing.Responses.json;
import static io.opsbot.cluster.testing.Responses.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.testing.Responses;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpInterceptorsTest {

    static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    MockWebServer server = new MockWebServer();
    List<String> metrics = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    ApiCaller caller(Auth auth) {
        OkHttpClient client = HttpClients.forService(HttpClients.shared(), "marathon", auth,
                (svc, method, statusClass, latency) -> metrics.add(svc + " " + method + " " + statusClass), FAST);
        return new ApiCaller("Marathon", server.url("/").toString(), client);
    }

    @Test
    void getIsRetriedOn503AndThenSucceeds() {
        server.enqueue(status(503));
        server.enqueue(status(503));
        server.enqueue(json(200, "{\"ok\":true}"));

        ApiResponse response = caller(Auth.none()).send(new Request.Builder().url(server.url("/v2/apps")).build());

        assertThat(response.code()).isEqualTo(200);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void getGivesUpAfterTheLastAttemptAndReturnsThe5xx() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(status(502));
        }
        server.enqueue(json(200, "{}")); // must never be reached

        ApiResponse response = caller(Auth.none()).send(new Request.Builder().url(server.url("/v2/apps")).build());

        assertThat(response.code()).isEqualTo(502);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void putIsNeverRetriedEvenOn503() {
        server.enqueue(status(503));
        server.enqueue(json(200, "{}"));

        ApiResponse response = caller(Auth.none()).send(new Request.Builder().url(server.url("/v2/apps/x"))
                .put(RequestBody.create("{}", ApiCaller.JSON)).build());

        assertThat(response.code()).isEqualTo(503);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void clientErrorsAreNeverRetried() {
        server.enqueue(status(404));
        server.enqueue(json(200, "{}"));

        ApiResponse response = caller(Auth.none()).send(new Request.Builder().url(server.url("/v2/apps/x")).build());

        assertThat(response.code()).isEqualTo(404);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void unreachableComponentIsATransientErrorNamingItAndItsUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OkHttpClient client = HttpClients.forService(HttpClients.shared(), "marathon", Auth.none(), null, FAST);
        ApiCaller caller = new ApiCaller("Marathon", "http://127.0.0.1:" + closedPort, client);

        assertThatThrownBy(() -> caller.send(new Request.Builder().url(caller.url().addPathSegments("v2/apps").build()).build()))
                .isInstanceOf(TransientException.class)
                .hasMessage("Marathon at http://127.0.0.1:" + closedPort + " is unreachable: connection refused");
    }

    @Test
    void truncatedJsonIsAClearErrorNamingTheComponentAndRequest() {
        server.enqueue(json(200, "{\"apps\": [{\"id\": \"/nodeapp\", \"instan"));

        ApiResponse response = caller(Auth.none()).send(new Request.Builder().url(server.url("/v2/apps")).build());

        assertThatThrownBy(response::json).isInstanceOf(OpsException.class)
                .hasMessageStartingWith("Marathon at http://" + server.getHostName() + ":" + server.getPort()
                        + " answered GET /v2/apps with malformed JSON");
    }

    @Test
    void bearerTokenIsSentButNeverLogged() throws Exception {
        String token = "s3cr3t-token-value-42";
        server.enqueue(json(200, "{}"));
        try (Responses.Capture logs = Responses.captureLogs()) {
            ApiCaller caller = caller(Auth.bearer(token));
            caller.send(new Request.Builder().url(server.url("/v2/apps?access_token=" + token + "&embed=app.tasks")).build());

            RecordedRequest request = server.takeRequest();
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + token);
            assertThat(logs.all()).contains("svc=marathon method=GET path=/v2/apps?access_token=***&embed=app.tasks status=200 ms=");
            assertThat(logs.all()).doesNotContain(token);
        }
    }

    @Test
    void basicPasswordNeverReachesTheLogEvenOnFailuresAndRetries() throws Exception {
        String password = "hunter2-very-secret";
        server.enqueue(status(503));
        server.enqueue(status(500));
        server.enqueue(status(401));
        try (Responses.Capture logs = Responses.captureLogs()) {
            ApiCaller caller = caller(Auth.basic("ops", password));
            ApiResponse response = caller.send(new Request.Builder().url(server.url("/v2/info")).build());

            assertThat(response.code()).isEqualTo(401);
            assertThat(server.takeRequest().getHeaders().get("Authorization")).startsWith("Basic ");
            assertThat(logs.lines()).anyMatch(l -> l.contains("status=503") && l.contains("retrying"));
            assertThat(logs.all()).doesNotContain(password).doesNotContain("Basic ")
                    .doesNotContain(okhttp3.Credentials.basic("ops", password).substring(6));
            assertThat(Auth.basic("ops", password).toString()).doesNotContain(password);
        }
    }

    @Test
    void metricsCountEveryCallByServiceAndStatusClass() {
        server.enqueue(status(503));
        server.enqueue(json(200, "{}"));
        server.enqueue(status(404));
        ApiCaller caller = caller(Auth.none());

        caller.send(new Request.Builder().url(server.url("/a")).build());
        caller.send(new Request.Builder().url(server.url("/b")).build());

        // One sample per logical call (the log/metrics interceptor sits outside the retries).
        assertThat(metrics).containsExactly("marathon GET 2xx", "marathon GET 4xx");
    }

    @Test
    void redactHidesUserInfoAndSecretParameters() {
        okhttp3.HttpUrl url = okhttp3.HttpUrl.get("http://admin:pw@node1:8080/v2/apps?token=abc&x=1&client_secret=z");
        assertThat(Redact.url(url)).isEqualTo("http://node1:8080/v2/apps?token=***&x=1&client_secret=***");
    }
}
