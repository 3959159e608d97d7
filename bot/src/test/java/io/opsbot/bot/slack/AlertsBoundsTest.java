package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.cluster.marathon.App;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AlertsConfig;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.SimControl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signals that depend on a bound, each with the bound made short: the event stream down longer than
 * {@code streamGap}, a deployment running longer than {@code stuckAfter}, an app under-replicated longer than its
 * grace, and a mute that ends by expiry. Against the sim and the fake Slack, as {@link AlertsEndToEndTest}.
 */
class AlertsBoundsTest {

    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path home;

    FakeSlack slack;
    AlertRig rig;
    SimControl sim;

    @BeforeEach
    void fakeSlack() throws Exception {
        slack = new FakeSlack();
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    /** @param underReplicatedAfter, stuckAfter, streamGap: the bounds under test (null: long, out of the way) */
    void start(String underReplicatedAfter, String stuckAfter, String streamGap) {
        AlertsConfig alerts = new AlertsConfig(true, AlertRig.ALERTS, null, null, "500ms", "2s",
                underReplicatedAfter == null ? "10m" : underReplicatedAfter, stuckAfter, null,
                streamGap == null ? "10m" : streamGap);
        rig = new AlertRig(OpsbotConfig.empty().withAlerts(alerts), home, slack);
        sim = new SimControl(rig.opsbot.config().cluster().marathon().url());
    }

    @Test
    void theEventStreamDownLongerThanItsBoundIsAnIncidentResolvedWhenItIsBack() {
        start(null, null, "1s");
        sim.eventsDown();

        Incident down = awaitIncident(IncidentKind.BLIND_SPOT, "marathon-events", i -> i.open() && i.messageTs() != null);
        assertThat(down.lastReason()).contains("Marathon's event stream is down since");
        assertThat(posts(down.messageTs())).singleElement()
                .satisfies(c -> assertThat(c.param("text")).startsWith("🔴 Marathon's event stream is down"));

        sim.eventsUp();
        Incident back = awaitIncident(IncidentKind.BLIND_SPOT, "marathon-events", i -> !i.open());
        assertThat(back.messageTs()).isEqualTo(down.messageTs());
        await().atMost(LONG).until(() -> edits(down.messageTs()).stream()
                .anyMatch(c -> c.param("text").startsWith("✅ marathon-events: resolved")));
        await().atMost(LONG).until(() -> threadReplies(down.messageTs()).stream()
                .anyMatch(c -> c.shown().contains("event stream is back after")));
    }

    @Test
    void aDeploymentRunningLongerThanTheStuckBoundIsStuck() {
        start(null, "2s", null);
        try (ClusterClients cluster = ClusterClients.connect(rig.opsbot.config().cluster())) {
            // a new version whose health checks never pass: its deployment cannot finish
            String broken = "node1:5000/nodeapp:never-healthy";
            sim.failImage(broken);
            App current = cluster.marathon().app("/nodeapp");
            ObjectNode definition = current.raw().deepCopy();
            for (String readOnly : List.of("version", "versionInfo", "tasks", "deployments", "tasksRunning", "tasksStaged",
                    "tasksHealthy", "tasksUnhealthy", "lastTaskFailure")) {
                definition.remove(readOnly);
            }
            ((ObjectNode) definition.path("container").path("docker")).put("image", broken);
            String deployment = cluster.marathon().updateApp("/nodeapp", definition, false).deploymentId();

            Incident stuck = awaitIncident(IncidentKind.DEPLOYMENT_STUCK, "nodeapp", i -> i.messageTs() != null);
            assertThat(stuck.lastReason()).contains("deployment " + deployment, "has run for", "(step ");
            assertThat(posts(stuck.messageTs())).singleElement()
                    .satisfies(c -> assertThat(c.param("text")).startsWith("🔴 nodeapp: 1 stuck deployment"));

            cluster.marathon().rollbackDeployment(deployment);
            awaitIncident(IncidentKind.DEPLOYMENT_STUCK, "nodeapp", i -> !i.open());
        }
    }

    @Test
    void anAppUnderReplicatedLongerThanItsGraceIsAnIncidentResolvedWhenItIsBack() {
        start("1s", null, null);
        rig.run("sim fail nodeapp");

        Incident under = awaitIncident(IncidentKind.UNDER_REPLICATED, "nodeapp", i -> i.messageTs() != null);
        assertThat(under.lastReason()).containsPattern("running \\d+ of 2 for \\d+s");
        assertThat(posts(under.messageTs())).singleElement()
                .satisfies(c -> assertThat(c.param("text")).startsWith("🔴 nodeapp: ").contains("under-replication"));

        rig.run("sim heal nodeapp");
        awaitIncident(IncidentKind.UNDER_REPLICATED, "nodeapp", i -> !i.open());
        await().atMost(LONG).until(() -> edits(under.messageTs()).stream()
                .anyMatch(c -> c.param("text").startsWith("✅ nodeapp: resolved")));
    }

    @Test
    void anUnderReplicatedAppsReasonSaysWhatWaitsInTheLaunchQueueAndItsBackOff() {
        start("1s", null, null);
        rig.run("sim fail nodeapp");

        // /v2/queue is read with the state (each poll that raises it, and every reconciliation after a gap)
        Incident explained = awaitIncident(IncidentKind.UNDER_REPLICATED, "nodeapp",
                i -> i.lastReason().contains("back-off"));
        assertThat(explained.lastReason()).containsPattern("running \\d+ of 2 for \\d+s; launch queue: \\d+ waiting, back-off \\d+s left");
        rig.run("sim heal nodeapp");
    }

    @Test
    void aMuteThatExpiresLetsEditsThroughAgainAndTheThreadSaysItExpired() {
        start(null, null, null);
        rig.run("sim fail nodeapp");
        Incident opened = awaitIncident(IncidentKind.UNHEALTHY, "nodeapp", i -> i.messageTs() != null);
        String ts = opened.messageTs();

        assertThat(rig.run("mute nodeapp for 5s")).contains("nodeapp");
        await().atMost(LONG).until(() -> threadReplies(ts).stream().anyMatch(c -> c.shown().contains("muted until")));
        int editsAtMute = edits(ts).size();

        // nobody lifts it: it ends by itself, the thread says it expired, and the held state is shown
        await().atMost(LONG).until(() -> threadReplies(ts).stream().anyMatch(c -> c.shown().contains("mute expired")));
        await().atMost(LONG).until(() -> edits(ts).size() > editsAtMute);
        assertThat(rig.run("mutes")).doesNotContain("nodeapp until");
        // edits keep coming after the expiry as the incident goes on
        int countNow = find(IncidentKind.UNHEALTHY, "nodeapp").orElseThrow().count();
        int editsNow = edits(ts).size();
        await().atMost(LONG).until(() -> find(IncidentKind.UNHEALTHY, "nodeapp").orElseThrow().count() > countNow
                && edits(ts).size() > editsNow);
    }

    // ---------------------------------------------------------------- helpers

    Incident awaitIncident(IncidentKind kind, String subject, Predicate<Incident> condition) {
        try {
            return await().atMost(LONG).until(() -> find(kind, subject).filter(condition), Optional::isPresent).orElseThrow();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no such " + kind + " incident of " + subject + "; incidents: "
                    + rig.alerts.incidents(Instant.now().minus(Duration.ofHours(1)), null), e);
        }
    }

    Optional<Incident> find(IncidentKind kind, String subject) {
        return rig.alerts.incidents(Instant.now().minus(Duration.ofHours(1)), subject).stream()
                .filter(i -> i.kind() == kind).findFirst();
    }

    /** The top-level alert posts that created the message {@code ts} (Slack numbers its posts in order). */
    List<FakeSlack.Call> posts(String ts) {
        List<FakeSlack.Call> all = slack.calls("chat.postMessage").stream().filter(c -> !c.rateLimited()).toList();
        List<FakeSlack.Call> out = new java.util.ArrayList<>();
        for (int n = 0; n < all.size(); n++) {
            if (slack.postedTs(n).equals(ts)) {
                out.add(all.get(n));
            }
        }
        return out;
    }

    List<FakeSlack.Call> edits(String ts) {
        return slack.calls("chat.update").stream().filter(c -> c.param("ts").equals(ts) && !c.rateLimited()).toList();
    }

    List<FakeSlack.Call> threadReplies(String ts) {
        return slack.calls("chat.postMessage").stream().filter(c -> c.param("thread_ts").equals(ts)).toList();
    }
}
