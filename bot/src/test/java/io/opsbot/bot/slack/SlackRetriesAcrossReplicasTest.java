package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AlertsConfig;
import io.opsbot.config.OpsbotConfig.JournalConfig;
import io.opsbot.testing.RealComponents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two opsbot replicas behind one Request URL, sharing one PostgreSQL journal and one emulated cluster (as in the
 * HA set-up): Slack's retry of a delivery lands on the other replica than the first delivery. The delivery runs once,
 * because the replicas recognise deliveries through the journal's {@code chat_deliveries}, not each in its own
 * memory. Without that, both replicas ran the command (two runs reach the handler, two operations in the journal).
 */
class SlackRetriesAcrossReplicasTest {

    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path home;

    FakeSlack slack;
    String schema;
    String url;
    String user;
    String password;
    SlackRig a;
    SlackRig b;
    /** What reached the command handler of either replica (past signature, dedup and access). */
    final List<String> reached = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        RealComponents.Postgres pg = RealComponents.postgres();
        url = pg.jdbcUrl();
        user = pg.user();
        password = pg.password();
        schema = "retries_ha_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        slack = new FakeSlack();
        // replica a runs the emulated cluster both replicas operate
        a = replica("a", null);
        b = replica("b", a.opsbot.config().cluster());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {b, a, slack}) {
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
    void aDeliveryAndItsRetryOnTheOtherReplicaRunOnce() throws Exception {
        long before = a.simWritesTotal();

        // a slash command to replica a and Slack's retry of it (same trigger_id) to replica b, at once
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<SignedRequests.Answer> first = CompletableFuture.supplyAsync(() -> send(go,
                () -> a.requests.slashCommand("scale nodeapp 3", "UOPS", "C0OPS", "trig-ha-1", Map.of())));
        CompletableFuture<SignedRequests.Answer> retry = CompletableFuture.supplyAsync(() -> send(go,
                () -> b.requests.slashCommand("scale nodeapp 3", "UOPS", "C0OPS", "trig-ha-1",
                        SignedRequests.retry(1, "http_timeout"))));
        go.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(retry.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        awaitState(() -> reached.size() >= 1 && slack.calls("chat.postMessage").size() >= 1
                && lastShown("C0OPS").contains("*succeeded*"));

        // an event delivered to b, run, then retried to a (same event_id) after it ran
        int callsBefore = slack.calls().size();
        b.requests.mention("Ev-ha-1", "<@UBOT> scale nodeapp 2", "UOPS", "C0OPS", Map.of());
        awaitState(() -> reached.contains("scale nodeapp 2")
                && shownSince(callsBefore, "C0OPS").contains("*succeeded*"));
        SignedRequests.Answer late = a.requests.mention("Ev-ha-1", "<@UBOT> scale nodeapp 2", "UOPS", "C0OPS",
                SignedRequests.retry(2, "http_error"));
        assertThat(late.status()).isEqualTo(200);
        // a new delivery after the retry, to the same replica: it runs (and so the retry had its turn before it)
        a.requests.slashCommand("status nodeapp", "UOPS", "C0OPS", "trig-ha-2", Map.of());
        awaitState(() -> reached.contains("status nodeapp") && slack.calls("chat.postMessage").size() >= 3);

        assertThat(reached).containsExactly("scale nodeapp 3", "scale nodeapp 2", "status nodeapp");
        assertThat(a.simWrites(before).stream().filter(w -> w.path("kind").asText().equals("marathon")
                && w.path("target").asText().equals("/nodeapp")).toList()).hasSize(2);
        assertThat(a.run("history").lines().filter(l -> l.contains("op-") && l.contains("scale nodeapp")).count())
                .isEqualTo(2);
        assertThat(slack.calls("chat.postMessage")).hasSize(3);
        System.out.println("measured: 2 deliveries each also sent to the other replica (1 at once, 1 after it ran): ran "
                + reached + ", Marathon writes on /nodeapp 2");
    }

    private SlackRig replica(String name, io.opsbot.config.ClusterConfig cluster) {
        OpsbotConfig config = (cluster == null ? OpsbotConfig.empty() : OpsbotConfig.empty().withCluster(cluster))
                .withJournal(new JournalConfig(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password))
                .withAlerts(noAlerts());
        return SlackRig.with(slack).config(config).botToken("xoxb-replica-" + name)
                .around(handler -> (request, progress) -> {
                    reached.add(request.text());
                    return handler.handle(request, progress);
                })
                .start(home.resolve(name));
    }

    /** Waits for {@code condition}; if it never holds, says what ran and what Slack was asked. */
    private void awaitState(java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(LONG).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("ran " + reached + "; Slack calls: " + slack.calls().stream()
                    .map(c -> c.method() + " " + c.param("channel") + " " + c.shown()).toList(), e);
        }
    }

    private static AlertsConfig noAlerts() {
        return new AlertsConfig(false, null, null, null, null, null, null, null, null, null);
    }

    private interface Send {
        SignedRequests.Answer send() throws Exception;
    }

    private static SignedRequests.Answer send(CountDownLatch go, Send send) {
        try {
            go.await();
            return send.send();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The newest post or edit in the channel among the fake Slack's calls after the first {@code skip}. */
    private String shownSince(int skip, String channel) {
        List<FakeSlack.Call> writes = slack.calls().stream().skip(skip)
                .filter(c -> (c.method().equals("chat.postMessage") || c.method().equals("chat.update"))
                        && c.param("channel").equals(channel)).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }

    /** What the channel shows last: the newest post or edit there. */
    private String lastShown(String channel) {
        List<FakeSlack.Call> writes = slack.calls().stream()
                .filter(c -> (c.method().equals("chat.postMessage") || c.method().equals("chat.update"))
                        && c.param("channel").equals(channel)).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
