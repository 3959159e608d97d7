package io.opsbot.bot.report;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentStore;
import io.opsbot.bot.render.AlertText;
import io.opsbot.engine.Report;
import io.opsbot.health.WhyPart;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code why APP}'s open incident, from the journal the alerts keep: its kind, count, since when, the last reason and
 * where it happened, and the link to its message when it has one. Nothing when the app has no open incident.
 */
public final class IncidentWhyPart implements WhyPart {

    private final IncidentStore store;
    private final Clock clock;
    private final DateTimeFormatter time;
    private final BiFunction<String, String, String> permalink;

    /**
     * @param zone      the time zone "since" is written in (the zone is named in the line)
     * @param permalink a chat link to a message from its channel and ts
     */
    public IncidentWhyPart(IncidentStore store, Clock clock, ZoneId zone, BiFunction<String, String, String> permalink) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.time = DateTimeFormatter.ofPattern("MMM d HH:mm:ss z", Locale.ROOT).withZone(zone);
        this.permalink = Objects.requireNonNull(permalink, "permalink");
    }

    @Override
    public Optional<Report.Section> explain(String app, String marathonId) {
        String subject = marathonId != null && marathonId.startsWith("/") ? marathonId.substring(1) : marathonId;
        List<Incident> open = store.open().stream()
                .filter(i -> i.kind().aboutApp() && (i.subject().equals(subject) || i.subject().equals(app)))
                .sorted(Comparator.comparing(Incident::openedAt)).toList();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>();
        for (Incident i : open) {
            lines.add("🔴 " + i.kind().label() + ": " + i.kind().count(i.count()) + ", open since "
                    + time.format(i.openedAt()) + " (" + AlertText.span(i.duration(clock.instant())) + ")"
                    + (i.openedAt().isAfter(i.firstSeen()) ? ", reopened (first seen " + time.format(i.firstSeen()) + ")" : "")
                    + (i.reconciled() ? ", found by reconciliation" : ""));
            lines.add("   last: " + i.lastReason() + (i.lastAgent() == null ? "" : " (on " + String.join(", ", i.agents()) + ")")
                    + ", " + time.format(i.lastSeen()));
            if (i.messageTs() != null && i.channel() != null) {
                lines.add("   alert: " + permalink.apply(i.channel(), i.messageTs()));
            }
        }
        return Optional.of(new Report.Section(open.size() == 1 ? "Open incident" : "Open incidents", lines));
    }
}
