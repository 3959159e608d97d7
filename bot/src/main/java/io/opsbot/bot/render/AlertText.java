package io.opsbot.bot.render;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An incident in words, the same for every chat: the headline its one message shows (edited as it changes), the
 * details said once in its thread when it opens, and what is said when it resolves.
 */
public final class AlertText {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final ZoneId zone;

    public AlertText(ZoneId zone) {
        this.zone = zone;
    }

    public AlertText() {
        this(ZoneId.systemDefault());
    }

    /**
     * {@code 🔴 nodeapp: 14 task failures in 6m — last: TASK_FAILED on node3 "Container exited with status 137"}, or
     * {@code ✅ nodeapp: resolved after 6m — 14 task failures, last on node3}.
     */
    public String headline(Incident i, Instant now) {
        if (!i.open()) {
            String last = i.lastAgent() == null ? "" : ", last on " + i.lastAgent();
            String what = who(i) + ": resolved after " + span(i.duration(now));
            return "✅ " + what + " — " + i.kind().count(i.count()) + last;
        }
        String found = i.reconciled() && !i.lastReason().contains("found by reconciliation") ? " (found by reconciliation)" : "";
        if (i.kind() == IncidentKind.AGENT_LOST || i.kind() == IncidentKind.BLIND_SPOT) {
            return "🔴 " + i.lastReason() + " — since " + time(i.openedAt()) + found;
        }
        return "🔴 " + who(i) + ": " + i.kind().count(i.count()) + " in " + span(Duration.between(i.firstSeen(), now))
                + " — last: " + i.lastReason() + found;
    }

    /** The facts under the headline: first and last seen, agents, the incident's number. */
    public String facts(Incident i) {
        List<String> parts = new ArrayList<>();
        parts.add(i.kind().label());
        parts.add("first " + time(i.firstSeen()));
        parts.add("last " + time(i.lastSeen()));
        if (!i.agents().isEmpty()) {
            parts.add("agents " + String.join(", ", i.agents()));
        }
        if (i.id() > 0) {
            parts.add("incident #" + i.id());
        }
        return String.join(" · ", parts);
    }

    /** "13 more since 10:02:31": what an edit adds to the last one shown, so nothing is dropped silently. */
    public String rollUp(int more, Instant since) {
        return more + " more since " + time(since);
    }

    /** The thread reply when it opens (or reopens). */
    public List<String> opened(Incident i, boolean reopened) {
        List<String> lines = new ArrayList<>();
        lines.add((reopened ? "Reopened: " : "Opened: ") + i.kind().label() + " of " + who(i) + " at " + time(i.openedAt()));
        lines.add("Last: " + i.lastReason());
        if (!i.agents().isEmpty()) {
            lines.add("Agents: " + String.join(", ", i.agents()));
        }
        if (i.reconciled()) {
            lines.add("Found by reconciliation: opsbot re-read the cluster's state after a gap in Marathon's event stream.");
        }
        lines.add("This message is edited as it goes on, and says when it is over.");
        return lines;
    }

    /** The thread reply when it resolves. */
    public String resolved(Incident i, Instant now) {
        return "✅ Resolved after " + span(i.duration(now)) + (i.resolution() == null ? "" : ": " + i.resolution())
                + " — " + i.kind().count(i.count()) + (i.lastAgent() == null ? "" : ", last on " + i.lastAgent()) + ".";
    }

    /** One line for the console: the headline, and the facts when it opens. */
    public String line(Incident i, Instant now) {
        return headline(i, now) + (i.open() ? "  [" + facts(i) + "]" : "");
    }

    public String time(Instant at) {
        return at == null ? "?" : CLOCK.format(at.atZone(zone));
    }

    private static String who(Incident i) {
        return i.subject();
    }

    /** 45s, 6m, 1h12m: the length of an incident, to the second below a minute. */
    public static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m";
        }
        return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
    }
}
