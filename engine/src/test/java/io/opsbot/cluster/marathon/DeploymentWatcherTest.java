package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.testing.Responses.event;
import static io.opsbot.cluster.testing.Responses.json;
import static io.opsbot.cluster.testing.Responses.sse;
import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentWatcherTest {

    static final String DEP = "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43";
    static final String RUNNING_DEPLOYMENTS = """
            [{"id": "%s", "version": "2026-11-20T11:00:00.000Z", "affectedApps": ["/nodeapp"],
              "steps": [{"actions": [{"action": "RestartApplication", "app": "/nodeapp"}]}],
              "currentActions": [{"action": "RestartApplication", "app": "/nodeapp", "readinessCheckResults": []}],
              "currentStep": 1, "totalSteps": 1}]""".formatted(DEP);

    static String app(int healthyTasks, String lastFailureMessage) {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            boolean alive = i < healthyTasks;
            tasks.append(i > 0 ? "," : "").append("""
                    {"id": "nodeapp.t%d", "appId": "/nodeapp", "host": "node%d", "state": "TASK_RUNNING",
                     "startedAt": "2026-11-20T11:00:10.000Z", "version": "2026-11-20T11:00:00.000Z",
                     "healthCheckResults": [{"alive": %s, "taskId": "nodeapp.t%d"}]}""".formatted(i, i + 2, alive, i));
        }
        String failure = lastFailureMessage == null ? "null" : """
                {"appId": "/nodeapp", "host": "node3", "message": "%s", "state": "TASK_FAILED",
                 "taskId": "nodeapp.old", "timestamp": "2026-11-20T11:00:30.000Z", "version": "2026-11-20T11:00:00.000Z"}"""
                .formatted(lastFailureMessage);
        return """
                {"app": {"id": "/nodeapp", "instances": 2, "healthChecks": [{"path": "/health"}],
                 "version": "2026-11-20T11:00:00.000Z",
                 "versionInfo": {"lastScalingAt": "2026-11-20T11:00:00.000Z", "lastConfigChangeAt": "2026-11-20T11:00:00.000Z"},
                 "deployments": [], "tasks": [%s], "lastTaskFailure": %s}}""".formatted(tasks, failure);
    }

    MockWebServer server = new MockWebServer();
    OkHttpClient shared = HttpClients.createShared();
    MarathonClient marathon;
    MarathonEvents events;
    List<String> progress = new CopyOnWriteArrayList<>();
    AtomicInteger eventConnections = new AtomicInteger();
    AtomicInteger deploymentReads = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server.start();
        String url = server.url("/").toString();
        marathon = new MarathonClient(url, Auth.none(), shared, ClientMetrics.NOOP,
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2)));
        events = new MarathonEvents(url, Auth.none(), shared, ClientMetrics.NOOP, Duration.ofMillis(50), Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        endOfTest.countDown();
        events.close();
        server.close();
    }

    interface Route {
        MockResponse answer(RecordedRequest request, int call);
    }

    void route(Route eventsRoute, Route deploymentsRoute, Route appRoute) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                if (path.equals("/v2/events")) {
                    return eventsRoute.answer(request, eventConnections.incrementAndGet());
                }
                if (path.equals("/v2/deployments")) {
                    return deploymentsRoute.answer(request, deploymentReads.incrementAndGet());
                }
                if (path.equals("/v2/apps/nodeapp")) {
                    return appRoute.answer(request, 0);
                }
                return json(404, "{\"message\": \"not here\"}");
            }
        });
    }

    /** Released after each test: every stream still open ends then. */
    final CountDownLatch endOfTest = new CountDownLatch(1);

    /** A stream that sends its events at once and then stays open until the test ends. */
    MockResponse openStream(String... initialEvents) {
        String events = String.join("", initialEvents);
        MockResponseBody body = new MockResponseBody() {
            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8(events);
                sink.flush();
                try {
                    endOfTest.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream").body(body).build();
    }

    @Test
    void successEventEndsTheWaitAndTaskEventsBecomeProgress() throws Exception {
        route((r, n) -> sse(
                        event("status_update_event", """
                                {"slaveId": "S1", "taskId": "nodeapp.t9", "taskStatus": "TASK_RUNNING", "message": "",
                                 "appId": "/nodeapp", "host": "node2", "ports": [31001], "version": "2026-11-20T11:00:00.000Z",
                                 "eventType": "status_update_event", "timestamp": "2026-11-20T11:00:10.000Z"}"""),
                        event("deployment_success", """
                                {"id": "%s", "eventType": "deployment_success", "timestamp": "2026-11-20T11:00:40.000Z"}""".formatted(DEP))),
                (r, n) -> json(200, RUNNING_DEPLOYMENTS),
                (r, n) -> json(200, app(2, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMinutes(1))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(10), progress::add);

        assertThat(outcome).isEqualTo(DeploymentOutcome.succeeded());
        assertThat(progress).contains("step 1/1 RestartApplication /nodeapp", "task nodeapp.t9 on node2: TASK_RUNNING");
        RecordedRequest subscribe = firstEventsRequest();
        assertThat(subscribe.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(subscribe.getUrl().queryParameterValues("event_type")).containsExactlyElementsOf(DeploymentWatcher.EVENT_TYPES);
    }

    @Test
    void failureEventReportsMarathonsLastTaskFailure() {
        route((r, n) -> openStream(event("deployment_failed", """
                        {"id": "%s", "eventType": "deployment_failed", "timestamp": "2026-11-20T11:01:00.000Z"}""".formatted(DEP))),
                (r, n) -> json(200, RUNNING_DEPLOYMENTS),
                (r, n) -> json(200, app(1, "Container exited with status 1")));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMinutes(1))
                .awaitDeployment(DEP, "/nodeapp", Duration.ofSeconds(10), progress::add);

        assertThat(outcome.status()).isEqualTo(DeploymentOutcome.Status.FAILED);
        assertThat(outcome.reason()).isEqualTo("Marathon reported deployment " + DEP + " of /nodeapp as failed; "
                + "last task failure on node3: TASK_FAILED Container exited with status 1");
    }

    @Test
    void outcomeIsNotLostWhenTheStreamDropsWhileTheDeploymentFinishes() {
        // First stream: attached, then Marathon drops it. The success event is sent while nobody listens.
        // Polling is slow (1 min), so only the re-read on reconnect can find the outcome in time.
        route((r, n) -> n == 1
                        ? sse(event("event_stream_attached", "{\"remoteAddress\": \"127.0.0.1\", \"eventType\": \"event_stream_attached\", \"timestamp\": \"2026-11-20T11:00:00.000Z\"}"))
                        : openStream(),
                // running when read before the stream opened and when it opened; gone after the reconnect
                (r, n) -> n <= 2 ? json(200, RUNNING_DEPLOYMENTS) : json(200, "[]"),
                (r, n) -> json(200, app(2, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMinutes(1))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(10), progress::add);

        assertThat(outcome).isEqualTo(DeploymentOutcome.succeeded());
        assertThat(eventConnections.get()).isGreaterThanOrEqualTo(2);
        assertThat(deploymentReads.get()).isEqualTo(3);
        assertThat(progress).anyMatch(p -> p.startsWith("lost Marathon's event stream"));
    }

    @Test
    void aDeploymentThatEndsBeforeTheStreamOpensIsFoundByTheReadWhenItOpensNotAtTheNextPoll() {
        // subscribe returns before the stream is open: the end is sent in between, so the stream never carries it.
        // Polling is slow (1 min): only the read made when the stream opens can find the outcome in time.
        route((r, n) -> openStream(),
                (r, n) -> n == 1 ? json(200, RUNNING_DEPLOYMENTS) : json(200, "[]"),
                (r, n) -> json(200, app(2, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMinutes(1))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(20), progress::add);

        assertThat(outcome).isEqualTo(DeploymentOutcome.succeeded());
        assertThat(deploymentReads.get()).isEqualTo(2);
        assertThat(eventConnections.get()).isEqualTo(1);
    }

    @Test
    void withoutEventsAVanishedDeploymentWithUnhealthyTasksIsAFailure() {
        route((r, n) -> openStream(),
                (r, n) -> n <= 2 ? json(200, RUNNING_DEPLOYMENTS) : json(200, "[]"),
                (r, n) -> json(200, app(1, "Health check failed")));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, null, Duration.ofMillis(20))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(10), progress::add);

        assertThat(outcome).isEqualTo(DeploymentOutcome.failed("deployment " + DEP + " of /nodeapp ended with 1 of 2 "
                + "tasks healthy; last task failure on node3: TASK_FAILED Health check failed"));
        assertThat(eventConnections.get()).isZero();
        // The same step is reported once, not on every poll.
        assertThat(progress).containsOnlyOnce("step 1/1 RestartApplication /nodeapp");
    }

    @Test
    void aDeploymentThatNeverEndsTimesOutWithTheLastStepSeen() {
        route((r, n) -> openStream(),
                (r, n) -> json(200, RUNNING_DEPLOYMENTS),
                (r, n) -> json(200, app(0, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMillis(50))
                .awaitDeployment(DEP, "nodeapp", Duration.ofMillis(400), progress::add);

        assertThat(outcome.status()).isEqualTo(DeploymentOutcome.Status.TIMED_OUT);
        assertThat(outcome.reason()).isEqualTo("deployment " + DEP + " of /nodeapp did not finish within 400 ms "
                + "(last seen: step 1/1 RestartApplication /nodeapp)");
    }

    @Test
    void aDeploymentAlreadyGoneIsDecidedFromTheAppAtOnce() {
        route((r, n) -> openStream(), (r, n) -> json(200, "[]"), (r, n) -> json(200, app(2, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMinutes(1))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(5), progress::add);

        assertThat(outcome.isSuccess()).isTrue();
    }

    @Test
    void marathonDownDuringTheWaitIsReportedOnceAndTheWaitGoesOn() {
        route((r, n) -> openStream(),
                (r, n) -> n == 1 ? json(200, RUNNING_DEPLOYMENTS) : n <= 5 ? json(503, "{\"message\": \"no leader\"}") : json(200, "[]"),
                (r, n) -> json(200, app(2, null)));

        DeploymentOutcome outcome = new DeploymentWatcher(marathon, events, Duration.ofMillis(20))
                .awaitDeployment(DEP, "nodeapp", Duration.ofSeconds(10), progress::add);

        assertThat(outcome.isSuccess()).isTrue();
        assertThat(progress.stream().filter(p -> p.startsWith("still waiting: Marathon at"))).hasSize(1);
    }

    @Test
    void marathonStillDownWhenTheTimeIsUpIsAnUnknownOutcomeNamingMarathonNotATimeout() {
        route((r, n) -> openStream(),
                (r, n) -> n == 1 ? json(200, RUNNING_DEPLOYMENTS) : json(503, "{\"message\": \"no leader\"}"),
                (r, n) -> json(200, app(2, null)));

        io.opsbot.engine.TransientException unknown = org.assertj.core.api.Assertions.catchThrowableOfType(
                io.opsbot.engine.TransientException.class, () -> new DeploymentWatcher(marathon, events, Duration.ofMillis(20))
                        .awaitDeployment(DEP, "nodeapp", Duration.ofMillis(400), progress::add));

        // The deployment may well have finished: "did not finish within" would be a claim nobody could make.
        assertThat(unknown).isNotNull();
        assertThat(unknown.getMessage()).startsWith("cannot tell whether deployment " + DEP + " of /nodeapp finished: Marathon at ")
                .contains("HTTP 503");
    }

    private RecordedRequest firstEventsRequest() throws InterruptedException {
        for (RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS); r != null; r = server.takeRequest(1, TimeUnit.SECONDS)) {
            if (r.getUrl().encodedPath().equals("/v2/events")) {
                return r;
            }
        }
        throw new AssertionError("no request to /v2/events");
    }
}
