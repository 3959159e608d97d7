package io.opsbot.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentOutcome.Status;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.engine.TransientException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Faults injected through the sim's control API: 5xx answers and a dropped event stream. */
class ResilienceAgainstSimTest extends AgainstSim {

    @Test
    void twoInjected503sOnTheAppListAreRiddenOutByTheDefaultRetries() {
        MarathonClient noRetries = h.marathon(RetryPolicy.NONE);
        h.fault("GET", "/v2/apps", 503, 2);

        List<App> apps = h.marathon.apps();

        assertThat(apps).extracting(App::id).containsExactlyInAnyOrder("/nginx", "/nodeapp", "/mongo");
        // Exactly the two faults were used up: a client without retries now gets through at once.
        assertThat(noRetries.apps()).hasSize(3);

        h.fault("GET", "/v2/apps", 503, 1);
        TransientException once = catchThrowableOfType(TransientException.class, noRetries::apps);
        assertThat(once).isNotNull();
        assertThat(once.getMessage()).contains("GET /v2/apps").contains("HTTP 503: opsbot-sim injected fault: HTTP 503");

        // Three faults outlast the default three attempts: the caller sees a transient failure, not a wrong answer.
        h.fault("GET", "/v2/apps", 503, 3);
        assertThat(catchThrowableOfType(TransientException.class, () -> h.marathon.apps())).isNotNull();
        assertThat(noRetries.apps()).hasSize(3);
    }

    @Test
    void aWriteWhoseConnectionClosesAfterMarathonTookItIsNotSentAgainByTheHttpClient() {
        // Marathon stored the version, then the connection closed before the answer: only the engine, which checks
        // first, may decide whether to write again. OkHttp's own retry on a closed connection used to send it twice.
        h.fault("{\"service\": \"marathon\", \"method\": \"PUT\", \"pathPrefix\": \"/v2/apps/nginx\","
                + " \"kind\": \"lose-answer\", \"status\": 0}");
        long before = h.writes();
        // a read first, so the PUT goes over a pooled connection, as it does in a running bot
        assertThat(h.marathon.app("nginx").instances()).isEqualTo(1);

        TransientException lost = catchThrowableOfType(TransientException.class,
                () -> h.marathon.scale("nginx", 2, true));

        assertThat(lost).as("the caller learns the answer was lost").isNotNull();
        assertThat(lost.getMessage()).startsWith("Marathon at http://127.0.0.1:");
        assertThat(h.writes() - before).as("versions Marathon stored").isEqualTo(1);
        assertThat(h.marathon.app("nginx").instances()).isEqualTo(2);
    }

    @Test
    void eventStreamDroppedDuringADeploymentStillEndsWithTheOutcome() throws Exception {
        // Slower time, so the deployment (a health-checked task) takes seconds and the drop lands in its middle.
        h.timeScale(5);
        // Polling far slower than the deployment: the outcome has to come through the stream or its reconnect.
        DeploymentWatcher watcher = new DeploymentWatcher(h.marathon, h.events, Duration.ofSeconds(30));
        List<String> progress = new CopyOnWriteArrayList<>();
        DeploymentRef ref = h.marathon.scale("nodeapp", 3, false);
        long start = System.nanoTime();

        CompletableFuture<DeploymentOutcome> outcome = CompletableFuture.supplyAsync(
                () -> watcher.awaitDeployment(ref.deploymentId(), "nodeapp", Duration.ofSeconds(20), progress::add));
        assertThat(within(5_000, () -> progress.stream().anyMatch(l -> l.startsWith("task "))))
                .as("an event of the deployment arrived over the stream: %s", progress).isTrue();
        // A stream a finished test left open may take the drop first; drop again until the watcher's goes.
        for (int i = 0; i < 5 && !lostStream(progress); i++) {
            h.dropEventStream(1);
            within(500, () -> lostStream(progress));
        }
        assertThat(lostStream(progress)).as("the watcher saw its stream drop: %s", progress).isTrue();
        assertThat(h.marathon.deployments()).extracting(Deployment::id).contains(ref.deploymentId());

        DeploymentOutcome result = outcome.get(25, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.reason()).isEqualTo(Status.SUCCEEDED);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
        App app = h.marathon.app("nodeapp");
        assertThat(app.tasksRunning()).isEqualTo(3);
        assertThat(app.tasksHealthy()).isEqualTo(3);
    }

    private static boolean lostStream(List<String> progress) {
        return progress.stream().anyMatch(l -> l.startsWith("lost Marathon's event stream"));
    }

    /** Polls the condition until it holds or the time is up; true when it held. */
    private static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
