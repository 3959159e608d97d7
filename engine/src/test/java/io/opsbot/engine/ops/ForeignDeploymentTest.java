package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Marathon deployment that opsbot did not start (someone scaling in the Marathon UI, Ansible, another tool) is
 * in the way of an opsbot operation: opsbot waits for it, naming it, bounded by engine.lockWait, then plans
 * again; --force overrides it. The other deployment is started directly through the emulated Marathon's API and
 * held running by slowing the emulated cluster's time.
 */
class ForeignDeploymentTest {

    /** Simulated time nearly stopped: a deployment started now stays running until the time scale is restored. */
    private static final String FROZEN = "{\"scale\": 0.001}";
    private static final String RUNNING = "{\"scale\": 50}";

    @TempDir
    Path home;
    private SimCluster cluster;
    private final OkHttpClient http = new OkHttpClient();

    private SimCluster start(Duration lockWait) {
        cluster = new SimCluster(home, null, SimCluster.REPO_APPS,
                SimCluster.settings(Map.of(), "node1:5000").withLockWait(lockWait));
        return cluster;
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What another tool does: PUT /v2/apps/APP {"instances": n} straight to Marathon. Returns the deployment id. */
    private String scaleBehindOpsbotsBack(int instances) throws IOException {
        return scaleBehindOpsbotsBack("nodeapp", instances);
    }

    private String scaleBehindOpsbotsBack(String app, int instances) throws IOException {
        String url = cluster.sim.endpoints().marathonUrl().replaceAll("/+$", "") + "/v2/apps/" + app;
        try (Response r = http.newCall(new Request.Builder().url(url)
                .put(RequestBody.create("{\"instances\": " + instances + "}", MediaType.get("application/json"))).build()).execute()) {
            String body = r.body().string();
            assertThat(r.code()).as(body).isEqualTo(200);
            JsonNode json = new ObjectMapper().readTree(body);
            return json.get("deploymentId").asText();
        }
    }

    @Test
    void moveDoesNotMoveTheDataWhileAnotherDeploymentChangesTheApp() throws Exception {
        start(Duration.ofSeconds(2));
        cluster.control("/_sim/time", FROZEN);
        String foreign = scaleBehindOpsbotsBack("mongo", 2);
        assertThat(running(foreign)).isTrue();

        Outcome refused = cluster.run(cluster.ops.move("mongo", "node3"));

        assertThat(refused.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(SimCluster.details(refused)).contains("/mongo is busy with Marathon deployment " + foreign);
        assertThat(cluster.ops.move("mongo", "node3").steps().get(0).check().text())
                .as("the dataset stayed where it was").isEqualTo("dataset mongo: node2 → node3");
        cluster.control("/_sim/time", RUNNING);
    }

    private boolean running(String deploymentId) {
        return cluster.clients.marathon().deployments().stream().anyMatch(d -> d.id().equals(deploymentId));
    }

    private String progress() {
        return String.join("\n", cluster.progress);
    }

    @Test
    void deployWaitsForADeploymentItDidNotStartThenPlansAgainAndSucceeds() throws Exception {
        start(Duration.ofSeconds(60));
        cluster.control("/_sim/time", FROZEN);
        String foreign = scaleBehindOpsbotsBack(3);
        assertThat(running(foreign)).isTrue();

        Operation deploy = cluster.ops.deploy("nodeapp", "2.0.1", true);
        assertThat(deploy.needsConfirmation()).isFalse();
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> cluster.run(deploy));

        await().atMost(Duration.ofSeconds(30)).until(() -> progress().contains("waiting for Marathon deployment " + foreign));
        assertThat(progress()).contains("which opsbot did not start", "/nodeapp", "(at most 1m, engine.lockWait)");
        assertThat(outcome).isNotDone();
        assertThat(cluster.clients.marathon().app("/nodeapp").image()).doesNotContain("2.0.1");

        cluster.control("/_sim/time", RUNNING);
        Outcome done = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(done.state()).as(SimCluster.details(done)).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(progress()).contains("the other deployment of /nodeapp is over", "planning again");
        var app = cluster.clients.marathon().app("/nodeapp", Embed.COUNTS);
        assertThat(app.image()).endsWith(":2.0.1");
        // planned again against what the other deployment left: the catalog's 2 instances, not the 3 it set
        assertThat(app.instances()).isEqualTo(2);
    }

    @Test
    void withAShortLockWaitTheOperationIsRefusedNamingTheDeployment() throws Exception {
        start(Duration.ofSeconds(2));
        cluster.control("/_sim/time", FROZEN);
        String foreign = scaleBehindOpsbotsBack(3);

        Outcome refused = cluster.run(cluster.ops.scale("nodeapp", 1));

        assertThat(refused.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(SimCluster.details(refused) + refused.message())
                .contains("/nodeapp is busy with Marathon deployment " + foreign)
                .contains("which opsbot did not start")
                .contains("engine.lockWait is 2.0s")
                .contains("add --force to override it (asks for confirmation)");
        assertThat(running(foreign)).as("the other deployment is left alone").isTrue();
        assertThat(cluster.clients.marathon().app("/nodeapp").instances()).isEqualTo(3);
        cluster.control("/_sim/time", RUNNING);
    }

    @Test
    void forceOverridesTheOtherDeploymentAndNeedsConfirmation() throws Exception {
        start(Duration.ofSeconds(60));
        cluster.control("/_sim/time", FROZEN);
        String foreign = scaleBehindOpsbotsBack(3);

        Operation forced = cluster.ops.scale("nodeapp", 1, true);
        assertThat(forced.needsConfirmation()).as("--force asks for confirmation").isTrue();
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> cluster.run(forced));
        await().atMost(Duration.ofSeconds(30)).until(() -> !running(foreign));
        cluster.control("/_sim/time", RUNNING);
        Outcome done = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(done.state()).as(SimCluster.details(done)).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(progress()).doesNotContain("waiting for Marathon deployment");
        assertThat(cluster.clients.marathon().app("/nodeapp").instances()).isEqualTo(1);
    }
}
