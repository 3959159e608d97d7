package io.opsbot.bot.render;

import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.ContextBlockElement;
import com.slack.api.model.block.element.BlockElement;
import io.opsbot.bot.render.OperationView.Snapshot;
import io.opsbot.bot.render.OperationView.StepLine;
import io.opsbot.bot.render.OperationView.StepStatus;
import io.opsbot.config.Durations;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.Plan;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders responses and progress as Slack Block Kit messages, within Slack's limits: a message that would be
 * too long shows its start and "… (N more lines in the thread)", and hands the rest back as {@link Message#overflow}
 * for the adapter to post in the thread (or as a file).
 */
public final class BlockKit {

    /** A Slack user id (U… or W…) after "started by" or "cancelled by" in the engine's words. */
    private static final java.util.regex.Pattern REQUESTER = java.util.regex.Pattern.compile("(started|cancelled) by ([UW][A-Z0-9]{2,})\\b");

    /** Slack rejects a message with more blocks than this. */
    public static final int MAX_BLOCKS = 50;
    /** Slack's limit for a section's text. */
    public static final int MAX_SECTION_TEXT = 3000;
    /** Slack's limit for a header's plain text. */
    public static final int MAX_HEADER_TEXT = 150;
    /** Slack's limit for elements in one context block. */
    public static final int MAX_CONTEXT_ELEMENTS = 10;
    /** Slack's limit for a button label. */
    public static final int MAX_BUTTON_TEXT = 75;
    /** The notification text: Slack truncates far later (40k), but a notification this long helps nobody. */
    public static final int MAX_FALLBACK_TEXT = 3000;
    /** Lines of a report shown in the channel; more than this goes to the thread so the channel stays readable. */
    public static final int MAX_MESSAGE_LINES = 40;
    /** Lines in one thread reply; what the blocks cannot hold comes back as overflow (for a file). */
    public static final int MAX_THREAD_LINES = 200;

    public static final String ACTION_CONFIRM = "opsbot.confirm";
    public static final String ACTION_DECLINE = "opsbot.decline";
    public static final String ACTION_CANCEL = "opsbot.cancel";

    /** The command a running operation's Cancel button stands for: {@code cancel OPID}, the value one word whatever it holds. */
    public static String cancelCommand(String operationId) {
        return "cancel " + io.opsbot.bot.command.CommandParser.quote(operationId);
    }

    private static final int BAR_WIDTH = 20;
    /** Room kept in a section for the code fences and the truncation note. */
    private static final int SECTION_ROOM = MAX_SECTION_TEXT - 100;

    /**
     * One Slack message.
     *
     * @param text     the notification / fallback text
     * @param overflow lines that did not fit, for the thread; empty when everything is shown
     */
    public record Message(String text, List<LayoutBlock> blocks, List<String> overflow) {
        public Message {
            blocks = List.copyOf(blocks);
            overflow = List.copyOf(overflow);
        }
    }

    /** The operation's one message: title, progress bar, each step, and at the end the summary. */
    public Message progress(Snapshot s, String requester, String note, boolean cancellable) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        out.header(s.title());
        List<String> meta = new ArrayList<>();
        if (s.operationId() != null) {
            meta.add("op `" + s.operationId() + "`");
        }
        if (requester != null) {
            meta.add("requested by <@" + requester + ">");
        }
        if (note != null) {
            meta.add(note);
        }
        if (s.emulated()) {
            meta.add("_emulated cluster_");
        }
        out.context(String.join(" · ", meta));
        int percent = (int) Math.round(s.fraction() * 100);
        String bar = "`" + bar(s.fraction()) + "` " + percent + "%";
        if (s.waiting() != null) {
            bar += "\n:hourglass: " + mentionRequesters(escape(s.waiting()));
        }
        out.section(bar);
        List<String> stepLines = new ArrayList<>();
        for (int i = 0; i < s.steps().size(); i++) {
            stepLines.add(stepLine(i, s.steps().get(i)));
        }
        out.lines(stepLines, false, "");
        String text;
        if (s.finished()) {
            out.section(summary(s.outcome()));
            text = symbol(s.outcome().state()) + " " + s.title() + " " + stateWord(s.outcome().state());
        } else {
            text = s.title() + " — " + percent + "%";
            if (cancellable && s.operationId() != null) {
                out.actions(List.of(button(b -> b.actionId(ACTION_CANCEL).value(s.operationId()).style("danger")
                        .text(plainText("Cancel")))));
            }
        }
        return out.build(text);
    }

    /** A read-only answer: status, logs, history, drift, help. Long ones show their start; the rest overflows. */
    public Message report(Report report) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        out.header(report.title());
        if (report.emulated()) {
            out.context("_emulated cluster_");
        }
        List<String> all = new ArrayList<>();
        for (Report.Section section : report.sections()) {
            if (section.heading() != null && !section.heading().isBlank()) {
                all.add("*" + escape(section.heading()) + "*");
            }
            for (String line : section.lines()) {
                all.add(section.monospace() ? "\u0000" + line : escape(line));
            }
        }
        out.mixedLines(all);
        return out.build(report.title() + (report.emulated() ? " (emulated cluster)" : ""));
    }

    /** {@code --plan}: each step with what its check found, then what would change. */
    public Message plan(Plan plan, String heading) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        out.header(heading);
        out.context("nothing has changed yet");
        planSteps(out, plan);
        return out.build(heading);
    }

    /** The plan, why it needs confirmation, and the Confirm / Cancel buttons. */
    public Message confirmation(Plan plan, String reason, String confirmationId, String requester, Duration expiresIn) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        String title = plan.operation().title();
        out.header(":warning: " + title + " needs confirmation");
        out.section(escape(reason));
        planSteps(out, plan);
        out.context("requested by <@" + requester + "> · only they or an admin may confirm · expires in "
                + Durations.format(expiresIn));
        out.actions(List.of(
                button(b -> b.actionId(ACTION_CONFIRM).value(confirmationId).style("danger").text(plainText("Confirm"))),
                button(b -> b.actionId(ACTION_DECLINE).value(confirmationId).text(plainText("Cancel")))));
        return out.build(title + " needs confirmation: " + reason);
    }

    /** The confirmation message once nobody can click it any more: confirmed, declined or expired. */
    public Message confirmationClosed(Plan plan, String what) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        out.header(plan.operation().title());
        planSteps(out, plan);
        out.section(what);
        return out.build(plan.operation().title() + ": " + what);
    }

    /** A refusal or an error, for the person who asked. */
    public Message rejected(String message) {
        // written for chat by the pipeline (it may mention people), so not escaped
        return text(":no_entry: " + message);
    }

    /** Plain mrkdwn text in one section (split if long). */
    public Message text(String markdown) {
        Layout out = new Layout(MAX_MESSAGE_LINES, true);
        out.lines(List.of(markdown.split("\n", -1)), false, "");
        return out.build(markdown);
    }

    /** Overflow lines for a thread reply, as code; the caller bounds how many. */
    public Message threadReply(List<String> lines, String note) {
        Layout out = new Layout(MAX_THREAD_LINES, false);
        out.lines(lines, true, note);
        return out.build(lines.isEmpty() ? "" : lines.get(0));
    }

    /** A table of which role each command needs, for help. */
    public List<String> roleTable(Map<String, String> verbToRole) {
        List<String> lines = new ArrayList<>();
        Map<String, List<String>> byRole = new java.util.LinkedHashMap<>();
        verbToRole.forEach((verb, role) -> byRole.computeIfAbsent(role, r -> new ArrayList<>()).add("`" + verb + "`"));
        byRole.forEach((role, verbs) -> lines.add("*" + role + "*: " + String.join(", ", verbs)));
        return lines;
    }

    /**
     * The engine names who started or cancelled an operation by the id the chat gave it ("started by U0ABC12"); in
     * Slack that is a user id, shown as a mention so people read a name. Applied to escaped text, so nothing else in
     * it can become a mention or a link.
     */
    static String mentionRequesters(String escaped) {
        return REQUESTER.matcher(escaped).replaceAll("$1 by <@$2>");
    }

    /** Slack's mrkdwn control characters. */
    public static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private void planSteps(Layout out, Plan plan) {
        List<String> lines = new ArrayList<>();
        long changes = 0;
        for (Plan.PlannedStep step : plan.steps()) {
            boolean inSync = step.check().isInSync();
            if (!inSync) {
                changes++;
            }
            lines.add((inSync ? ":white_check_mark: *in sync*  " : ":pencil2: *will change*  ") + escape(step.description()));
            for (String diffLine : step.check().text().split("\n")) {
                lines.add("\u0000" + (inSync ? "  " : "~ ") + diffLine);
            }
        }
        out.mixedLines(lines);
        out.section(plan.changesNothing() ? ":white_check_mark: nothing to change"
                : ":pencil2: would change " + changes + " of " + plan.steps().size()
                        + (plan.steps().size() == 1 ? " step" : " steps"));
    }

    private static String stepLine(int index, StepLine step) {
        StringBuilder line = new StringBuilder(statusIcon(step.status())).append(" *")
                .append(step.status().name().toLowerCase(Locale.ROOT)).append("*  ")
                .append(index + 1).append(". ").append(escape(step.description()));
        if (step.detail() != null && !step.detail().isBlank()) {
            line.append(" — ").append(escape(firstLine(step.detail())));
        }
        if (step.status() != StepStatus.PENDING && !step.elapsed().isZero()) {
            line.append(" _(").append(Durations.format(step.elapsed())).append(")_");
        }
        return line.toString();
    }

    private static String summary(Outcome outcome) {
        StringBuilder out = new StringBuilder(symbol(outcome.state())).append(" *").append(stateWord(outcome.state()))
                .append("* in ").append(Durations.format(outcome.elapsed())).append(" — `").append(outcome.recap()).append('`');
        if (outcome.state() != Outcome.State.SUCCEEDED) {
            outcome.steps().stream().filter(s -> s.result() == io.opsbot.engine.StepResult.FAILED).findFirst()
                    .ifPresent(failed -> out.append("\n*What failed:* step ").append(failed.index() + 1).append(" ")
                            .append(escape(failed.description())).append(" — ").append(escape(nullToEmpty(failed.detail()))));
            if (outcome.message() != null && !outcome.message().isBlank()) {
                out.append("\n*Why:* ").append(mentionRequesters(escape(outcome.message())));
            }
            out.append("\n*Cluster left:* ").append(leftState(outcome));
        } else if (outcome.message() != null && !outcome.message().isBlank()) {
            out.append('\n').append(outcome.message());
        }
        return out.toString();
    }

    /** What the cluster looks like after a failed or cancelled run, from the steps that did take effect. */
    private static String leftState(Outcome outcome) {
        List<String> changed = new ArrayList<>();
        List<String> notRun = new ArrayList<>();
        for (var step : outcome.steps()) {
            switch (step.result()) {
                case CHANGED -> changed.add((step.index() + 1) + ". " + escape(step.description()));
                case SKIPPED -> notRun.add((step.index() + 1) + ". " + escape(step.description()));
                default -> { }
            }
        }
        String applied = changed.isEmpty() ? "nothing was changed" : "changed by " + String.join(", ", changed);
        return applied + (notRun.isEmpty() ? "" : "; not run: " + String.join(", ", notRun));
    }

    private static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
        return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    }

    private static String statusIcon(StepStatus status) {
        return switch (status) {
            case PENDING -> ":white_circle:";
            case RUNNING -> ":arrows_counterclockwise:";
            case OK -> ":white_check_mark:";
            case CHANGED -> ":large_orange_diamond:";
            case FAILED -> ":x:";
            case SKIPPED -> ":fast_forward:";
        };
    }

    private static String symbol(Outcome.State state) {
        return switch (state) {
            case SUCCEEDED -> ":white_check_mark:";
            case FAILED -> ":x:";
            case CANCELLED -> ":black_square_for_stop:";
            case REFUSED -> ":hourglass:";
        };
    }

    private static String stateWord(Outcome.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " …";
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /**
     * Collects blocks within Slack's limits. Lines are packed into sections of at most {@link #SECTION_ROOM}
     * characters; what does not fit in {@link #MAX_MESSAGE_LINES} lines or the block budget overflows.
     * A line starting with NUL is monospace (packed into a code block).
     */
    private static final class Layout {
        /** Blocks kept free for the summary and the buttons that come after the lines. */
        private static final int RESERVED = 4;
        private final List<LayoutBlock> blocks = new ArrayList<>();
        private final List<String> overflow = new ArrayList<>();
        private final int maxLines;
        private final boolean noteOverflow;

        Layout(int maxLines, boolean noteOverflow) {
            this.maxLines = maxLines;
            this.noteOverflow = noteOverflow;
        }

        void header(String text) {
            blocks.add(com.slack.api.model.block.Blocks.header(h -> h.text(plainText(cut(text.replace('\n', ' '), MAX_HEADER_TEXT)))));
        }

        void context(String mrkdwn) {
            if (mrkdwn.isBlank()) {
                return;
            }
            List<ContextBlockElement> elements = List.of(markdownText(cut(mrkdwn, MAX_SECTION_TEXT)));
            blocks.add(com.slack.api.model.block.Blocks.context(c -> c.elements(elements.subList(0, Math.min(elements.size(), MAX_CONTEXT_ELEMENTS)))));
        }

        void section(String mrkdwn) {
            if (blocks.size() >= MAX_BLOCKS) {
                return;
            }
            blocks.add(com.slack.api.model.block.Blocks.section(s -> s.text(markdownText(cut(mrkdwn, MAX_SECTION_TEXT)))));
        }

        void actions(List<BlockElement> elements) {
            if (blocks.size() < MAX_BLOCKS) {
                blocks.add(com.slack.api.model.block.Blocks.actions(elements));
            }
        }

        /** All lines monospace (true) or as mrkdwn (false); note goes last when everything fits. */
        void lines(List<String> lines, boolean monospace, String note) {
            List<String> marked = new ArrayList<>();
            for (String line : lines) {
                marked.add(monospace ? "\u0000" + line : line);
            }
            mixedLines(marked);
            if (note != null && !note.isBlank()) {
                context(note);
            }
        }

        void mixedLines(List<String> lines) {
            StringBuilder current = new StringBuilder();
            boolean currentCode = false;
            int shown = 0;
            for (int i = 0; i < lines.size(); i++) {
                String raw = lines.get(i);
                boolean code = raw.startsWith("\u0000");
                // a line cannot close the code block it sits in
                String line = cut(code ? raw.substring(1).replace("```", "ʼʼʼ") : raw, SECTION_ROOM - 10);
                boolean fits = current.length() + line.length() + 1 <= SECTION_ROOM;
                boolean sameKind = current.length() == 0 || code == currentCode;
                boolean newSection = !fits || !sameKind;
                if (shown >= maxLines || (newSection && blocks.size() + 2 > MAX_BLOCKS - RESERVED)) {
                    for (int j = i; j < lines.size(); j++) {
                        String rest = lines.get(j);
                        overflow.add(rest.startsWith("\u0000") ? rest.substring(1) : rest);
                    }
                    break;
                }
                if (newSection) {
                    flush(current, currentCode);
                }
                if (current.length() == 0) {
                    currentCode = code;
                } else {
                    current.append('\n');
                }
                current.append(line);
                shown++;
            }
            flush(current, currentCode);
            if (noteOverflow && !overflow.isEmpty()) {
                context("… (" + overflow.size() + " more lines in the thread)");
            }
        }

        private void flush(StringBuilder current, boolean code) {
            if (current.length() == 0) {
                return;
            }
            String text = code ? "```" + current + "```" : current.toString();
            blocks.add(com.slack.api.model.block.Blocks.section(s -> s.text(markdownText(cut(text, MAX_SECTION_TEXT)))));
            current.setLength(0);
        }

        Message build(String text) {
            return new Message(cut(text, MAX_FALLBACK_TEXT), blocks.size() > MAX_BLOCKS ? blocks.subList(0, MAX_BLOCKS) : blocks,
                    overflow);
        }
    }
}
