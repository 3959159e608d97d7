package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.marathon.AppLockedException;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.StepContext;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate's contract with Marathon's own answers: 409 "App is locked" on the write, and /v2/deployments. */
class MarathonGateTest {

    private final MockWebServer marathon = new MockWebServer();
    /** How many GET /v2/deployments still list a deployment of /nodeapp (ScaleApplication, started elsewhere). */
    private final AtomicInteger busyAnswers = new AtomicInteger();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private ClusterClients clients;

    @BeforeEach
    void start() throws Exception {
        marathon.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = busyAnswers.getAndDecrement() > 0
                        ? "[{\"id\":\"97c136bf-5a28-4821-9d94-480d9fbb01c8\",\"version\":\"2026-11-26T10:00:00.000Z\","
                                + "\"affectedApps\":[\"/nodeapp\"],\"currentStep\":1,\"totalSteps\":1,"
                                + "\"currentActions\":[{\"action\":\"ScaleApplication\",\"app\":\"/nodeapp\"}]}]"
                        : "[]";
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
            }
        });
        marathon.start(InetAddress.getLoopbackAddress(), 0);
        clients = ClusterClients.connect(new ClusterConfig(new ClusterConfig.Marathon(marathon.url("/").toString(), null, null, null),
                null, null, null, null, null, null, Map.of(), null, false));
    }

    @AfterEach
    void stop() {
        clients.close();
        marathon.close();
    }

    private StepContext context(Duration left) {
        Instant deadline = Instant.now().plus(left);
        return new StepContext() {
            @Override
            public void progress(double fraction, String text) {
                progress.add(text);
            }

            @Override
            public Instant deadline() {
                return deadline;
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public void checkCancelled() {
            }
        };
    }

    @Test
    void aWriteRefusedWith409WaitsForTheDeploymentAndIsPlannedAgain() throws Exception {
        MarathonGate gate = new MarathonGate(clients, Duration.ofSeconds(60), false, ConcurrentHashMap.newKeySet());
        AtomicInteger attempts = new AtomicInteger();

        gate.write(context(Duration.ofMinutes(1)), "/nodeapp", force -> {
            assertThat(force).isFalse();
            if (attempts.incrementAndGet() == 1) {
                // a deployment started between the look at /v2/deployments and the PUT
                busyAnswers.set(2);
                throw new AppLockedException("/nodeapp", List.of("97c136bf-5a28-4821-9d94-480d9fbb01c8"),
                        "App is locked by one or more deployments.");
            }
        });

        assertThat(attempts).hasValue(2);
        assertThat(String.join("\n", progress))
                .contains("Marathon answered that /nodeapp is locked by deployment 97c136bf-5a28-4821-9d94-480d9fbb01c8")
                .contains("waiting for Marathon deployment 97c136bf-5a28-4821-9d94-480d9fbb01c8 (ScaleApplication /nodeapp,"
                        + " step 1 of 1), which opsbot did not start")
                .contains("planning again");
    }

    @Test
    void forceWritesAtOnceWithoutLookingAndAForcedRefusalIsNotRetried() {
        busyAnswers.set(1_000);
        MarathonGate gate = new MarathonGate(clients, Duration.ofSeconds(60), true, ConcurrentHashMap.newKeySet());
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> gate.write(context(Duration.ofMinutes(1)), "/nodeapp", force -> {
            assertThat(force).isTrue();
            attempts.incrementAndGet();
            throw new AppLockedException("/nodeapp", List.of("d1"), "locked");
        })).isInstanceOf(AppLockedException.class);

        assertThat(attempts).hasValue(1);
        assertThat(marathon.getRequestCount()).as("no look at /v2/deployments").isZero();
    }

    @Test
    void aDeploymentOpsbotStartedEarlierIsNamedAsSuch() {
        var ours = ConcurrentHashMap.<String>newKeySet();
        ours.add("97c136bf-5a28-4821-9d94-480d9fbb01c8");
        busyAnswers.set(1);
        MarathonGate gate = new MarathonGate(clients, Duration.ofSeconds(60), false, ours);

        assertThat(gate.describe(clients.marathon().deployments().get(0)))
                .isEqualTo("deployment 97c136bf-5a28-4821-9d94-480d9fbb01c8 (ScaleApplication /nodeapp, step 1 of 1),"
                        + " which an earlier opsbot operation started");
    }
}
