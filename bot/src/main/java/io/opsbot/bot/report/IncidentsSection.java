package io.opsbot.bot.report;

import io.opsbot.alerts.AlertService;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKind;
import io.opsbot.alerts.IncidentStore;
import io.opsbot.bot.render.AlertText;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import io.opsbot.health.SectionSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The report's incidents section, from the journal the alerts keep: what is still open (new in the report's window —
 * since the last report of the schedule —, recurring: resolved once and open again, or open since before the window)
 * and what was resolved in the window, with durations and a link to each incident's message; an open incident is also a problem in the verdict.
 */
public final class IncidentsSection implements SectionSource {

    /** Incidents listed in the section; the rest go to the full list. */
    static final int SHOWN = 10;
    /** Incidents read from the journal for one report. */
    static final int READ = 1000;
    private static final int REASON_CHARS = 160;

    private final IncidentStore store;
    private final Clock clock;
    private final BiFunction<String, String, String> permalink;

    /** @param permalink a chat link to a message from its channel and ts */
    public IncidentsSection(IncidentStore store, Clock clock, BiFunction<String, String, String> permalink) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.permalink = Objects.requireNonNull(permalink, "permalink");
    }

    /**
     * opsbot's own blind spots in the window, one line each for the report's opsbot section: the event stream down
     * past its alert bound, and Slack refusing calls (429), counted from their incidents.
     */
    public List<String> blindSpots(Instant since, Instant until) {
        List<Incident> spots = store.since(since, null, 200).stream()
                .filter(i -> i.kind() == IncidentKind.BLIND_SPOT).toList();
        return List.of(blindSpot("event-stream gaps past the alert bound", spots, AlertService.EVENT_STREAM, "", until),
                blindSpot("Slack rate limits met", spots, AlertService.SLACK, " refused calls", until));
    }

    private static String blindSpot(String what, List<Incident> spots, String subject, String unit, Instant until) {
        List<Incident> these = spots.stream().filter(i -> i.subject().equals(subject)).toList();
        if (these.isEmpty()) {
            return what + ": none";
        }
        int signals = these.stream().mapToInt(Incident::count).sum();
        Duration longest = these.stream().map(i -> i.duration(until)).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        boolean open = these.stream().anyMatch(Incident::open);
        return what + ": " + these.size() + (unit.isEmpty() ? "" : " (" + signals + unit + ")") + ", longest "
                + AlertText.span(longest) + (open ? "; one is still open" : "");
    }

    @Override
    public Contribution contribute(Instant since, Instant until) {
        List<Incident> found = store.since(since, null, READ);
        List<Incident> open = found.stream().filter(Incident::open)
                .sorted(Comparator.comparing((Incident i) -> severity(i.kind())).thenComparing(Incident::openedAt)).toList();
        List<Incident> resolved = found.stream().filter(i -> !i.open() && i.resolvedAt() != null
                && !i.resolvedAt().isBefore(since)).sorted(Comparator.comparing(Incident::resolvedAt).reversed()).toList();
        long fresh = open.stream().filter(i -> !i.firstSeen().isBefore(since)).count();
        long recurring = open.stream().filter(i -> i.firstSeen().isBefore(since) && !i.openedAt().isBefore(since)).count();
        long ongoing = open.size() - fresh - recurring;

        // a schedule looks back to its last report, report now over a fixed window: say which span it is
        String window = "in the last " + AlertText.span(Duration.between(since, until));
        String head;
        if (open.isEmpty() && resolved.isEmpty()) {
            head = "none open, none resolved " + window;
        } else {
            List<String> kinds = new ArrayList<>();
            if (fresh > 0) {
                kinds.add(fresh + " new");
            }
            if (recurring > 0) {
                kinds.add(recurring + " recurring");
            }
            if (ongoing > 0) {
                kinds.add(ongoing + " still open from before");
            }
            head = open.size() + " open" + (kinds.isEmpty() ? "" : " (" + String.join(", ", kinds) + ")") + ", "
                    + resolved.size() + " resolved " + window
                    + (found.size() >= READ ? " (the newest " + READ + " read)" : "");
        }
        Instant now = clock.instant();
        List<String> lines = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Incident i : open) {
            String state = !i.firstSeen().isBefore(since) ? "new"
                    : !i.openedAt().isBefore(since) ? "recurring" : "still open";
            lines.add("🔴 " + i.subject() + "  " + i.kind().label() + "  " + i.kind().count(i.count()) + "  " + state
                    + ", open " + AlertText.span(i.duration(now)) + " — last: " + reason(i) + link(i));
            problems.add(new Problem(severity(i.kind()), i.subject(), "open incident (" + i.kind().label() + "), "
                    + i.kind().count(i.count()) + " in " + AlertText.span(i.duration(now)), next(i)));
        }
        for (Incident i : resolved) {
            lines.add("✅ " + i.subject() + "  " + i.kind().label() + "  " + i.kind().count(i.count()) + "  resolved after "
                    + AlertText.span(i.duration(now)) + (i.resolution() == null ? "" : " — " + i.resolution()) + link(i));
        }
        return new Contribution(List.of(section(head, lines)), problems);
    }

    /** The head and the first {@link #SHOWN} incidents; when there are more, the full list keeps the head too. */
    private static Section section(String head, List<String> lines) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(lines);
        if (lines.size() <= SHOWN) {
            return new Section("incidents", "Incidents", all);
        }
        List<String> shown = new ArrayList<>(all.subList(0, SHOWN + 1));
        shown.add("… and " + (lines.size() - SHOWN) + " more (the full list comes with the report)");
        return new Section("incidents", "Incidents", shown, all, false);
    }

    /** An agent lost or a failed deployment needs a person now; the rest may heal or be a bad release. */
    private static Problem.Severity severity(IncidentKind kind) {
        return kind == IncidentKind.AGENT_LOST || kind == IncidentKind.DEPLOYMENT_FAILED
                ? Problem.Severity.CRITICAL : Problem.Severity.WARNING;
    }

    private static String next(Incident i) {
        return i.kind().aboutApp() ? "why " + i.subject() : "status";
    }

    private static String reason(Incident i) {
        String r = i.lastReason() == null || i.lastReason().isBlank() ? "(no reason given)" : i.lastReason();
        return r.length() <= REASON_CHARS ? r : r.substring(0, REASON_CHARS - 1) + "…";
    }

    private String link(Incident i) {
        return i.messageTs() == null || i.channel() == null ? "" : "  " + permalink.apply(i.channel(), i.messageTs());
    }
}
