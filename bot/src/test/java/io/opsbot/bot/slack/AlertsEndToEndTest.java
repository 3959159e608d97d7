package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.alerts.AlertService;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.LastTaskFailure;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.SimControl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts end to end: the emulated cluster misbehaves (through the sim's control API), opsbot's watcher sees it on
 * Marathon's event stream and the Mesos master, the incident goes to the journal, and its one Slack message (on the
 * fake Slack Web API) is posted, edited and resolved.
 */
class AlertsEndToEndTest {

    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path home;

    FakeSlack slack;
    AlertRig rig;
    SimControl sim;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        rig = new AlertRig(OpsbotConfig.empty().withAlerts(AlertRig.alerts()), home, slack);
        sim = new SimControl(rig.opsbot.config().cluster().marathon().url());
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    @Test
    void aFailingHealthCheckIsOneMessageEditedInPlaceAndResolvedInTheSameMessage() {
        assertThat(rig.run("sim fail nodeapp")).contains("fail their health checks");

        Incident opened = awaitIncident(IncidentKind.UNHEALTHY, "nodeapp", i -> i.messageTs() != null);
        String ts = opened.messageTs();
        await().atMost(LONG).until(() -> edits(ts).stream().mapToInt(c -> count(c, "failed health check")).max().orElse(0)
                > count(alertPosts().get(0), "failed health check"));

        assertThat(rig.run("sim heal nodeapp")).contains("well again");

        await().atMost(LONG).until(() -> edits(ts).stream().anyMatch(c -> c.param("text").startsWith("✅ nodeapp: resolved")));
        await().atMost(LONG).until(() -> threadReplies(ts).size() >= 2);
        assertThat(alertPosts()).hasSize(1);
        assertThat(alertPosts().get(0).param("text")).startsWith("🔴 nodeapp: ").contains("failed health check");
        List<FakeSlack.Call> replies = threadReplies(ts);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0).shown()).contains("Opened: unhealthy of nodeapp");
        assertThat(replies.get(1).shown()).contains("Resolved after", "back at 2/2 running and healthy for 2s");
        assertThat(rig.alerts.incidents(Instant.now().minus(Duration.ofHours(1)), "nodeapp"))
                .filteredOn(i -> i.kind() == IncidentKind.UNHEALTHY).singleElement()
                .satisfies(i -> assertThat(i.open()).isFalse());
    }

    @Test
    void fiftyTaskFailuresInABurstAreOneMessageThatSaysFifty() {
        assertThat(sim.crash("nodeapp", 50)).isEqualTo(50);

        Incident incident = awaitIncident(IncidentKind.TASK_FAILURES, "nodeapp", i -> i.count() == 50 && i.messageTs() != null);
        await().atMost(LONG).until(() -> lastShown(incident.messageTs()).contains("50 task failures"));

        assertThat(alertPosts()).hasSize(1);
        assertThat(lastShown(incident.messageTs())).contains("TASK_FAILED on node", "Container exited with status 137");
        int updates = edits(incident.messageTs()).size();
        System.out.println("measured: burst of 50 task failures → 1 message posted + " + updates
                + " edits (events received: 50)");
    }

    @Test
    void anAgentStoppedInTheSimIsLostAndResolvedWhenItIsBack() {
        assertThat(rig.run("sim agent node3 down")).contains("node3's Mesos agent is down");

        Incident lost = awaitIncident(IncidentKind.AGENT_LOST, "node3", i -> i.messageTs() != null);
        assertThat(slack.calls("chat.postMessage")).anySatisfy(c -> assertThat(c.param("text")).startsWith("🔴 node3 lost"));

        assertThat(rig.run("sim agent node3 up")).contains("back");

        await().atMost(LONG).until(() -> edits(lost.messageTs()).stream()
                .anyMatch(c -> c.param("text").startsWith("✅ node3: resolved")));
        assertThat(alertPosts()).filteredOn(c -> c.param("text").contains("node3 lost")).hasSize(1);
    }

    @Test
    void aDeploymentThatFailsWhileTheEventStreamIsDownIsRaisedAfterReconnectAsFoundByReconciliation() {
        try (ClusterClients cluster = ClusterClients.connect(rig.opsbot.config().cluster())) {
            sim.eventsDown();
            await().atMost(LONG).until(() -> !rig.alerts.watching());
            // a new version whose health checks never pass: its deployment cannot finish, and is then rolled back
            String broken = "node1:5000/nodeapp:broken";
            sim.failImage(broken);
            App current = cluster.marathon().app("/nodeapp");
            ObjectNode definition = current.raw().deepCopy();
            for (String readOnly : List.of("version", "versionInfo", "tasks", "deployments", "tasksRunning", "tasksStaged",
                    "tasksHealthy", "tasksUnhealthy", "lastTaskFailure")) {
                definition.remove(readOnly);
            }
            ((ObjectNode) definition.path("container").path("docker")).put("image", broken);
            String deployment = cluster.marathon().updateApp("/nodeapp", definition, false).deploymentId();
            await().atMost(LONG).until(() -> {
                LastTaskFailure f = cluster.marathon().app("/nodeapp", Embed.LAST_TASK_FAILURE).lastTaskFailure();
                return f != null && f.message().contains("health");
            });
            cluster.marathon().rollbackDeployment(deployment);
            assertThat(find(IncidentKind.DEPLOYMENT_FAILED, "nodeapp")).isEmpty();
            sim.eventsUp();
        }

        Incident found = awaitIncident(IncidentKind.DEPLOYMENT_FAILED, "nodeapp", i -> i.reconciled() && i.messageTs() != null);
        assertThat(found.lastReason()).contains("found by reconciliation after a", "gap in the event stream");
        await().atMost(LONG).until(() -> threadReplies(found.messageTs()).size() >= 1);
        assertThat(alertPosts()).filteredOn(c -> c.param("text").contains("nodeapp")).singleElement()
                .satisfies(c -> assertThat(c.param("text")).contains("(found by reconciliation after a", "gap in the event stream)"));
        assertThat(threadReplies(found.messageTs()).get(0).shown()).contains("Found by reconciliation");
    }

    @Test
    void aRestartWhileAnIncidentIsOpenResolvesItInTheOriginalMessage() {
        rig.run("sim fail nodeapp");
        Incident opened = awaitIncident(IncidentKind.UNHEALTHY, "nodeapp", i -> i.messageTs() != null);
        String ts = opened.messageTs();
        await().atMost(LONG).until(() -> threadReplies(ts).size() == 1);

        rig.close();
        rig = null;
        rig = new AlertRig(OpsbotConfig.empty().withAlerts(AlertRig.alerts()), home, slack);
        rig.run("sim heal nodeapp");

        await().atMost(LONG).until(() -> edits(ts).stream().anyMatch(c -> c.param("text").startsWith("✅ nodeapp: resolved")));
        await().atMost(LONG).until(() -> threadReplies(ts).size() >= 2);
        assertThat(alertPosts()).hasSize(1);
        assertThat(threadReplies(ts)).hasSize(2);
        assertThat(threadReplies(ts).get(1).shown()).contains("Resolved after");
    }

    @Test
    void muteFromTheButtonSilencesTheAppUntilItEndsAndSaysUntilWhen() throws Exception {
        rig.run("sim fail nodeapp");
        Incident opened = awaitIncident(IncidentKind.UNHEALTHY, "nodeapp", i -> i.messageTs() != null);
        String ts = opened.messageTs();
        assertThat(alertPosts().get(0).param("blocks")).contains(AlertBlocks.ACTION_MUTE, "Mute 2h", AlertBlocks.ACTION_LOGS,
                AlertBlocks.ACTION_STATUS, AlertBlocks.ACTION_RESTART);

        rig.requests.click(AlertBlocks.ACTION_MUTE, "nodeapp", "UOPS", AlertRig.ALERTS, "mute-click-1");

        await().atMost(LONG).until(() -> threadReplies(ts).stream().anyMatch(c -> c.shown().contains("muted until")));
        assertThat(threadReplies(ts)).filteredOn(c -> c.shown().contains("muted until")).singleElement()
                .satisfies(c -> assertThat(c.shown()).contains("by UOPS", "nothing more is posted or edited for nodeapp"));
        int editsAtMute = edits(ts).size();
        int countAtMute = find(IncidentKind.UNHEALTHY, "nodeapp").orElseThrow().count();
        // the incident goes on in the journal ...
        await().atMost(LONG).until(() -> find(IncidentKind.UNHEALTHY, "nodeapp").orElseThrow().count() >= countAtMute + 4);
        // ... and nothing is edited or posted for it meanwhile
        assertThat(edits(ts)).hasSize(editsAtMute);
        assertThat(alertPosts()).hasSize(1);
        assertThat(rig.run("mutes")).contains("nodeapp until", "by UOPS");

        assertThat(rig.run("unmute nodeapp")).contains("nodeapp's alerts show again");
        await().atMost(LONG).until(() -> threadReplies(ts).stream().anyMatch(c -> c.shown().contains("mute lifted")));
        await().atMost(LONG).until(() -> edits(ts).size() > editsAtMute);
        assertThat(rig.run("history")).contains("mute nodeapp for 2h", "unmute nodeapp");
    }

    @Test
    void slackRateLimitingIsItsOwnIncidentResolvedOncePostsGoThroughAgainWithoutLooping() {
        slack.rateLimit("chat.postMessage", 3, 1);
        rig.run("sim fail nodeapp");

        // the 429s are an incident of their own, in the journal (so in `incidents`) ...
        Incident limited = awaitIncident(IncidentKind.BLIND_SPOT, AlertService.SLACK, i -> true);
        assertThat(limited.lastReason()).contains("Slack rate-limits opsbot", "answered 429", "retry after 1s");
        // ... the held alert reaches Slack once allowed, and the blind spot resolves by state: posts go through again
        Incident unhealthy = awaitIncident(IncidentKind.UNHEALTHY, "nodeapp", i -> i.messageTs() != null);
        Incident over = awaitIncident(IncidentKind.BLIND_SPOT, AlertService.SLACK, i -> !i.open() && i.messageTs() != null);
        assertThat(over.count()).isBetween(1, 3);
        // its one message says so: edited to resolved, or posted resolved when Slack let it through only then
        await().atMost(LONG).until(() -> edits(over.messageTs()).stream().anyMatch(c -> c.param("text").startsWith("✅ slack: resolved"))
                || slack.calls("chat.postMessage").stream().anyMatch(c -> !c.rateLimited() && c.param("thread_ts").isEmpty()
                        && c.param("text").startsWith("✅ slack: resolved")));

        // no loop: Slack refused exactly the 3 posts it was told to, one top-level message per incident got through
        assertThat(slack.calls("chat.postMessage")).filteredOn(FakeSlack.Call::rateLimited).hasSize(3);
        assertThat(alertPosts()).filteredOn(c -> !c.rateLimited() && c.param("text").contains("nodeapp")).hasSize(1);
        assertThat(slack.calls("chat.postMessage")).filteredOn(c -> !c.rateLimited() && c.param("thread_ts").isEmpty()
                && (c.param("text").startsWith("🔴 Slack rate-limits") || c.param("text").startsWith("✅ slack"))).hasSize(1);
        assertThat(rig.run("incidents")).contains("slack");
        assertThat(unhealthy.count()).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    Incident awaitIncident(IncidentKind kind, String subject, java.util.function.Predicate<Incident> condition) {
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

    /** Alert messages posted at the top level of the alert channel (not command answers, not thread replies). */
    List<FakeSlack.Call> alertPosts() {
        return slack.calls("chat.postMessage").stream()
                .filter(c -> c.param("channel").equals(AlertRig.ALERTS) && c.param("thread_ts").isEmpty())
                .filter(c -> c.param("text").startsWith("🔴") || c.param("text").startsWith("✅"))
                .toList();
    }

    List<FakeSlack.Call> edits(String ts) {
        return slack.calls("chat.update").stream().filter(c -> c.param("ts").equals(ts) && !c.rateLimited()).toList();
    }

    List<FakeSlack.Call> threadReplies(String ts) {
        return slack.calls("chat.postMessage").stream().filter(c -> c.param("thread_ts").equals(ts)).toList();
    }

    String lastShown(String ts) {
        List<FakeSlack.Call> e = edits(ts);
        if (!e.isEmpty()) {
            return e.get(e.size() - 1).param("text");
        }
        return alertPosts().isEmpty() ? "" : alertPosts().get(0).param("text");
    }

    static int count(FakeSlack.Call call, String noun) {
        Matcher m = Pattern.compile("(\\d+) " + Pattern.quote(noun)).matcher(call.param("text"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
