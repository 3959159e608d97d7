package io.opsbot.bot.render;

import io.opsbot.bot.command.CommandParser;
import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.element.BlockElement;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An incident's one Slack message: the headline, its facts, a roll-up of what the edit adds, and the buttons Logs,
 * Status, Restart and Mute 2h while it is open.
 */
public final class AlertBlocks {

    public static final String ACTION_LOGS = "opsbot.alert.logs";
    public static final String ACTION_STATUS = "opsbot.alert.status";
    public static final String ACTION_RESTART = "opsbot.alert.restart";
    public static final String ACTION_MUTE = "opsbot.alert.mute";
    /** What the Mute button mutes for. */
    public static final String MUTE_BUTTON_DURATION = "2h";

    private final AlertText text;

    public AlertBlocks(AlertText text) {
        this.text = text;
    }

    /** @param rollUp "13 more since 10:02:31", or null */
    public BlockKit.Message message(Incident i, Instant now, String rollUp) {
        String headline = text.headline(i, now);
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(section(s -> s.text(markdownText(BlockKit.escape(headline)))));
        String facts = text.facts(i) + (rollUp == null ? "" : " · " + rollUp);
        blocks.add(context(List.of(markdownText(BlockKit.escape(facts)))));
        if (i.open() && i.id() > 0) {
            List<BlockElement> buttons = new ArrayList<>();
            if (i.kind().aboutApp()) {
                buttons.add(button(b -> b.actionId(ACTION_LOGS).value(i.subject()).text(plainText("Logs"))));
            }
            if (i.kind() != IncidentKind.BLIND_SPOT) {
                buttons.add(button(b -> b.actionId(ACTION_STATUS).value(i.subject()).text(plainText("Status"))));
            }
            if (i.kind().aboutApp()) {
                buttons.add(button(b -> b.actionId(ACTION_RESTART).value(i.subject()).text(plainText("Restart"))));
            }
            if (i.kind() != IncidentKind.BLIND_SPOT) {
                buttons.add(button(b -> b.actionId(ACTION_MUTE).value(i.subject()).text(plainText("Mute " + MUTE_BUTTON_DURATION))));
            }
            if (!buttons.isEmpty()) {
                blocks.add(actions(buttons));
            }
        }
        return new BlockKit.Message(headline, blocks, List.of());
    }

    /** The command a button stands for, run as the person who clicked (roles and confirmations apply). */
    public static String commandFor(String actionId, String subject) {
        // the value is one word whatever it holds: a forged "nodeapp --force" stays one (unknown) name
        String word = CommandParser.quote(subject);
        return switch (actionId) {
            case ACTION_LOGS -> "logs " + word;
            case ACTION_STATUS -> "status " + word;
            case ACTION_RESTART -> "restart " + word;
            case ACTION_MUTE -> "mute " + word + " for " + MUTE_BUTTON_DURATION;
            default -> throw new IllegalArgumentException("not an alert button: " + actionId);
        };
    }
}
