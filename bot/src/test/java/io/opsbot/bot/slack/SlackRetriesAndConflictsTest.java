package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.bot.Request;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack delivering one command several times (its retries carry X-Slack-Retry-Num and X-Slack-Retry-Reason and the
 * same trigger_id or event_id), and two people sending conflicting commands at once: through Bolt's real HTTP
 * handling, the engine and the emulated cluster, counted from the cluster's own record of writes.
 */
class SlackRetriesAndConflictsTest {

    static final AccessConfig ACCESS = new AccessConfig(Map.of(
            "admin", List.of("UADMIN"),
            "operator", List.of("UOPS", "UOPS2"),
            "viewer", List.of("*")), null, "5m");

    @TempDir
    Path home;

    FakeSlack slack;
    SlackRig rig;
    /** Every request that got past Slack's signature check and access to opsbot's handler. */
    final List<Request> reached = new CopyOnWriteArrayList<>();

    void start(OpsbotConfig config) throws Exception {
        slack = new FakeSlack();
        rig = SlackRig.with(slack).config(config).access(ACCESS)
                .around(handler -> (request, progress) -> {
                    reached.add(request);
                    return handler.handle(request, progress);
                })
                .start(home);
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void aSlashCommandDeliveredThreeTimesAtOnceRunsOnce() throws Exception {
        start(OpsbotConfig.empty());
        long before = rig.simWritesTotal();

        List<SignedRequests.Answer> acks = atOnce(3, n -> rig.requests.slashCommand("scale nodeapp 3", "UOPS", "C0OPS",
                "trig-scale-1", n == 0 ? Map.of() : SignedRequests.retry(n, "http_timeout")));

        assertThat(acks).extracting(SignedRequests.Answer::status).containsExactly(200, 200, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown("C0OPS").contains("*succeeded*"));
        assertThat(reached).extracting(Request::text).containsExactly("scale nodeapp 3");
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(marathonWrites(before, "/nodeapp")).hasSize(1);
        assertThat(operationsInJournal("scale nodeapp 3")).isEqualTo(1);
        System.out.println("measured: slash command delivered 3 times at once: acked " + statuses(acks) + ", ran "
                + reached.size() + ", Marathon writes " + marathonWrites(before, "/nodeapp").size());
    }

    @Test
    void aMentionRetriedTwiceAfterItRanRunsOnce() throws Exception {
        start(OpsbotConfig.empty());
        long before = rig.simWritesTotal();

        SignedRequests.Answer first = rig.requests.mention("Ev-retry-1", "<@UBOT> scale nodeapp 3", "UOPS", "C0OPS", Map.of());
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown("C0OPS").contains("*succeeded*"));
        // Slack retries a delivery it thinks failed: at once, after a minute, after five; the same event_id each time
        SignedRequests.Answer second = rig.requests.mention("Ev-retry-1", "<@UBOT> scale nodeapp 3", "UOPS", "C0OPS",
                SignedRequests.retry(1, "http_timeout"));
        SignedRequests.Answer third = rig.requests.mention("Ev-retry-1", "<@UBOT> scale nodeapp 3", "UOPS", "C0OPS",
                SignedRequests.retry(2, "http_error"));

        assertThat(List.of(first.status(), second.status(), third.status())).containsExactly(200, 200, 200);
        // a different event with the same text is a new request and runs (and finds nothing to do)
        rig.requests.mention("Ev-retry-2", "<@UBOT> scale nodeapp 3", "UOPS", "C0OPS", Map.of());
        await().atMost(Duration.ofSeconds(60)).until(() -> reached.size() == 2
                && slack.calls("chat.postMessage").size() == 2 && lastShown("C0OPS").contains("*succeeded*"));
        assertThat(lastShown("C0OPS")).contains("already at 3 instances");
        assertThat(marathonWrites(before, "/nodeapp")).hasSize(1);
        assertThat(operationsInJournal("scale nodeapp 3")).isEqualTo(2);
    }

    @Test
    void aConfirmClickDeliveredThreeTimesRunsOnceAndADoubleClickIsToldItIsNoLongerPending() throws Exception {
        start(OpsbotConfig.empty());
        rig.requests.slashCommand("scale mongo 0", "UOPS", "C0OPS", "trig-mongo-0");
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String id = buttonValue(slack.calls("chat.postMessage").get(0).param("blocks"), "opsbot.confirm");
        long before = rig.simWritesTotal();

        List<SignedRequests.Answer> acks = atOnce(3, n -> rig.requests.click("opsbot.confirm", id, "UOPS", "C0OPS",
                "trig-click-1", n == 0 ? Map.of() : SignedRequests.retry(n, "http_timeout")));
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown("C0OPS").contains("*succeeded*"));
        // the same person clicking again: a new click (another trigger_id), answered privately
        rig.requests.click("opsbot.confirm", id, "UOPS", "C0OPS", "trig-click-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> !slack.calls("chat.postEphemeral").isEmpty());

        assertThat(acks).extracting(SignedRequests.Answer::status).containsExactly(200, 200, 200);
        assertThat(slack.calls("chat.postEphemeral")).singleElement()
                .satisfies(c -> assertThat(c.param("text")).contains("no longer pending", "nothing changed"));
        assertThat(reached).extracting(Request::text).containsExactly("scale mongo 0", "scale mongo 0");
        assertThat(marathonWrites(before, "/mongo")).hasSize(1);
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
    }

    @Test
    void aConflictingCommandWaitsForTheOperationHoldingTheAppNamingItAndWhoStartedItThenRuns() throws Exception {
        start(OpsbotConfig.empty());
        // nodeapp's new tasks fail their health checks: the restart holds the app until they are healed
        rig.run("sim fail nodeapp");
        long before = rig.simWritesTotal();
        rig.requests.slashCommand("restart nodeapp", "UOPS", "C0ONE", "trig-restart");
        await().atMost(Duration.ofSeconds(30)).until(() -> lastShown("C0ONE").contains("*running*"));
        String holder = operationId(lastShown("C0ONE"));

        rig.requests.slashCommand("scale nodeapp 3", "UOPS2", "C0TWO", "trig-scale-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> lastShown("C0TWO").contains(":hourglass:"));
        String waiting = lastShown("C0TWO");
        rig.run("sim heal nodeapp");
        await().atMost(Duration.ofSeconds(90)).until(() -> lastShown("C0ONE").contains("*succeeded*")
                && lastShown("C0TWO").contains("*succeeded*"));

        assertThat(waiting).contains("waiting for nodeapp", holder, "'restart nodeapp'", "started by <@UOPS>");
        List<JsonNode> writes = marathonWrites(before, "/nodeapp");
        // the restart's write, then the scale's (a restart of failing tasks may make Marathon write more versions of
        // its own, never opsbot's scale before the restart ended)
        assertThat(writes).last().satisfies(w -> assertThat(w.path("steps").asText()).doesNotContain("Restart"));
        assertThat(writes.get(0).path("steps").asText()).contains("Restart");
        assertThat(operationsInJournal("restart nodeapp")).isEqualTo(1);
        assertThat(operationsInJournal("scale nodeapp 3")).isEqualTo(1);
        System.out.println("measured: conflicting command waited; it said: " + waitingLine(waiting));
    }

    @Test
    void pastTheLockWaitAConflictingCommandIsRefusedNamingTheHolderAndChangesNothing() throws Exception {
        start(new OpsbotConfig(null, null, new EngineConfig("1s", null, null), null, null, null, null));
        rig.run("sim fail nodeapp");
        rig.requests.slashCommand("restart nodeapp", "UOPS", "C0ONE", "trig-restart");
        await().atMost(Duration.ofSeconds(30)).until(() -> lastShown("C0ONE").contains("*running*"));
        String holder = operationId(lastShown("C0ONE"));
        long before = rig.simWritesTotal();

        rig.requests.slashCommand("scale nodeapp 3", "UOPS2", "C0TWO", "trig-scale-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> lastShown("C0TWO").contains("*failed*")
                || lastShown("C0TWO").contains("busy"));
        String refused = lastShown("C0TWO");
        rig.run("sim heal nodeapp");
        await().atMost(Duration.ofSeconds(90)).until(() -> lastShown("C0ONE").contains("*succeeded*"));

        assertThat(refused).contains("nodeapp is busy", holder, "'restart nodeapp'", "started by <@UOPS>",
                "try again when it finishes");
        assertThat(marathonWrites(before, "/nodeapp")).noneSatisfy(w -> assertThat(w.path("steps").asText()).contains("Scale"));
        assertThat(rig.run("status nodeapp")).doesNotContain("3/3");
        System.out.println("measured: conflicting command refused after engine.lockWait 1s; it said: " + waitingLine(refused));
    }

    private interface Delivery {
        SignedRequests.Answer send(int n) throws Exception;
    }

    /** Sends {@code n} deliveries from {@code n} threads released together. */
    private static List<SignedRequests.Answer> atOnce(int n, Delivery delivery) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SignedRequests.Answer>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<SignedRequests.Answer> call = () -> {
                    go.await();
                    return delivery.send(index);
                };
                sent.add(pool.submit(call));
            }
            go.countDown();
            List<SignedRequests.Answer> answers = new ArrayList<>();
            for (Future<SignedRequests.Answer> f : sent) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<JsonNode> marathonWrites(long after, String app) {
        return rig.simWrites(after).stream()
                .filter(w -> w.path("kind").asText().equals("marathon") && w.path("target").asText().equals(app)).toList();
    }

    /** Operations with this title in the journal (queries are journaled too, as cmd- entries; these are op- ones). */
    private long operationsInJournal(String title) {
        return rig.run("history").lines().filter(l -> l.contains("op-") && l.contains(title)).count();
    }

    /** What the channel shows last: the newest post or edit there. */
    private String lastShown(String channel) {
        List<FakeSlack.Call> writes = slack.calls().stream()
                .filter(c -> (c.method().equals("chat.postMessage") || c.method().equals("chat.update"))
                        && c.param("channel").equals(channel)).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }

    private static String operationId(String shown) {
        Matcher m = Pattern.compile("op-[0-9a-f]+").matcher(shown);
        assertThat(m.find()).as("an operation id in %s", shown).isTrue();
        return m.group();
    }

    private static String waitingLine(String shown) {
        return shown.lines().filter(l -> l.contains("busy") || l.contains("waiting")).findFirst().orElse(shown);
    }

    private static String statuses(List<SignedRequests.Answer> answers) {
        return answers.stream().map(a -> Integer.toString(a.status())).toList().toString();
    }

    private static String buttonValue(String blocks, String actionId) {
        int at = blocks.indexOf("\"action_id\":\"" + actionId + "\"");
        int v = blocks.indexOf("\"value\":\"", at) + 9;
        return blocks.substring(v, blocks.indexOf('"', v));
    }
}
