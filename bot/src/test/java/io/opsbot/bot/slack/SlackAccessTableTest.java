package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.access.Access;
import io.opsbot.bot.access.AccessTable;
import io.opsbot.bot.command.Grammar;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The access table through Slack: every command of the grammar (each of its examples with {@code OPSBOT_LONG=true})
 * sent as a signed {@code /ops} by every role, in a
 * channel without rules and in one with a list, and every button (Confirm, Cancel on a confirmation, Cancel on a
 * running operation, the alert buttons) clicked by every role — the requester and others. What reaches the command
 * handler must be exactly what the configuration allows ({@link AccessTable}); every denial is told to the person
 * privately.
 */
class SlackAccessTableTest {

    final Grammar grammar = AccessTable.grammar();
    FakeSlack slack;
    SlackRig rig;
    /** What got past access to the handler: "text|user|channel|confirmed". */
    final List<String> reached = new CopyOnWriteArrayList<>();
    final Plan plan = SlackBotTest.plan("rollback nodeapp 1.0", "put back version 1.0");

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        slack.group("SONCALL", List.of(AccessTable.PAGED));
        rig = SlackRig.with(slack).access(AccessTable.CONFIG)
                .settings(b -> b.verbRoles(Access.verbRoles(grammar)).owners(AccessTable.OWNERS).workers(8, 5000)
                        .editInterval(Duration.ofMillis(10)))
                .bare((request, progress) -> {
                    reached.add(key(request.text(), request.user(), request.channel()) + (request.confirmed() ? "|confirmed" : ""));
                    if (request.text().equals(plan.operation().title()) && !request.confirmed()) {
                        return new Response.NeedsConfirmation(plan, "goes back to an older version", (answer, by) -> { });
                    }
                    return new Response.Answer(new Report("ok", List.of(), false));
                });
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
        slack.close();
    }

    @Test
    void everyCommandByEveryRoleInEveryChannelReachesTheHandlerExactlyWhenTheConfigurationAllowsIt() throws Exception {
        // bounded: each command once (and report unschedule); OPSBOT_LONG=true: every example of every command
        List<AccessTable.Case> cases = AccessTable.cases(grammar, "true".equals(System.getenv("OPSBOT_LONG")));
        int n = 0;
        for (AccessTable.Case c : cases) {
            SignedRequests.Answer ack = rig.requests.slashCommand(c.command(), c.caller().user(), c.channel(), "table-" + n++);
            assertThat(ack.status()).as("ack of %s", c).isEqualTo(200);
        }
        // each try ends in the handler (allowed) or in one private denial
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> reached.size() + slack.calls("chat.postEphemeral").size() >= cases.size());
        Set<String> got = new HashSet<>(reached);

        System.out.println("access table through Slack (" + cases.size() + " signed /ops requests):\n"
                + AccessTable.render(cases, c -> got.contains(key(c))));
        assertThat(cases).allSatisfy(c -> assertThat(got.contains(key(c))).as("%s by %s in %s (%s)", c.command(),
                c.caller().holds(), c.channel(), c.why()).isEqualTo(c.allowed()));
        long denied = cases.stream().filter(c -> !c.allowed()).count();
        assertThat(slack.calls("chat.postEphemeral")).hasSize((int) denied)
                .allSatisfy(call -> assertThat(call.param("text")).satisfiesAnyOf(
                        t -> assertThat(t).contains("is not allowed in this channel; allowed here: status, logs, history"),
                        t -> assertThat(t).containsPattern("needs the (viewer|operator|admin) role")));
        System.out.println("measured: access table through Slack: " + cases.size() + " tries, "
                + (cases.size() - denied) + " allowed, " + denied + " denied, all as configured");
    }

    @Test
    void buttonsClickedByEveryRoleActOnlyAsTheConfigurationAllows() throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        int n = 0;
        // the Cancel button of an operator's running operation, and each alert button, in each channel
        for (String channel : AccessTable.CHANNELS) {
            for (AccessTable.Caller caller : AccessTable.CALLERS) {
                StringBuilder row = new StringBuilder();
                List<String[]> buttons = new ArrayList<>();
                buttons.add(new String[] {BlockKit.ACTION_CANCEL, AccessTable.OPERATORS_OP, "cancel " + AccessTable.OPERATORS_OP});
                for (String action : List.of(AlertBlocks.ACTION_LOGS, AlertBlocks.ACTION_STATUS, AlertBlocks.ACTION_RESTART,
                        AlertBlocks.ACTION_MUTE)) {
                    buttons.add(new String[] {action, "nodeapp", AlertBlocks.commandFor(action, "nodeapp")});
                }
                for (String[] b : buttons) {
                    AccessTable.Case expected = AccessTable.expected(grammar, b[2], caller, channel);
                    boolean ran = click(b[0], b[1], caller.user(), channel, "btn-" + n++, key(b[2], caller.user(), channel));
                    row.append(b[0].replace("opsbot.", "")).append(ran ? " ✓  " : " ·  ");
                    if (ran != expected.allowed()) {
                        mismatches.add(b[0] + " by " + caller.holds() + " in " + channel + ": ran=" + ran + ", configured " + expected.why());
                    }
                }
                rows.add(String.format("%-8s %-36s %s", channel, caller.user() + " (" + caller.holds() + ")", row));
            }
        }

        // Confirm and Cancel on a confirmation asked by the operator: only the requester or an admin
        for (AccessTable.Caller caller : AccessTable.CALLERS) {
            for (String action : List.of(BlockKit.ACTION_CONFIRM, BlockKit.ACTION_DECLINE)) {
                String id = askConfirmation("confirm-ask-" + n++);
                boolean expected = caller.user().equals(AccessTable.OPERATOR) || caller.user().equals(AccessTable.ADMIN);
                int ephemeralsBefore = slack.calls("chat.postEphemeral").size();
                int reachedBefore = reached.size();
                int updatesBefore = updatesSaying("cancelled by");
                rig.requests.click(action, id, caller.user(), AccessTable.OPEN, "confirm-click-" + n++);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                        slack.calls("chat.postEphemeral").size() > ephemeralsBefore || reached.size() > reachedBefore
                                || updatesSaying("cancelled by") > updatesBefore);
                boolean acted = reached.size() > reachedBefore || updatesSaying("cancelled by") > updatesBefore;
                rows.add(String.format("%-8s %-36s %s %s", AccessTable.OPEN, caller.user() + " (" + caller.holds() + ")",
                        action.replace("opsbot.", ""), acted ? "✓ (acted)" : "· (refused: only the requester or an admin)"));
                if (acted != expected) {
                    mismatches.add(action + " on UOPS's confirmation by " + caller.holds() + ": acted=" + acted);
                }
                if (!acted) {
                    assertThat(slack.calls("chat.postEphemeral").get(ephemeralsBefore).param("text"))
                            .contains("only <@" + AccessTable.OPERATOR + "> (who asked) or an admin may");
                }
            }
        }

        System.out.println("buttons clicked by every role (✓ acted, · refused):\n" + String.join("\n", rows));
        assertThat(mismatches).as("clicks that did not do what the configuration says").isEmpty();
        // a confirmed run is the requester's command, marked confirmed, whoever clicked
        assertThat(reached).filteredOn(r -> r.endsWith("|confirmed")).hasSize(2)
                .allSatisfy(r -> assertThat(r).startsWith(key(plan.operation().title(), AccessTable.OPERATOR, AccessTable.OPEN)));
    }

    /** Clicks and waits for its effect: true when the command reached the handler, false when it was denied. */
    private boolean click(String action, String value, String user, String channel, String trigger, String key) throws Exception {
        int ephemeralsBefore = slack.calls("chat.postEphemeral").size();
        long reachedBefore = reached.stream().filter(key::equals).count();
        assertThat(rig.requests.click(action, value, user, channel, trigger).status()).isEqualTo(200);
        // an allowed cancel is answered privately too: wait for the answer, then look at the handler
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                slack.calls("chat.postEphemeral").size() > ephemeralsBefore
                        || (!action.equals(BlockKit.ACTION_CANCEL) && reached.stream().filter(key::equals).count() > reachedBefore));
        return reached.stream().filter(key::equals).count() > reachedBefore;
    }

    /** The operator asks for a change that needs confirmation; the id its Confirm button carries. */
    private String askConfirmation(String trigger) throws Exception {
        int posts = slack.calls("chat.postMessage").size();
        rig.requests.slashCommand(plan.operation().title(), AccessTable.OPERATOR, AccessTable.OPEN, trigger);
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.calls("chat.postMessage").size() > posts);
        String blocks = slack.calls("chat.postMessage").get(posts).param("blocks");
        int at = blocks.indexOf("\"action_id\":\"" + BlockKit.ACTION_CONFIRM + "\"");
        int v = blocks.indexOf("\"value\":\"", at) + 9;
        return blocks.substring(v, blocks.indexOf('"', v));
    }

    private int updatesSaying(String text) {
        return (int) slack.calls("chat.update").stream().filter(c -> c.shown().contains(text)).count();
    }

    private static String key(AccessTable.Case c) {
        return key(c.command(), c.caller().user(), c.channel());
    }

    private static String key(String text, String user, String channel) {
        return text + "|" + user + "|" + channel;
    }
}
