package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.render.PlainText;
import io.opsbot.cluster.flocker.Dataset;
import io.opsbot.cluster.flocker.FlockerNode;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.ops.ClusterClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack end to end: signed requests through Bolt, access, the lead's Dispatcher, the engine, the real clients and
 * the in-process sim over HTTP; Slack's Web API faked on loopback.
 */
class SlackEndToEndTest {

    @TempDir
    Path home;

    final AccessConfig access = new AccessConfig(Map.of(
            "admin", List.of("UADMIN", "UADMIN2"),
            "operator", List.of("UOPS"),
            "viewer", List.of("*")), null, "5m");

    FakeSlack slack;
    SlackRig rig;
    Opsbot opsbot;
    SignedRequests requests;
    /** The sim seen through the real clients, to check what the cluster did (or did not do). */
    ClusterClients cluster;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        rig = SlackRig.with(slack).access(access).responseUrl(SignedRequests.NO_RESPONSE_URL).start(home);
        opsbot = rig.opsbot;
        requests = rig.requests;
        cluster = ClusterClients.connect(opsbot.config().cluster());
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    @Test
    void scaleIsAckedAtOnceAndItsMessageIsEditedThroughTheStepsToAHealthySummary() throws Exception {
        SignedRequests.Answer ack = requests.slashCommand("scale nodeapp 3", "UOPS", "C0OPS", "e2e-1");

        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        System.out.println("measured: end-to-end scale ack " + ack.took().toMillis() + " ms");
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        System.out.println("measured: end-to-end scale message writes: 1 post + " + slack.calls("chat.update").size() + " updates");
        String last = lastShown();
        assertThat(slack.calls()).filteredOn(c -> c.method().startsWith("chat."))
                .anySatisfy(c -> assertThat(c.shown()).contains("*running*  1. set instances of /nodeapp to 3"));
        assertThat(last).contains("scale nodeapp 3", "requested by <@UOPS>", "_emulated cluster_", "*changed*", "changed=1 failed=0")
                .doesNotContain("opsbot.cancel");
        assertThat(status("nodeapp")).contains("3/3 running");
    }

    @Test
    void scaleToZeroAsksForConfirmationAndRunsOnlyAfterAnAllowedClick() throws Exception {
        requests.slashCommand("scale mongo 0", "UOPS", "C0OPS", "e2e-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String blocks = slack.calls("chat.postMessage").get(0).param("blocks");
        assertThat(slack.calls("chat.postMessage").get(0).shown()).contains("needs confirmation", "Confirm");
        int at = blocks.indexOf("\"action_id\":\"opsbot.confirm\"");
        int v = blocks.indexOf("\"value\":\"", at) + 9;
        String id = blocks.substring(v, blocks.indexOf('"', v));

        requests.click("opsbot.confirm", id, "UOTHER", "C0OPS", "e2e-click-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("only <@UOPS> (who asked) or an admin may confirm");
        assertThat(status("mongo")).contains("1/1 running");

        requests.click("opsbot.confirm", id, "UOPS", "C0OPS", "e2e-click-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        assertThat(lastShown()).contains("confirmed by <@UOPS>");
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(status("mongo")).contains(": 0/0 running");
        String history = new PlainText().render(opsbot.dispatcher().handle(new Request("history", "test", "test", false),
                ProgressListener.NONE));
        // wired as Main wires it, the audit trail is in the journal too: the refused click and the confirmation
        assertThat(history.lines().filter(l -> l.contains("cmd-") && l.contains("scale mongo 0")).toList())
                .anySatisfy(l -> assertThat(l).contains("confirmed by UOPS; it ran as an operation of its own"))
                .anySatisfy(l -> assertThat(l).contains("confirm-refused requester=UOPS", "by UOTHER"));
    }

    @Test
    void aViewerIsDeniedScaleWithAClearMessageAndNothingChanges() throws Exception {
        requests.slashCommand("scale nodeapp 5", "UVIEW", "C0OPS", "e2e-3");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("scale needs the operator role; operators: <@UOPS>; admins: <@UADMIN>");
        assertThat(status("nodeapp")).contains("2/2 running");
    }

    @Test
    void deployIsAckedAtOnceAndEditsOneMessageThroughEveryStepAtMostOncePerSecondToAHealthySummary() throws Exception {
        assertThat(cluster.marathon().app("/nodeapp").image()).isEqualTo("node1:5000/nodeapp:1.0");

        SignedRequests.Answer ack = requests.slashCommand("deploy nodeapp", "UOPS", "C0OPS", "e2e-deploy");

        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        List<FakeSlack.Call> writes = messageWrites();
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(writes.get(0).method()).isEqualTo("chat.postMessage");
        List<FakeSlack.Call> updates = writes.subList(1, writes.size());
        assertThat(updates).isNotEmpty().allSatisfy(u -> assertThat(u.param("ts")).isEqualTo(slack.postedTs(0)));
        assertThat(slack.calls("chat.postEphemeral")).isEmpty();

        // LiveMessage spaces every send of a message (the post, each edit and the final one) by the edit interval
        // from the start of the previous send; Slack sees them a few ms later, so allow 100 ms of jitter.
        List<Long> gaps = gapsMillis(writes);
        assertThat(gaps).allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(900));

        // through the steps: the progress bar never goes back, and Marathon's deployment is shown while it runs
        List<Integer> percents = new ArrayList<>();
        for (FakeSlack.Call w : writes.subList(0, writes.size() - 1)) {
            Matcher m = Pattern.compile("` (\\d+)%").matcher(w.shown());
            assertThat(m.find()).as("progress bar in %s", w.shown()).isTrue();
            percents.add(Integer.parseInt(m.group(1)));
        }
        assertThat(percents).isSorted();
        assertThat(writes.subList(0, writes.size() - 1)).allSatisfy(w -> assertThat(w.shown()).contains("opsbot.cancel"));
        assertThat(writes).anySatisfy(w -> assertThat(w.shown())
                .containsPattern("\\*running\\*  3\\. run /nodeapp at version \\S+ in Marathon — \\S+"));

        String finalBlocks = FakeSlack.Call.unescape(writes.get(writes.size() - 1).param("blocks"));
        assertThat(finalBlocks)
                .containsPattern("\\*ok\\*  1\\. build image node1:5000/nodeapp:\\S+ — no Docker engine configured: build skipped")
                .containsPattern("\\*changed\\*  2\\. push node1:5000/nodeapp:\\S+ to the registry — ")
                .containsPattern("\\*changed\\*  3\\. run /nodeapp at version \\S+ in Marathon — container\\.docker\\.image: node1:5000/nodeapp:1\\.0 → .*; nodeapp is healthy: 2 of 2 running, 2 healthy")
                .contains("*succeeded*", "ok=1 changed=2 failed=0 skipped=0", "requested by <@UOPS>", "_emulated cluster_")
                .doesNotContain("opsbot.cancel", "*running*", "*pending*");
        App after = cluster.marathon().app("/nodeapp", Embed.COUNTS);
        assertThat(after.image()).startsWith("node1:5000/nodeapp:").isNotEqualTo("node1:5000/nodeapp:1.0");
        assertThat(finalBlocks).contains("run /nodeapp at version " + after.image().substring("node1:5000/nodeapp:".length()));
        assertThat(after.tasksHealthy()).isEqualTo(2);
        System.out.println("measured: end-to-end deploy ack " + ack.took().toMillis() + " ms; 1 post + " + updates.size()
                + " updates; gaps between sends (ms) " + gaps + "; percents " + percents);
    }

    @Test
    void moveAskedByAnOperatorIsDeniedNamingTheAdminRoleAndNothingMoves() throws Exception {
        SignedRequests.Answer ack = requests.slashCommand("move mongo node3", "UOPS", "C0OPS", "e2e-move-denied");

        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("user")).isEqualTo("UOPS");
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("move needs the admin role", "admins: <@UADMIN>");
        assertThat(slack.calls("chat.postMessage")).isEmpty();
        assertMongoOn("node2");
    }

    @Test
    void moveByAnAdminAsksForConfirmationRefusesOthersClickAndMovesOnlyAfterAnAdminConfirms() throws Exception {
        assertMongoOn("node2");
        SignedRequests.Answer ack = requests.slashCommand("move mongo node3", "UADMIN", "C0OPS", "e2e-move");

        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("chat.postMessage").size() == 1);
        FakeSlack.Call asked = slack.calls("chat.postMessage").get(0);
        assertThat(asked.shown()).contains("move mongo node3 needs confirmation", "dataset mongo: node2 → node3",
                "requested by <@UADMIN>", "opsbot.confirm", "opsbot.decline");
        String id = buttonValue(asked.param("blocks"), BlockKit.ACTION_CONFIRM);
        // a few emulated minutes pass (time scale 10): still nothing moves without a click
        Thread.sleep(1500);
        assertMongoOn("node2");

        requests.click("opsbot.confirm", id, "UOPS", "C0OPS", "e2e-move-click-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("user")).isEqualTo("UOPS");
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("only <@UADMIN> (who asked) or an admin may confirm `move mongo node3`; nothing changed");
        assertThat(slack.calls("chat.update")).isEmpty();
        assertMongoOn("node2");

        long clicked = System.nanoTime();
        requests.click("opsbot.confirm", id, "UADMIN2", "C0OPS", "e2e-move-click-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        long tookMillis = (System.nanoTime() - clicked) / 1_000_000;

        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(slack.calls("chat.update")).allSatisfy(u -> assertThat(u.param("ts")).isEqualTo(slack.postedTs(0)));
        assertThat(slack.calls("chat.update").get(0).shown()).contains("confirmed by <@UADMIN2> — running");
        assertThat(lastShown()).contains("requested by <@UADMIN>", "confirmed by <@UADMIN2>",
                "*changed*  1. move Flocker dataset mongo to node3 — dataset mongo: node2 → node3",
                "*changed*  2. pin /mongo to node3 (constraint hostname:CLUSTER:node3) — constraints: ",
                "; mongo is healthy: 1 of 1 running, 1 healthy",
                "*ok*  3. verify mongo runs on node3 with dataset mongo attached — mongo runs on node3", "*succeeded*",
                "ok=1 changed=2 failed=0 skipped=0");
        assertMongoOn("node3");
        System.out.println("measured: end-to-end move ack " + ack.took().toMillis() + " ms; click to succeeded " + tookMillis
                + " ms; " + slack.calls("chat.update").size() + " updates");
    }

    @Test
    void longLogsShowTheirStartInTheChannelAndTheRestBoundedInTheThread() throws Exception {
        // an emulated hour passes, so the default 15 minute window holds more log lines than a message shows
        simControl("/_sim/time/advance", "{\"seconds\":3600}");

        SignedRequests.Answer ack = requests.slashCommand("logs nodeapp --lines 300", "UVIEW", "C0OPS", "e2e-logs");

        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("files.completeUploadExternal").size() == 1);
        List<FakeSlack.Call> posts = slack.calls("chat.postMessage");
        assertThat(posts).hasSize(2);
        FakeSlack.Call channel = posts.get(0);
        FakeSlack.Call thread = posts.get(1);
        assertThat(channel.param("thread_ts")).isEmpty();
        assertThat(thread.param("thread_ts")).isEqualTo(slack.postedTs(0));
        assertThat(slack.calls("files.completeUploadExternal").get(0).param("thread_ts")).isEqualTo(slack.postedTs(0));

        int inChannel = logLines(channel);
        int inThread = logLines(thread);
        Matcher more = Pattern.compile("… \\((\\d+) more lines in the thread\\)").matcher(channel.shown());
        assertThat(more.find()).isTrue();
        int overflow = Integer.parseInt(more.group(1));
        assertThat(inChannel).isPositive().isLessThanOrEqualTo(BlockKit.MAX_MESSAGE_LINES);
        assertThat(overflow).isGreaterThan(CommandRunner.THREAD_LINES);
        assertThat(inThread).isEqualTo(CommandRunner.THREAD_LINES);
        assertThat(thread.shown()).contains("… (" + (overflow - CommandRunner.THREAD_LINES) + " more lines in the attached file)");
        assertThat(inChannel + overflow).isLessThanOrEqualTo(300 + 1);
        System.out.println("measured: logs --lines 300: " + inChannel + " lines in the channel, " + inThread
                + " in the thread, " + (overflow - inThread) + " more only in the file; ack " + ack.took().toMillis() + " ms");
    }

    @Test
    void deployPlanShowsEachStepAndWhatWouldChangeAndChangesNothing() throws Exception {
        App before = cluster.marathon().app("/nodeapp");

        SignedRequests.Answer ack = requests.slashCommand("deploy nodeapp --plan", "UOPS", "C0OPS", "e2e-plan");

        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String shown = slack.calls("chat.postMessage").get(0).shown();
        assertThat(shown).contains("Plan: deploy nodeapp (nothing changed)", "nothing has changed yet",
                        "build image node1:5000/nodeapp:", "no Docker engine configured: build skipped",
                        ":pencil2: *will change*  push node1:5000/nodeapp:",
                        "container.docker.image: node1:5000/nodeapp:1.0 → node1:5000/nodeapp:",
                        "would change 2 of 3 steps")
                .containsPattern(":pencil2: \\*will change\\*  run /nodeapp at version \\S+ in Marathon")
                .doesNotContain("opsbot.confirm", "opsbot.cancel");
        // a while later: still one message, never edited, and Marathon has the same definition
        Thread.sleep(1000);
        assertThat(slack.calls("chat.update")).isEmpty();
        App after = cluster.marathon().app("/nodeapp");
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.image()).isEqualTo("node1:5000/nodeapp:1.0");
        assertThat(cluster.marathon().deployments()).isEmpty();
        System.out.println("measured: deploy --plan ack " + ack.took().toMillis() + " ms");
    }

    /** mongo's task runs on {@code node} and its Flocker dataset's primary is that node. */
    private void assertMongoOn(String node) {
        String address = opsbot.config().cluster().nodes().get(node);
        List<Task> tasks = cluster.marathon().appTasks("/mongo");
        assertThat(tasks).as("mongo tasks").isNotEmpty()
                .allSatisfy(t -> assertThat(t.host()).isIn(node, address));
        Dataset mongo = cluster.flocker().datasets().stream()
                .filter(d -> "mongo".equals(d.metadata().get("name")) && !d.deleted()).findFirst().orElseThrow();
        String primaryHost = cluster.flocker().nodes().stream().filter(n -> n.uuid().equals(mongo.primary()))
                .map(FlockerNode::host).findFirst().orElseThrow();
        assertThat(primaryHost).as("mongo dataset primary").isIn(node, address);
    }

    private void simControl(String path, String json) throws Exception {
        OkHttpClient http = new OkHttpClient();
        okhttp3.Request request = new okhttp3.Request.Builder().url(opsbot.config().cluster().marathon().url() + path)
                .post(RequestBody.create(json, MediaType.get("application/json"))).build();
        try (okhttp3.Response response = http.newCall(request).execute()) {
            assertThat(response.code()).as("sim control %s", path).isEqualTo(200);
        }
    }

    /** Log lines in a message's blocks (its notification text repeats the first one). */
    private static int logLines(FakeSlack.Call message) {
        Matcher m = Pattern.compile("Z node\\d nodeapp\\[\\d+\\]: ").matcher(FakeSlack.Call.unescape(message.param("blocks")));
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String buttonValue(String blocks, String actionId) {
        int at = blocks.indexOf("\"action_id\":\"" + actionId + "\"");
        int v = blocks.indexOf("\"value\":\"", at) + 9;
        return blocks.substring(v, blocks.indexOf('"', v));
    }

    private List<FakeSlack.Call> messageWrites() {
        return slack.calls().stream()
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
    }

    private static List<Long> gapsMillis(List<FakeSlack.Call> writes) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < writes.size(); i++) {
            gaps.add((writes.get(i).atNanos() - writes.get(i - 1).atNanos()) / 1_000_000);
        }
        return gaps;
    }

    private String status(String app) {
        return new PlainText().render(opsbot.dispatcher().handle(new Request("status " + app, "test", "test", false),
                ProgressListener.NONE));
    }

    private String lastShown() {
        List<FakeSlack.Call> writes = slack.calls().stream()
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }
}
