package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Opsbot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report now} from Slack goes through the same sink as scheduled reports: Block Kit in the channel, the chart
 * through the external upload flow in its thread; the command's answer says where it went. Against the local default
 * (the sim over HTTP) and the fake Slack.
 */
class SlackReportNowTest {

    @TempDir
    Path home;

    FakeSlack slack;
    SlackRig rig;
    Opsbot opsbot;
    SignedRequests requests;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        rig = SlackRig.with(slack).start(home);
        opsbot = rig.opsbot;
        // wired as Main wires it
        opsbot.reports().connect(rig.bot.reportSink(opsbot.reports().zone()));
        requests = rig.requests;
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    @Test
    void reportNowWithoutAChannelPostsTheReportWithItsChartInTheChannelItWasAskedIn() throws Exception {
        SignedRequests.Answer ack = requests.slashCommand("report now", "UOPS", "C0ASK", "rn-1");
        assertThat(ack.status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(slack.calls())
                .extracting(c -> c.method() + " " + c.body()).as("the fake Slack's calls")
                .anyMatch(c -> c.startsWith("files.completeUploadExternal"))
                .anyMatch(c -> c.startsWith("chat.postMessage") && c.contains("text=report+sent")));
        List<FakeSlack.Call> posts = reports();
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).param("channel")).isEqualTo("C0ASK");
        assertThat(posts.get(0).shown()).contains("Agents");
        List<String> methods = slack.calls().stream().map(FakeSlack.Call::method).toList();
        assertThat(methods).containsSubsequence("chat.postMessage", "files.getUploadURLExternal", "/upload/F1",
                "files.completeUploadExternal");
        assertThat(slack.calls("files.getUploadURLExternal").get(0).param("filename")).isEqualTo("health-report.png");
        FakeSlack.Call complete = slack.calls("files.completeUploadExternal").get(0);
        assertThat(complete.param("channel_id")).isEqualTo("C0ASK");
        assertThat(complete.param("thread_ts")).isEqualTo(slack.postedTs(0));
        // the answer says where the report went, and is not the report again
        String answer = answer();
        assertThat(answer).contains("posted a health report in this channel: ").doesNotContain("Agents");
    }

    @Test
    void reportNowToAnotherChannelPostsThereAndTheAnswerNamesIt() throws Exception {
        requests.slashCommand("report now #ops", "UOPS", "C0ASK", "rn-2");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(slack.calls())
                .extracting(c -> c.method() + " " + c.body()).as("the fake Slack's calls")
                .anyMatch(c -> c.startsWith("files.completeUploadExternal"))
                .anyMatch(c -> c.startsWith("chat.postMessage") && c.contains("text=report+sent")));
        assertThat(reports()).extracting(c -> c.param("channel")).containsExactly("#ops");
        assertThat(slack.calls("files.completeUploadExternal").get(0).param("channel_id")).isEqualTo("#ops");
        assertThat(answer()).contains("posted a health report in #ops")
                .doesNotContain("this channel");
    }

    /** The reports posted (not the command's answer). */
    private List<FakeSlack.Call> reports() {
        return slack.calls("chat.postMessage").stream().filter(c -> !c.param("text").equals("report sent")).toList();
    }

    /** What the command answered, as a person reads it. */
    private String answer() {
        List<FakeSlack.Call> answers = slack.calls("chat.postMessage").stream()
                .filter(c -> c.param("text").equals("report sent")).toList();
        assertThat(answers).hasSize(1);
        return answers.get(0).shown();
    }
}
