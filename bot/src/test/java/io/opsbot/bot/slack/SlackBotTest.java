package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Check;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;
import io.opsbot.engine.StepReport;
import io.opsbot.engine.StepResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slack adapter through Bolt's real HTTP handling, against a fake Slack Web API on loopback. */
class SlackBotTest {

    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String BOT_TOKEN = "xoxb-test-0000-secret-bot-token";
    static final String OPERATOR = "UOPS";
    static final String ADMIN = "UADMIN";
    static final String ADMIN2 = "UADMIN2";
    static final String VIEWER = "UVIEW";
    static final String CHANNEL = "C0OPS";

    final AccessConfig access = new AccessConfig(Map.of(
            "admin", List.of(ADMIN, ADMIN2),
            "operator", List.of(OPERATOR, "SONCALL"),
            "viewer", List.of("*")), Map.of("C0READ", List.of("status", "logs")), "5m");

    FakeSlack slack;
    SlackBot bot;
    SignedRequests requests;
    final List<Request> handled = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock();
    /** How confirmations were answered, as the journal is told. */
    final List<String> answers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void fakeSlack() throws Exception {
        slack = new FakeSlack();
    }

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
        slack.close();
    }

    void start(CommandHandler handler, Duration editInterval) {
        start(handler, editInterval, b -> { });
    }

    void start(CommandHandler handler, Duration editInterval, java.util.function.Consumer<SlackBot.Builder> more) {
        CommandHandler recording = (request, progress) -> {
            handled.add(request);
            return handler.handle(request, progress);
        };
        SlackRig rig = SlackRig.with(slack).access(access).settings(b -> more.accept(b.editInterval(editInterval).clock(clock)))
                .bare(recording);
        bot = rig.bot;
        requests = rig.requests;
    }

    @Test
    void slashCommandIsAcknowledgedWithinThreeSecondsWhileTheHandlerBlocksForTenSeconds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start((request, progress) -> {
            waitFor(release, 10);
            return new Response.Answer(new Report("status", List.of(), false));
        }, Duration.ofMillis(50));

        SignedRequests.Answer ack = requests.slashCommand("status", OPERATOR, CHANNEL, "trig-1");

        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.took()).isLessThan(Duration.ofSeconds(3));
        System.out.println("measured: slash command ack while the handler blocks: " + ack.took().toMillis() + " ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 1);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
    }

    @Test
    void queriesAndCancelsAreAnsweredWhileEveryWorkerIsTakenByOperationsWaitingForTheirTurn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start((request, progress) -> {
            if (request.text().startsWith("scale")) {
                waitFor(release, 60); // as an operation waits for the app's lock held by another
            }
            return new Response.Answer(new Report(request.text(), List.of(), false));
        }, Duration.ofMillis(50));
        try {
            for (int i = 0; i < 8; i++) {
                assertThat(requests.slashCommand("scale nodeapp 3", OPERATOR, CHANNEL, "waiting-" + i).body()).isEmpty();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 8);

            requests.slashCommand("status nodeapp", VIEWER, CHANNEL, "query-1");
            requests.slashCommand("cancel op-1", OPERATOR, CHANNEL, "query-2");

            await().atMost(Duration.ofSeconds(10)).until(() -> handled.stream().map(Request::text).toList()
                    .containsAll(List.of("status nodeapp", "cancel op-1")));
            assertThat(release.getCount()).as("the operations still wait").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aClickOrMentionWhileEveryWorkerAndTheQueueAreTakenIsToldPrivatelyThatOpsbotIsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start((request, progress) -> {
            waitFor(release, 60);
            return new Response.Answer(new Report(request.text(), List.of(), false));
        }, Duration.ofMillis(50), b -> b.workers(1, 1));
        try {
            requests.slashCommand("scale nodeapp 3", OPERATOR, CHANNEL, "full-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
            requests.slashCommand("scale nodeapp 2", OPERATOR, CHANNEL, "full-2"); // waits in the queue

            assertThat(requests.slashCommand("scale nodeapp 4", OPERATOR, CHANNEL, "full-3").body()).contains("opsbot is busy");
            requests.click(io.opsbot.bot.render.AlertBlocks.ACTION_RESTART, "nodeapp", OPERATOR, CHANNEL, "full-click");
            requests.mention("Ev-full", "<@UBOT> restart nodeapp", ADMIN, CHANNEL, Map.of());

            await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 2);
            assertThat(slack.calls("chat.postEphemeral")).extracting(c -> c.param("user")).containsExactlyInAnyOrder(OPERATOR, ADMIN);
            assertThat(slack.calls("chat.postEphemeral")).allSatisfy(c -> assertThat(c.param("text"))
                    .contains("opsbot is busy (1 commands running, 1 waiting); try again in a minute"));
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
        assertThat(handled).extracting(Request::text).containsExactly("scale nodeapp 3", "scale nodeapp 2");
    }

    @Test
    void wronglySignedAndStaleRequestsAreRejectedWith401AndRunNothing() throws Exception {
        start((request, progress) -> new Response.Rejected("should not run"), Duration.ofMillis(50));
        String body = "token=t&team_id=T1&channel_id=C0OPS&user_id=UOPS&command=%2Fops&text=status&trigger_id=x1";

        SignedRequests.Answer wrongSecret = requests.postSigned(body, SignedRequests.FORM, SignedRequests.now(),
                SignedRequests.signature("another-secret", SignedRequests.now(), body), Map.of());
        long stale = SignedRequests.now() - 6 * 60;
        SignedRequests.Answer old = requests.post(body, SignedRequests.FORM, stale, Map.of());
        SignedRequests.Answer tampered = requests.postSigned(body.replace("status", "move"), SignedRequests.FORM, SignedRequests.now(),
                SignedRequests.signature(SECRET, SignedRequests.now(), body), Map.of());

        assertThat(wrongSecret.status()).isEqualTo(401);
        assertThat(old.status()).isEqualTo(401);
        assertThat(tampered.status()).isEqualTo(401);
        Thread.sleep(200);
        assertThat(handled).isEmpty();
    }

    @Test
    void anOperationIsOneMessageEditedThroughItsStepsToTheSummary() throws Exception {
        Plan plan = plan("scale nodeapp 3", "set instances", "watch deployment");
        start((request, progress) -> {
            progress.planned("op-7", plan);
            pause(150);
            progress.stepStarted(0, "set instances");
            pause(150);
            progress.stepFinished(0, new StepReport(0, "set instances", StepResult.CHANGED, "instances of /nodeapp: 2 → 3", Duration.ofMillis(120)));
            pause(150);
            progress.stepStarted(1, "watch deployment");
            pause(150);
            progress.stepProgress(1, 0.5, "2 of 3 tasks healthy");
            pause(150);
            Outcome outcome = new Outcome("op-7", "scale nodeapp 3", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "set instances", StepResult.CHANGED, "instances of /nodeapp: 2 → 3", Duration.ofMillis(120)),
                    new StepReport(1, "watch deployment", StepResult.OK, "3 of 3 tasks healthy", Duration.ofMillis(2300))),
                    null, Duration.ofMillis(2500));
            progress.finished(outcome);
            return new Response.Finished(outcome);
        }, Duration.ofMillis(100));

        requests.slashCommand("scale nodeapp 3", OPERATOR, CHANNEL, "trig-2");

        await().atMost(Duration.ofSeconds(10)).until(() -> lastShown().contains("succeeded"));
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        String ts = slack.calls("chat.postMessage").get(0).param("ts");
        assertThat(slack.calls("chat.update")).isNotEmpty().allSatisfy(c -> assertThat(c.param("channel")).isEqualTo(CHANNEL));
        List<String> states = new ArrayList<>();
        slack.calls().stream().filter(c -> c.method().startsWith("chat.")).forEach(c -> states.add(c.shown()));
        assertThat(String.join("\n", states)).contains("*running*", "2 of 3 tasks healthy", ":large_orange_diamond: *changed*",
                "instances of /nodeapp: 2 → 3");
        String last = lastShown();
        assertThat(last).contains("*succeeded*", "ok=1 changed=1 failed=0 skipped=0", "op `op-7`", "requested by <@UOPS>", "(2.3s)")
                .doesNotContain("opsbot.cancel");
        assertThat(ts).isEmpty(); // the ts goes in the update, never a new post
        assertThat(slack.calls("chat.update").get(0).param("ts")).endsWith(".000100");
        assertThat(handled).singleElement().satisfies(r -> {
            assertThat(r.text()).isEqualTo("scale nodeapp 3");
            assertThat(r.user()).isEqualTo(OPERATOR);
            assertThat(r.confirmed()).isFalse();
        });
    }

    @Test
    void editsAreCoalescedToAboutOnePerSecondAndTheLastStateIsNeverLost() throws Exception {
        Plan plan = plan("deploy nodeapp", "build", "push", "watch");
        start((request, progress) -> {
            progress.planned("op-9", plan);
            progress.stepStarted(2, "watch");
            for (int i = 1; i <= 300; i++) {  // every 10 ms for 3 s
                progress.stepProgress(2, i / 300.0, i + " of 300 checks");
                pause(10);
            }
            pause(1500); // nothing new: the coalesced last progress state must still reach Slack
            Outcome outcome = new Outcome("op-9", "deploy nodeapp", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "build", StepResult.OK, "image up to date", Duration.ZERO),
                    new StepReport(1, "push", StepResult.OK, "registry has it", Duration.ZERO),
                    new StepReport(2, "watch", StepResult.CHANGED, "all healthy", Duration.ofSeconds(3))), null, Duration.ofSeconds(5));
            return new Response.Finished(outcome);
        }, Duration.ofSeconds(1));
        long start = System.nanoTime();

        requests.slashCommand("deploy nodeapp", OPERATOR, CHANNEL, "trig-3");

        await().atMost(Duration.ofSeconds(15)).until(() -> lastShown().contains("*succeeded*"));
        List<FakeSlack.Call> edits = new ArrayList<>(slack.calls("chat.postMessage"));
        edits.addAll(slack.calls("chat.update"));
        edits.sort((a, b) -> Long.compare(a.atNanos(), b.atNanos()));
        double seconds = (edits.get(edits.size() - 1).atNanos() - start) / 1e9;
        System.out.printf("measured: %d message writes in %.1f s for 300 progress events%n", edits.size(), seconds);
        assertThat(edits.size()).isBetween(3, (int) Math.ceil(seconds) + 2);
        for (int i = 1; i < edits.size(); i++) {
            long gapMs = (edits.get(i).atNanos() - edits.get(i - 1).atNanos()) / 1_000_000;
            assertThat(gapMs).as("gap between edit %d and %d", i - 1, i).isGreaterThanOrEqualTo(900);
        }
        List<FakeSlack.Call> progressEdits = slack.calls("chat.update").stream().filter(c -> c.shown().contains(" checks")).toList();
        assertThat(progressEdits.get(progressEdits.size() - 1).shown()).contains("300 of 300 checks");
        assertThat(lastShown()).contains("all healthy", "ok=2 changed=1");
    }

    @Test
    void aMentionRunsTheCommandAndARetriedDeliveryRunsOnce() throws Exception {
        start((request, progress) -> new Response.Answer(new Report("status", List.of(new Report.Section("apps", List.of("nodeapp 3/3"))), true)),
                Duration.ofMillis(50));

        SignedRequests.Answer first = requests.mention("Ev001", "<@UBOT> status", VIEWER, CHANNEL, Map.of());
        SignedRequests.Answer retry = requests.mention("Ev001", "<@UBOT> status", VIEWER, CHANNEL,
                Map.of("X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"));
        SignedRequests.Answer dm = requests.directMessage("Ev002", "status", VIEWER, "D0DM");

        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(dm.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 2);
        Thread.sleep(300);
        assertThat(handled).extracting(Request::text).containsExactlyInAnyOrder("status", "status");
        assertThat(handled).extracting(Request::channel).containsExactlyInAnyOrder(CHANNEL, "D0DM");
        assertThat(slack.calls("chat.postMessage").get(0).shown()).contains("nodeapp 3/3", "emulated cluster");
    }

    @Test
    void anEditedOrBotMessageInADirectMessageIsAcknowledgedAndRunsNothing() throws Exception {
        start((request, progress) -> new Response.Rejected("must not run"), Duration.ofMillis(50));
        String edited = "{\"token\":\"t\",\"team_id\":\"T1\",\"api_app_id\":\"A1\",\"type\":\"event_callback\",\"event_id\":\"Ev9\","
                + "\"event_time\":1700000000,\"event\":{\"type\":\"message\",\"subtype\":\"message_changed\",\"channel\":\"D0DM\","
                + "\"channel_type\":\"im\",\"hidden\":true,\"ts\":\"1700000000.000300\",\"event_ts\":\"1700000000.000300\","
                + "\"message\":{\"type\":\"message\",\"user\":\"UVIEW\",\"text\":\"scale nodeapp 9\",\"ts\":\"1700000000.000200\"}}}";
        String fromBot = "{\"token\":\"t\",\"team_id\":\"T1\",\"api_app_id\":\"A1\",\"type\":\"event_callback\",\"event_id\":\"Ev10\","
                + "\"event_time\":1700000000,\"event\":{\"type\":\"message\",\"channel\":\"D0DM\",\"channel_type\":\"im\","
                + "\"bot_id\":\"BOTHER\",\"text\":\"status\",\"ts\":\"1700000000.000400\",\"event_ts\":\"1700000000.000400\"}}";

        assertThat(requests.post(edited, SignedRequests.JSON, SignedRequests.now(), Map.of()).status()).isEqualTo(200);
        assertThat(requests.post(fromBot, SignedRequests.JSON, SignedRequests.now(), Map.of()).status()).isEqualTo(200);
        Thread.sleep(300);
        assertThat(handled).isEmpty();
    }

    @Test
    void longLogsShowTheirStartThenGoToTheThreadAndAFile() throws Exception {
        List<String> lines = IntStream.rangeClosed(1, 500).mapToObj(i -> "Nov 25 10:00:" + i + " node2 nodeapp[42]: request " + i).toList();
        start((request, progress) -> new Response.Answer(new Report("logs nodeapp", List.of(new Report.Section(null, lines, true)), false)),
                Duration.ofMillis(50));

        requests.slashCommand("logs nodeapp --lines 500", VIEWER, CHANNEL, "trig-4");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("files.completeUploadExternal").size() == 1);
        List<FakeSlack.Call> posts = slack.calls("chat.postMessage");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(0).shown()).contains("request 40").doesNotContain("request 41\"").contains("460 more lines in the thread");
        assertThat(posts.get(1).param("thread_ts")).isEqualTo("1001.000100");
        assertThat(posts.get(1).shown()).contains("request 41").contains("more lines in the attached file");
        assertThat(slack.calls("files.getUploadURLExternal")).singleElement().satisfies(c -> assertThat(c.param("filename")).isEqualTo("logs-nodeapp.txt"));
        assertThat(slack.calls("/upload/F1")).hasSize(1);
        assertThat(slack.calls("files.completeUploadExternal").get(0).param("thread_ts")).isEqualTo("1001.000100");
        for (FakeSlack.Call post : posts) {
            assertThat(post.param("blocks").split("\"type\":\"section\"").length - 1).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void aViewerIsDeniedScaleWithTheRoleItNeedsAndWhoHasIt() throws Exception {
        start((request, progress) -> new Response.Rejected("the pipeline must not be reached"), Duration.ofMillis(50));

        requests.slashCommand("scale nodeapp 5", VIEWER, CHANNEL, "trig-5");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        FakeSlack.Call denial = slack.calls("chat.postEphemeral").get(0);
        assertThat(denial.param("user")).isEqualTo(VIEWER);
        assertThat(denial.param("text")).contains("scale needs the operator role; operators: <@UOPS>, <!subteam^SONCALL>; admins: <@UADMIN>");
        assertThat(handled).isEmpty();
        assertThat(slack.calls("chat.postMessage")).isEmpty();
    }

    @Test
    void aUserGroupMemberGetsTheGroupsRoleAndTheGroupIsLookedUpOnce() throws Exception {
        slack.group("SONCALL", List.of("UONCALL"));
        start((request, progress) -> new Response.Answer(new Report("ok " + request.text(), List.of(), false)), Duration.ofMillis(50));

        requests.slashCommand("restart nodeapp", "UONCALL", CHANNEL, "trig-6");
        requests.slashCommand("restart nginx", "UONCALL", CHANNEL, "trig-7");

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
        assertThat(slack.calls("usergroups.users.list")).singleElement().satisfies(c -> assertThat(c.param("usergroup")).isEqualTo("SONCALL"));
    }

    @Test
    void aChannelAllowlistRefusesOtherCommands() throws Exception {
        start((request, progress) -> new Response.Answer(new Report("ok", List.of(), false)), Duration.ofMillis(50));

        requests.slashCommand("deploy nodeapp", ADMIN, "C0READ", "trig-8");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("`deploy` is not allowed in this channel; allowed here: status, logs");
        assertThat(handled).isEmpty();
    }

    @Test
    void confirmationRunsOnlyForTheRequesterOrAnAdminAndRecordsWhoConfirmed() throws Exception {
        Plan plan = plan("move mongo node3", "move dataset mongo to node3", "pin mongo to node3");
        start(confirmingHandler(plan), Duration.ofMillis(50));

        requests.slashCommand("move mongo node3", ADMIN, CHANNEL, "trig-9");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        FakeSlack.Call prompt = slack.calls("chat.postMessage").get(0);
        assertThat(prompt.shown()).contains("needs confirmation", "Confirm", "Cancel", "moves the data", "~ mongo: node2 → node3");
        String id = actionValue(prompt.param("blocks"), "opsbot.confirm");

        requests.click("opsbot.confirm", id, OPERATOR, CHANNEL, "click-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("only <@UADMIN> (who asked) or an admin may confirm");
        assertThat(handled).hasSize(1);

        requests.click("opsbot.confirm", id, ADMIN, CHANNEL, "click-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> lastShown().contains("succeeded"));
        assertThat(handled).hasSize(2);
        assertThat(handled.get(1).confirmed()).isTrue();
        assertThat(handled.get(1).user()).isEqualTo(ADMIN);
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(slack.calls("chat.update")).allSatisfy(c -> assertThat(c.param("ts")).isEqualTo("1001.000100"));
        assertThat(lastShown()).contains("confirmed by <@UADMIN>");

        requests.click("opsbot.confirm", id, ADMIN2, CHANNEL, "click-3");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 2);
        assertThat(slack.calls("chat.postEphemeral").get(1).param("text")).contains("no longer pending");
        assertThat(handled).hasSize(2);
    }

    @Test
    void anAdminMayConfirmSomeoneElsesOperation() throws Exception {
        Plan plan = plan("rollback nodeapp", "put back version 2026-11-24");
        start(confirmingHandler(plan), Duration.ofMillis(50));

        requests.slashCommand("rollback nodeapp", OPERATOR, CHANNEL, "trig-10");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String id = actionValue(slack.calls("chat.postMessage").get(0).param("blocks"), "opsbot.confirm");
        requests.click("opsbot.confirm", id, ADMIN, CHANNEL, "click-4");

        await().atMost(Duration.ofSeconds(5)).until(() -> lastShown().contains("succeeded"));
        assertThat(lastShown()).contains("confirmed by <@UADMIN>", "requested by <@UOPS>");
        assertThat(handled.get(1).confirmed()).isTrue();
        assertThat(answers).containsExactly("CONFIRMED by UADMIN");
    }

    @Test
    void anExpiredConfirmationIsRefusedAndNothingRuns() throws Exception {
        Plan plan = plan("rollback nodeapp", "put back version 2026-11-24");
        start(confirmingHandler(plan), Duration.ofMillis(50));

        requests.slashCommand("rollback nodeapp", OPERATOR, CHANNEL, "trig-11");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String id = actionValue(slack.calls("chat.postMessage").get(0).param("blocks"), "opsbot.confirm");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        requests.click("opsbot.confirm", id, OPERATOR, CHANNEL, "click-5");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("expired after 5m; nothing changed");
        assertThat(lastShown()).contains("expired").doesNotContain("opsbot.confirm");
        assertThat(handled).hasSize(1);
        assertThat(answers).containsExactly("EXPIRED");
    }

    @Test
    void aConfirmationNobodyAnswersIsRecordedAsExpiredOnce() throws Exception {
        Plan plan = plan("rollback nodeapp", "put back version 2026-11-24");
        start(confirmingHandler(plan), Duration.ofMillis(50));

        requests.slashCommand("rollback nodeapp", OPERATOR, CHANNEL, "trig-11b");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));

        // the bot looks for expired confirmations every 15 s
        await().atMost(Duration.ofSeconds(60)).until(() -> !answers.isEmpty());
        String id = actionValue(slack.calls("chat.postMessage").get(0).param("blocks"), "opsbot.decline");
        requests.click("opsbot.decline", id, OPERATOR, CHANNEL, "click-5b");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(answers).containsExactly("EXPIRED");
    }

    @Test
    void cancelOnAConfirmationClosesItWithoutRunning() throws Exception {
        Plan plan = plan("rollback nodeapp", "put back version 2026-11-24");
        start(confirmingHandler(plan), Duration.ofMillis(50));

        requests.slashCommand("rollback nodeapp", OPERATOR, CHANNEL, "trig-12");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String id = actionValue(slack.calls("chat.postMessage").get(0).param("blocks"), "opsbot.decline");
        requests.click("opsbot.decline", id, OPERATOR, CHANNEL, "click-6");

        await().atMost(Duration.ofSeconds(5)).until(() -> lastShown().contains("cancelled by <@UOPS>; nothing changed"));
        assertThat(handled).hasSize(1);
        assertThat(answers).containsExactly("DECLINED by UOPS");
    }

    @Test
    void theCancelButtonSendsCancelThroughThePipelineAsTheClicker() throws Exception {
        Plan plan = plan("deploy nodeapp", "build", "watch");
        CountDownLatch cancelled = new CountDownLatch(1);
        start((request, progress) -> {
            if (request.text().startsWith("cancel ")) {
                cancelled.countDown();
                return new Response.Answer(new Report("cancelling " + request.text().substring(7), List.of(), false));
            }
            progress.planned("op-42", plan);
            progress.stepStarted(0, "build");
            waitFor(cancelled, 10);
            Outcome outcome = new Outcome("op-42", "deploy nodeapp", Outcome.State.CANCELLED, List.of(
                    new StepReport(0, "build", StepResult.CHANGED, "built nodeapp:1.4", Duration.ofSeconds(2)),
                    new StepReport(1, "watch", StepResult.SKIPPED, "cancelled", Duration.ZERO)), "cancelled by UOPS", Duration.ofSeconds(2));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(50));

        requests.slashCommand("deploy nodeapp", OPERATOR, CHANNEL, "trig-13");
        await().atMost(Duration.ofSeconds(5)).until(() -> lastShown().contains("opsbot.cancel"));
        String opId = actionValue(lastBlocks(), "opsbot.cancel");
        assertThat(opId).isEqualTo("op-42");

        requests.click("opsbot.cancel", opId, VIEWER, CHANNEL, "click-7");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("cancel needs the operator role");

        requests.click("opsbot.cancel", opId, "USTRANGER_OP", CHANNEL, "click-8");
        requests.click("opsbot.cancel", opId, OPERATOR, CHANNEL, "click-9");
        await().atMost(Duration.ofSeconds(10)).until(() -> lastShown().contains("cancelled"));
        assertThat(handled).extracting(Request::text).contains("cancel op-42");
        assertThat(handled.stream().filter(r -> r.text().equals("cancel op-42")).map(Request::user)).containsExactly(OPERATOR);
        assertThat(lastShown()).contains("*Cluster left:* changed by 1. build; not run: 2. watch", "*Why:* cancelled by <@UOPS>");
    }

    @Test
    void cancellingAnotherOperatorsOperationNeedsAdmin() throws Exception {
        Plan plan = plan("deploy nodeapp", "build");
        CountDownLatch done = new CountDownLatch(1);
        start((request, progress) -> {
            if (request.text().startsWith("cancel ")) {
                done.countDown();
                return new Response.Answer(new Report("cancelling", List.of(), false));
            }
            progress.planned("op-50", plan);
            waitFor(done, 10);
            return new Response.Rejected("stopped");
        }, Duration.ofMillis(50));

        requests.slashCommand("deploy nodeapp", ADMIN, CHANNEL, "trig-14");
        await().atMost(Duration.ofSeconds(5)).until(() -> lastShown().contains("opsbot.cancel"));
        requests.click("opsbot.cancel", "op-50", OPERATOR, CHANNEL, "click-10");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("cancelling another person's operation needs the admin role (it was started by <@UADMIN>)");
        requests.click("opsbot.cancel", "op-50", ADMIN, CHANNEL, "click-11");
        await().atMost(Duration.ofSeconds(5)).until(() -> done.getCount() == 0);
    }

    @Test
    void helpShowsWhichRoleEachCommandNeeds() throws Exception {
        start((request, progress) -> new Response.Answer(new Report("opsbot commands",
                List.of(new Report.Section("Examples", List.of("/ops scale nodeapp 3", "/ops logs marathon --since 10m"))), false)),
                Duration.ofMillis(50));

        requests.slashCommand("help", VIEWER, CHANNEL, "trig-15");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        assertThat(slack.calls("chat.postMessage").get(0).shown()).contains("Who may run what", "*operator*: `deploy`, `scale`",
                "*admin*: `move`", "you: viewer", "/ops scale nodeapp 3");
    }

    @Test
    void planOutputShowsEachStepsDiff() throws Exception {
        Plan plan = new Plan(new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"), List.of()), List.of(
                new Plan.PlannedStep(0, "check image", Check.inSync("image nodeapp:1.4 already pushed")),
                new Plan.PlannedStep(1, "set instances", Check.drift("instances of /nodeapp: 2 → 3"))));
        start((request, progress) -> new Response.Planned(plan), Duration.ofMillis(50));

        requests.slashCommand("scale nodeapp 3 --plan", OPERATOR, CHANNEL, "trig-16");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        assertThat(slack.calls("chat.postMessage").get(0).shown()).contains("Plan: scale nodeapp 3 (nothing changed)",
                "*in sync*  check image", "*will change*  set instances", "~ instances of /nodeapp: 2 → 3", "would change 1 of 2 steps");
    }

    @Test
    void whenTheBotIsNotInTheChannelTheAskerIsToldOnceAndProgressIsNotRetried() throws Exception {
        slack.notInChannel("C0NOTIN");
        Plan plan = plan("scale nodeapp 3", "set instances");
        start((request, progress) -> {
            progress.planned("op-60", plan);
            for (int i = 0; i < 100; i++) {
                progress.stepProgress(0, i / 100.0, i + "%");
                pause(10);
            }
            Outcome outcome = new Outcome("op-60", "scale nodeapp 3", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "set instances", StepResult.CHANGED, "2 → 3", Duration.ofSeconds(1))), null, Duration.ofSeconds(1));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(200));

        requests.slashCommand("scale nodeapp 3", OPERATOR, "C0NOTIN", "trig-17");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("could not post in this channel (invite it with `/invite @opsbot` for live progress); the command itself succeeded (ok=0 changed=1");
        assertThat(slack.calls("chat.postMessage")).hasSize(2); // the first progress state, then the final one
    }

    @Test
    void rateLimitedEditsWaitRetryAfterThenCarryTheLatestStateAndTheFinalStateArrives() throws Exception {
        slack.rateLimit("chat.update", 3, 1);
        Plan plan = plan("deploy nodeapp", "watch");
        start((request, progress) -> {
            progress.planned("op-70", plan);
            progress.stepStarted(0, "watch");
            for (int i = 1; i <= 200; i++) {  // every 20 ms for 4 s
                progress.stepProgress(0, i / 200.0, i + " of 200 checks");
                pause(20);
            }
            Outcome outcome = new Outcome("op-70", "deploy nodeapp", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "watch", StepResult.CHANGED, "all healthy", Duration.ofSeconds(4))), null, Duration.ofSeconds(4));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(250));
        long start = System.nanoTime();

        requests.slashCommand("deploy nodeapp", OPERATOR, CHANNEL, "trig-70");

        await().atMost(Duration.ofSeconds(20)).until(() -> lastShown().contains("*succeeded*"));
        List<FakeSlack.Call> writes = slack.calls().stream()
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
        double seconds = (writes.get(writes.size() - 1).atNanos() - start) / 1e9;
        long limited = writes.stream().filter(FakeSlack.Call::rateLimited).count();
        System.out.printf("measured: %d message writes (%d answered 429) in %.1f s for 200 progress events%n",
                writes.size(), limited, seconds);
        assertThat(limited).isEqualTo(3);
        for (int i = 0; i < writes.size() - 1; i++) {
            FakeSlack.Call refused = writes.get(i);
            if (!refused.rateLimited()) {
                continue;
            }
            FakeSlack.Call next = writes.get(i + 1);
            assertThat((next.atNanos() - refused.atNanos()) / 1_000_000).as("wait after the 429 of write %d", i)
                    .isGreaterThanOrEqualTo(1000);
            // coalescing went on while waiting: the retry shows a newer state than the refused one
            assertThat(checks(next.shown())).as("state sent after the 429 of write %d", i).isGreaterThan(checks(refused.shown()));
        }
        // every write is spaced by the edit interval at least, so their number is bounded by the time taken
        assertThat(writes.size()).isLessThanOrEqualTo((int) Math.ceil(seconds / 0.25) + 2);
        assertThat(lastShown()).contains("all healthy", "ok=0 changed=1");
    }

    @Test
    void aRateLimitedFinalEditIsSentAgainUntilSlackTakesIt() throws Exception {
        slack.rateLimit("chat.update", 2, 1);
        Plan plan = plan("scale nodeapp 3", "set instances");
        start((request, progress) -> {
            progress.planned("op-71", plan);
            pause(300);
            Outcome outcome = new Outcome("op-71", "scale nodeapp 3", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "set instances", StepResult.CHANGED, "2 → 3", Duration.ofMillis(200))), null, Duration.ofMillis(300));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(50));

        requests.slashCommand("scale nodeapp 3", OPERATOR, CHANNEL, "trig-71");

        await().atMost(Duration.ofSeconds(10)).until(() -> lastShown().contains("*succeeded*"));
        List<FakeSlack.Call> updates = slack.calls("chat.update");
        assertThat(updates).hasSize(3);
        assertThat(updates).extracting(FakeSlack.Call::rateLimited).containsExactly(true, true, false);
        assertThat(updates).allSatisfy(u -> assertThat(u.shown()).contains("*succeeded*", "2 → 3"));
        assertThat((updates.get(2).atNanos() - updates.get(0).atNanos()) / 1_000_000).isGreaterThanOrEqualTo(2000);
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
    }

    @Test
    void aRateLimitedPrivateReplyIsSentAgainAfterRetryAfter() throws Exception {
        slack.rateLimit("chat.postEphemeral", 1, 1);
        start((request, progress) -> new Response.Rejected("the pipeline must not be reached"), Duration.ofMillis(50));

        requests.slashCommand("scale nodeapp 5", VIEWER, CHANNEL, "trig-72");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 2);
        List<FakeSlack.Call> replies = slack.calls("chat.postEphemeral");
        assertThat(replies.get(0).rateLimited()).isTrue();
        assertThat(replies.get(1).rateLimited()).isFalse();
        assertThat(replies.get(1).param("text")).contains("scale needs the operator role");
        assertThat((replies.get(1).atNanos() - replies.get(0).atNanos()) / 1_000_000).isGreaterThanOrEqualTo(1000);
        Thread.sleep(300);
        assertThat(slack.calls("chat.postEphemeral")).hasSize(2);
    }

    @Test
    void aRateLimitedResponseUrlIsUsedAgainAfterRetryAfter() throws Exception {
        slack.notInChannel("C0NOTIN");
        slack.rateLimit(FakeSlack.RESPONSE_PATH, 1, 1);
        start((request, progress) -> new Response.Answer(new Report("status", List.of(new Report.Section("apps",
                List.of("nodeapp 2/2 healthy"))), false)), Duration.ofMillis(50));

        requests.slashCommand("status", VIEWER, "C0NOTIN", "trig-76");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() >= 2);
        List<FakeSlack.Call> responses = slack.calls(FakeSlack.RESPONSE_PATH);
        assertThat(responses.get(0).rateLimited()).isTrue();
        assertThat(responses.get(1).rateLimited()).isFalse();
        assertThat(FakeSlack.Call.unescape(responses.get(1).body())).contains("nodeapp 2/2 healthy");
        assertThat((responses.get(1).atNanos() - responses.get(0).atNanos()) / 1_000_000).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void retryAfterIsHonouredUpToThirtySeconds() {
        assertThat(SlackApi.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(SlackApi.retryAfter("600")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SlackApi.retryAfter(null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(SlackApi.retryAfter("soon")).isEqualTo(Duration.ofSeconds(1));
        assertThat(SlackApi.retryAfter("0")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void whenTheBotIsNotInTheChannelTheResponseUrlShowsTheFirstAndTheFinalState() throws Exception {
        slack.notInChannel("C0NOTIN");
        Plan plan = plan("scale nodeapp 3", "set instances");
        start((request, progress) -> {
            progress.planned("op-73", plan);
            for (int i = 0; i < 50; i++) {
                progress.stepProgress(0, i / 50.0, i + " of 50 tasks");
                pause(20);
            }
            Outcome outcome = new Outcome("op-73", "scale nodeapp 3", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "set instances", StepResult.CHANGED, "2 → 3", Duration.ofSeconds(1))), null, Duration.ofSeconds(1));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(100));

        requests.slashCommand("scale nodeapp 3", OPERATOR, "C0NOTIN", "trig-73");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 3);
        List<FakeSlack.Call> responses = slack.calls(FakeSlack.RESPONSE_PATH);
        String first = FakeSlack.Call.unescape(responses.get(0).body());
        String last = FakeSlack.Call.unescape(responses.get(1).body());
        // The first post carries whatever state is current when it is sent: pending, or already running on a busy machine.
        assertThat(first).contains("\"response_type\":\"in_channel\"", "\"replace_original\":false", "0%")
                .containsAnyOf("*pending*", "*running*")
                .doesNotContain("*succeeded*");
        assertThat(last).contains("\"response_type\":\"in_channel\"", "\"replace_original\":true", "*succeeded*", "op `op-73`",
                "requested by <@UOPS>");
        // chat.postEphemeral cannot reach a channel the bot is not in: the hint goes privately through the response_url
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("invite it with `/invite @opsbot`");
        String hint = FakeSlack.Call.unescape(responses.get(2).body());
        assertThat(hint).contains("\"response_type\":\"ephemeral\"", "invite it with `/invite @opsbot`", "succeeded");
        assertThat(slack.calls("chat.update")).isEmpty();
    }

    @Test
    void inAChannelTheBotIsNotInAConfirmationIsAnsweredThroughTheButtonsResponseUrl() throws Exception {
        slack.notInChannel("C0NOTIN");
        Plan plan = plan("move mongo node3", "move dataset mongo to node3", "pin mongo to node3");
        CommandHandler confirming = confirmingHandler(plan);
        start((request, progress) -> {
            if (request.confirmed()) {
                progress.planned("op-75", plan);
                pause(300); // the running state is shown before the final one
            }
            return confirming.handle(request, progress);
        }, Duration.ofMillis(50));

        requests.slashCommand("move mongo node3", ADMIN, "C0NOTIN", "trig-75");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 2);
        String prompt = FakeSlack.Call.unescape(slack.calls(FakeSlack.RESPONSE_PATH).get(0).body());
        assertThat(prompt).contains("\"response_type\":\"in_channel\"", "needs confirmation", "Confirm");
        assertThat(FakeSlack.Call.unescape(slack.calls(FakeSlack.RESPONSE_PATH).get(1).body()))
                .contains("\"response_type\":\"ephemeral\"", "invite it with `/invite @opsbot`")
                .doesNotContain("the command itself");
        String id = actionValue(prompt, "opsbot.confirm");

        requests.click("opsbot.confirm", id, OPERATOR, "C0NOTIN", "click-75a");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 3);
        assertThat(FakeSlack.Call.unescape(slack.calls(FakeSlack.RESPONSE_PATH).get(2).body()))
                .contains("\"response_type\":\"ephemeral\"", "only <@UADMIN> (who asked) or an admin may confirm");
        assertThat(handled).hasSize(1);

        requests.click("opsbot.confirm", id, ADMIN, "C0NOTIN", "click-75b");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 6);
        List<String> after = slack.calls(FakeSlack.RESPONSE_PATH).subList(3, 6).stream()
                .map(c -> FakeSlack.Call.unescape(c.body())).toList();
        // the running state replaces the confirmation, the final state replaces that, and the asker gets the hint
        assertThat(after.get(0)).contains("\"replace_original\":true", "confirmed by <@UADMIN>").doesNotContain("opsbot.confirm");
        assertThat(after.get(1)).contains("\"replace_original\":true", "*succeeded*", "confirmed by <@UADMIN>");
        assertThat(after.get(2)).contains("\"response_type\":\"ephemeral\"", "succeeded");
        assertThat(handled).hasSize(2);
        assertThat(handled.get(1).confirmed()).isTrue();
    }

    @Test
    void whenTheBotIsInvitedMidOperationTheFinalStateIsPostedAndTheResponseUrlCopyIsDeleted() throws Exception {
        slack.notInChannel("C0LATER");
        CountDownLatch invited = new CountDownLatch(1);
        Plan plan = plan("scale nodeapp 3", "set instances");
        start((request, progress) -> {
            progress.planned("op-74", plan);
            waitFor(invited, 10);
            Outcome outcome = new Outcome("op-74", "scale nodeapp 3", Outcome.State.SUCCEEDED, List.of(
                    new StepReport(0, "set instances", StepResult.CHANGED, "2 → 3", Duration.ofSeconds(1))), null, Duration.ofSeconds(1));
            return new Response.Finished(outcome);
        }, Duration.ofMillis(50));

        requests.slashCommand("scale nodeapp 3", OPERATOR, "C0LATER", "trig-74");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 1);
        slack.invite("C0LATER");
        invited.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls(FakeSlack.RESPONSE_PATH).size() == 2);
        assertThat(lastShown()).contains("*succeeded*");
        assertThat(slack.calls(FakeSlack.RESPONSE_PATH).get(1).body()).contains("\"delete_original\":true");
        Thread.sleep(300);
        assertThat(slack.calls("chat.postEphemeral")).isEmpty();
    }

    @Test
    void httpModeTakesSlacksRequestsOnTheConfiguredPathOnly() throws Exception {
        bot = SlackBot.builder(new SlackConfig("http", 0, BOT_TOKEN, null, SECRET, slack.apiUrl(), "/hooks/opsbot"), access,
                        (request, progress) -> {
                            handled.add(request);
                            return new Response.Answer(new Report("status", List.of(), false));
                        })
                .editInterval(Duration.ofMillis(50)).clock(clock).bindAddress("127.0.0.1").start();

        SignedRequests.Answer onDefault = new SignedRequests(bot.httpPort(), SECRET, slack.responseUrl())
                .slashCommand("status", OPERATOR, CHANNEL, "trig-path-1");
        SignedRequests.Answer onConfigured = new SignedRequests(bot.httpPort(), "/hooks/opsbot", SECRET, slack.responseUrl())
                .slashCommand("status", OPERATOR, CHANNEL, "trig-path-2");

        assertThat(onDefault.status()).isEqualTo(404);
        assertThat(onConfigured.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.calls("chat.postMessage").size() == 1);
        assertThat(handled).hasSize(1);
    }

    @Test
    void incompleteConfigurationListsEveryProblemAndNoSecret() {
        assertThatThrownBy(() -> SlackBot.start(new SlackConfig("socket", null, null, null, null, null), access, (r, p) -> null))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("slack.botToken is missing")
                .hasMessageContaining("slack.appToken is missing");
        assertThatThrownBy(() -> SlackBot.start(new SlackConfig("carrier-pigeon", null, "xoxb-1", null, null, null), access, (r, p) -> null))
                .hasMessageContaining("slack.mode must be socket or http");
        assertThat(SlackBot.problems(new SlackConfig("http", 3000, "xoxb-1", null, "s", null))).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------

    private CommandHandler confirmingHandler(Plan plan) {
        return (request, progress) -> {
            if (!request.confirmed()) {
                return new Response.NeedsConfirmation(plan, "moves the data of mongo; the app is down while it moves",
                        (answer, by) -> answers.add(answer + (by == null ? "" : " by " + by)));
            }
            progress.planned("op-77", plan);
            Outcome outcome = new Outcome("op-77", plan.operation().title(), Outcome.State.SUCCEEDED,
                    IntStream.range(0, plan.steps().size()).mapToObj(i -> new StepReport(i, plan.steps().get(i).description(),
                            StepResult.CHANGED, "done", Duration.ofMillis(300))).toList(), null, Duration.ofSeconds(1));
            progress.finished(outcome);
            return new Response.Finished(outcome);
        };
    }

    static Plan plan(String title, String... steps) {
        List<Plan.PlannedStep> planned = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            planned.add(new Plan.PlannedStep(i, steps[i], Check.drift(i == 0 && title.startsWith("move") ? "mongo: node2 → node3" : "would change")));
        }
        return new Plan(new Operation(title.split(" ")[0], title, List.of("app:/x"), List.of(), true), planned);
    }

    /** The latest text and blocks Slack holds for the bot's messages (posts and updates it accepted, in order). */
    private String lastShown() {
        List<FakeSlack.Call> writes = slack.calls().stream().filter(c -> !c.rateLimited())
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
        return writes.isEmpty() ? "" : writes.get(writes.size() - 1).shown();
    }

    private String lastBlocks() {
        List<FakeSlack.Call> writes = slack.calls().stream().filter(c -> !c.rateLimited())
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update")).toList();
        return writes.get(writes.size() - 1).param("blocks");
    }

    /** The value of the button with this action id in a blocks JSON. */
    private static String actionValue(String blocks, String actionId) {
        int at = blocks.indexOf("\"action_id\":\"" + actionId + "\"");
        assertThat(at).as("button %s in %s", actionId, blocks).isNotNegative();
        int value = blocks.indexOf("\"value\":\"", at);
        int valueStart = value + "\"value\":\"".length();
        return blocks.substring(valueStart, blocks.indexOf('"', valueStart));
    }

    /** The progress count "N of 200 checks" a message shows; -1 when it shows none. */
    private static int checks(String shown) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) of 200 checks").matcher(shown);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(CountDownLatch latch, int seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
