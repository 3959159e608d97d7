package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.bot.Opsbot;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AlertsConfig;
import io.opsbot.config.OpsbotConfig.HaConfig;
import io.opsbot.config.OpsbotConfig.JournalConfig;
import io.opsbot.engine.ops.SimControl;
import io.opsbot.testing.RealComponents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two opsbot replicas sharing one PostgreSQL journal, with a real ZooKeeper (Curator's in-process TestingServer) to
 * elect the one that alerts: only the leader posts; when it stops the other takes over and edits the same message.
 * Each replica calls the fake Slack with its own token, so every call says which replica made it.
 */
class AlertsHighAvailabilityTest {

    private static final Duration LONG = Duration.ofSeconds(90);
    private static final String TOKEN_A = "xoxb-replica-a";
    private static final String TOKEN_B = "xoxb-replica-b";

    @TempDir
    Path home;

    FakeSlack slack;
    TestingServer zookeeper;
    Opsbot cluster;
    String schema;
    String url;
    String user;
    String password;
    AlertRig a;
    AlertRig b;

    @BeforeEach
    void start() throws Exception {
        RealComponents.Postgres pg = RealComponents.postgres();
        url = pg.jdbcUrl();
        user = pg.user();
        password = pg.password();
        schema = "alerts_ha_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        slack = new FakeSlack();
        zookeeper = new TestingServer(true);
        // the emulated cluster both replicas watch, run by a third opsbot that does not alert
        cluster = Opsbot.startWith(OpsbotConfig.empty().withAlerts(new AlertsConfig(false, null, null, null, null, null,
                null, null, null, null)), home.resolve("cluster"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {b, a, cluster, zookeeper, slack}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep closing the rest
                }
            }
        }
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void onlyTheLeaderPostsAndTheOtherTakesOverTheSameMessageWhenItStops() {
        a = new AlertRig(replica("replica-a"), home.resolve("a"), slack, false, TOKEN_A);
        b = new AlertRig(replica("replica-b"), home.resolve("b"), slack, false, TOKEN_B);
        await().atMost(LONG).until(() -> a.alerts.watching() ^ b.alerts.watching());
        AlertRig leader = a.alerts.watching() ? a : b;
        AlertRig follower = leader == a ? b : a;
        String leaderToken = leader == a ? TOKEN_A : TOKEN_B;
        String followerToken = leader == a ? TOKEN_B : TOKEN_A;
        assertThat(leader.alerts.leaderLine()).startsWith("alerts: this replica leads");
        assertThat(follower.run("status")).contains("alerts: replica " + (leader == a ? "replica-a" : "replica-b") + " leads");

        SimControl sim = new SimControl(cluster.config().cluster().marathon().url());
        sim.fail("nodeapp");
        Incident opened = awaitIncident(follower, i -> i.messageTs() != null);
        String ts = opened.messageTs();
        await().atMost(LONG).until(() -> edits(ts).size() >= 1);
        assertThat(alertCalls()).allSatisfy(c -> assertThat(c.authorization()).isEqualTo("Bearer " + leaderToken));

        leader.close();
        if (leader == a) {
            a = null;
        } else {
            b = null;
        }
        await().atMost(LONG).until(follower.alerts::watching);
        int before = edits(ts).size();
        await().atMost(LONG).until(() -> edits(ts).stream().skip(before)
                .anyMatch(c -> c.authorization().equals("Bearer " + followerToken)));

        sim.heal("nodeapp");
        await().atMost(LONG).until(() -> edits(ts).stream().anyMatch(c -> c.param("text").startsWith("✅ nodeapp: resolved")
                && c.authorization().equals("Bearer " + followerToken)));
        // the thread reply saying it is resolved follows the edit, so it is waited for, not assumed
        await().atMost(LONG).until(() -> threadReplies(ts).size() >= 2);
        assertThat(alertPosts()).hasSize(1);
        assertThat(alertPosts().get(0).authorization()).isEqualTo("Bearer " + leaderToken);
        assertThat(threadReplies(ts)).hasSize(2);
        assertThat(threadReplies(ts).get(1).authorization()).isEqualTo("Bearer " + followerToken);
    }

    private OpsbotConfig replica(String id) {
        return OpsbotConfig.empty().withCluster(cluster.config().cluster())
                .withJournal(new JournalConfig(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password))
                .withAlerts(AlertRig.alerts())
                .withHa(new HaConfig(zookeeper.getConnectString(), "10s", id));
    }

    private Incident awaitIncident(AlertRig any, java.util.function.Predicate<Incident> condition) {
        return await().atMost(LONG).until(() -> any.alerts.incidents(Instant.now().minus(Duration.ofHours(1)), "nodeapp")
                .stream().filter(i -> i.kind() == IncidentKind.UNHEALTHY).filter(condition).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    private List<FakeSlack.Call> alertCalls() {
        return slack.calls().stream().filter(c -> c.method().startsWith("chat.") && c.param("channel").equals(AlertRig.ALERTS))
                .toList();
    }

    private List<FakeSlack.Call> alertPosts() {
        return slack.calls("chat.postMessage").stream()
                .filter(c -> c.param("channel").equals(AlertRig.ALERTS) && c.param("thread_ts").isEmpty())
                .filter(c -> c.param("text").startsWith("🔴") || c.param("text").startsWith("✅")).toList();
    }

    private List<FakeSlack.Call> threadReplies(String ts) {
        return slack.calls("chat.postMessage").stream().filter(c -> c.param("thread_ts").equals(ts)).toList();
    }

    private List<FakeSlack.Call> edits(String ts) {
        return slack.calls("chat.update").stream().filter(c -> c.param("ts").equals(ts) && !c.rateLimited()).toList();
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
