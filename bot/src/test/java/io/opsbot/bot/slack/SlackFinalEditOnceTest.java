package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack end to end (signed requests through Bolt, the engine, the emulated cluster, Slack faked on loopback): an
 * operation's final state reaches Slack once. The engine's end makes the operation's view show the final state, and the
 * runner then finishes with that same state; {@link LiveMessage} sent both, a second {@code chat.update} a second later
 * (the edit interval) that held the bot's worker meanwhile.
 *
 * <p>The order that sent the duplicate is made certain: the handler returns only once the view's final state has
 * reached the fake Slack, so the runner's finish always comes after it. With one worker for operations, a later
 * operation runs only after the first command's runner has returned, which is after any second edit of the first
 * message would have been sent: waiting for the later operation's final message bounds the check, no sleep.
 */
class SlackFinalEditOnceTest {

    @TempDir
    Path home;

    FakeSlack slack;
    SlackRig rig;

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
    void anOperationsFinalStateIsSentToSlackOnceThoughTheViewAndTheRunnerBothShowIt() throws Exception {
        slack = new FakeSlack();
        FakeSlack seen = slack;
        rig = SlackRig.with(slack).responseUrl(SignedRequests.NO_RESPONSE_URL)
                .settings(b -> b.workers(1, 8))
                .around(handler -> (request, progress) -> {
                    Response response = handler.handle(request, progress);
                    if (response instanceof Response.Finished) {
                        // the view showed the final state at the engine's end: the runner finishes only once Slack has it
                        await().atMost(Duration.ofSeconds(60)).until(() -> !finalWrites(seen, request.text()).isEmpty());
                    }
                    return response;
                })
                .start(home);

        // both are operations with nothing to change (the emulated cluster runs 2 nodeapp and 1 mongo): quick, and final
        rig.requests.slashCommand("scale nodeapp 2", "UOPS", "C0OPS", "once-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> !finalWrites(slack, "scale nodeapp 2").isEmpty());

        rig.requests.slashCommand("scale mongo 1", "UOPS", "C0OPS", "once-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> !finalWrites(slack, "scale mongo 1").isEmpty());

        assertThat(slack.calls("chat.postMessage")).hasSize(2);
        String first = slack.postedTs(0);
        List<FakeSlack.Call> finals = finalWrites(slack, "scale nodeapp 2");
        assertThat(finals).as("writes of the first operation's final state").hasSize(1);
        FakeSlack.Call last = slack.calls().stream()
                .filter(c -> c.method().equals("chat.update") && c.param("ts").equals(first)).reduce((a, b) -> b).orElse(null);
        if (last != null) {
            // edited after its post: the last edit is the final state, and it is the one final write
            assertThat(last.shown()).contains("scale nodeapp 2", "*succeeded*");
            assertThat(finals.get(0)).isEqualTo(last);
        }
    }

    /** chat.postMessage / chat.update calls showing that the operation {@code command} succeeded (its title is the command). */
    private static List<FakeSlack.Call> finalWrites(FakeSlack slack, String command) {
        return slack.calls().stream()
                .filter(c -> c.method().equals("chat.postMessage") || c.method().equals("chat.update"))
                .filter(c -> c.shown().contains(command) && c.shown().contains("*succeeded*")).toList();
    }
}
