package io.opsbot.bench;

import io.opsbot.config.OpsbotConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Item 2: the emulated cluster emits deployment_success and opsbot's chat.update of the operation's message reaches
 * the fake Slack. The command is a Slack {@code /ops scale nodeapp 3} (then 2, and so on): one deployment each.
 */
final class ReactionBench implements Benchmark {

    private static final double TARGET_P99_MS = 100;

    @Override
    public String item() {
        return "2";
    }

    @Override
    public String title() {
        return "Reaction: deployment_success → chat.update";
    }

    @Override
    public Duration budget() {
        return Duration.ofSeconds(45);
    }

    @Override
    public Result run(Context ctx) throws Exception {
        int rounds = ctx.count(20, 2);
        Stats toFinal = new Stats();
        Stats toFirst = new Stats();
        try (SlackRig rig = new SlackRig(SlashAckBench.local(ctx), ctx.dir("reaction"), Duration.ZERO, null);
             EventTap tap = new EventTap(rig.marathonUrl())) {
            for (int n = 0; n < rounds + 1 && !ctx.enough(n, 11); n++) {
                Set<String> before = new HashSet<>(tap.successes().keySet());
                int callsBefore = rig.slack.calls().size();
                String command = "scale nodeapp " + (n % 2 == 0 ? 3 : 2);
                SlashCommands.Ack ack = rig.commands.send(command, SlackRig.OPERATOR, SlackRig.CHANNEL);
                if (ack.status() != 200) {
                    throw new IllegalStateException("the bot answered HTTP " + ack.status() + " to " + command);
                }
                String ts = Waits.get("the message of '" + command + "'", Duration.ofSeconds(60), () -> rig.slack.calls().stream()
                        .skip(callsBefore).filter(c -> c.method().equals("chat.postMessage") && c.param("text").startsWith(command))
                        .map(c -> c.param("ts")).findFirst().orElse(null));
                FakeSlack.Call done = Waits.get("'" + command + "' to finish in Slack", Duration.ofSeconds(120), () -> rig.slack.calls()
                        .stream().skip(callsBefore).filter(c -> c.method().startsWith("chat.") && c.param("ts").equals(ts)
                                && (c.param("text").contains("succeeded") || c.param("text").contains("failed"))).findFirst().orElse(null));
                if (!done.param("text").contains("succeeded")) {
                    throw new IllegalStateException("'" + command + "' did not succeed: " + done.param("text"));
                }
                String deployment = Waits.get("the deployment_success of '" + command + "'", Duration.ofSeconds(30), () -> tap.successes()
                        .keySet().stream().filter(id -> !before.contains(id)).findFirst().orElse(null));
                long emittedMillis = tap.successAt(deployment);
                FakeSlack.Call first = rig.slack.calls().stream().skip(callsBefore)
                        .filter(c -> c.method().equals("chat.update") && c.param("ts").equals(ts) && c.atMillis() >= emittedMillis)
                        .findFirst().orElseThrow(() -> new IllegalStateException("no chat.update of the message after the event: "
                                + "the event's timestamp is " + emittedMillis + ", the final edit arrived at " + done.atMillis() + "; events "
                                + tap.successes() + "; calls " + rig.slack.calls().stream().skip(callsBefore).map(c -> c.method() + " "
                                + c.param("ts") + " " + c.atMillis() + " " + c.param("text")).toList()));
                if (n == 0) {
                    continue; // warm-up: the first deployment loads the classes of the whole path
                }
                toFinal.record((done.atMillis() - emittedMillis) * 1_000_000);
                toFirst.record((first.atMillis() - emittedMillis) * 1_000_000);
            }
        }
        ctx.say("item 2: " + toFinal.medianP99());
        return new Result(List.of(
                new Row("2", "deployment_success → the chat.update that shows the operation succeeded", toFinal.medianP99(),
                        "p99 < 100 ms", Row.Verdict.of(toFinal.p99Ms() < TARGET_P99_MS)),
                new Row("2", "deployment_success → the first chat.update of the message after it", toFirst.medianP99(), "—",
                        Row.Verdict.NONE)), List.of(
                "The Slack bot (HTTP mode, fake Slack on loopback) with its own emulated cluster (time scale 10), in the harness's "
                        + "JVM. Each round sends a signed `/ops scale nodeapp 3` (then 2, alternately) as an operator: one Marathon "
                        + "deployment each. The clock starts at the deployment_success event's own "
                        + "`timestamp` (read by the harness's own subscriber to `/v2/events?event_type=deployment_success`; the "
                        + "sim stamps events with its clock, which follows the wall clock on the tick that emits them, so the "
                        + "start is at or slightly before the emission), and stops, on the wall clock too (1 ms resolution), when the fake Slack receives the `chat.update` of the operation's message "
                        + "that says it succeeded (the step's wait on the deployment, its check that the tasks are healthy, the "
                        + "journal's writes, the rendering). The second row stops at the first edit of that message after the event.",
                "The bot's edit throttle (at most one edit of a message per second, Slack's guidance) is set to zero here, so "
                        + "that no round counts a message edited in the last second: the figure is the pipeline's own. "
                        + "One warm-up round is not counted."));
    }
}
