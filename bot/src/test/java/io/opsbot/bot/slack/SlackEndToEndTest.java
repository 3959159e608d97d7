package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Opsbot;
import io.opsbot.bot.Request;
import io.opsbot.bot.render.PlainText;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
            "admin", List.of("UADMIN"),
            "operator", List.of("UOPS"),
            "viewer", List.of("*")), null, "5m");

    FakeSlack slack;
    Opsbot opsbot;
    SlackBot bot;
    SignedRequests requests;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        opsbot = Opsbot.start(null, home);
        bot = SlackBot.builder(new SlackConfig("http", 0, SlackBotTest.BOT_TOKEN, null, SlackBotTest.SECRET, slack.apiUrl()),
                access, opsbot.dispatcher()).emulated(opsbot.emulated()).start();
        requests = new SignedRequests(bot.httpPort(), SlackBotTest.SECRET);
    }

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
        if (opsbot != null) {
            opsbot.close();
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
        requests.slashCommand("scale nodeapp 0", "UOPS", "C0OPS", "e2e-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.calls("chat.postMessage").size() == 1);
        String blocks = slack.calls("chat.postMessage").get(0).param("blocks");
        assertThat(slack.calls("chat.postMessage").get(0).shown()).contains("needs confirmation", "Confirm");
        int at = blocks.indexOf("\"action_id\":\"opsbot.confirm\"");
        int v = blocks.indexOf("\"value\":\"", at) + 9;
        String id = blocks.substring(v, blocks.indexOf('"', v));

        requests.click("opsbot.confirm", id, "UOTHER", "C0OPS", "e2e-click-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text")).contains("only <@UOPS> (who asked) or an admin may confirm");
        assertThat(status("nodeapp")).contains("2/2 running");

        requests.click("opsbot.confirm", id, "UOPS", "C0OPS", "e2e-click-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown().contains("*succeeded*"));
        assertThat(lastShown()).contains("confirmed by <@UOPS>");
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(status("nodeapp")).contains(": 0/0 running");
    }

    @Test
    void aViewerIsDeniedScaleWithAClearMessageAndNothingChanges() throws Exception {
        requests.slashCommand("scale nodeapp 5", "UVIEW", "C0OPS", "e2e-3");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.calls("chat.postEphemeral").size() == 1);
        assertThat(slack.calls("chat.postEphemeral").get(0).param("text"))
                .contains("scale needs the operator role; operators: <@UOPS>; admins: <@UADMIN>");
        assertThat(status("nodeapp")).contains("2/2 running");
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
