package io.opsbot.bot.console;

import io.opsbot.alerts.AlertSink;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentChange;
import io.opsbot.bot.render.AlertText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Alerts as console lines, printed between prompts through one print method (today {@link ConsoleChat#printAbove}).
 * Opening, reopening, resolving and mutes always print; updates at most once per {@code every} per incident, so a
 * burst of fifty failures is a few lines that each say the running count.
 */
public final class ConsoleAlerts implements AlertSink {

    /** A burst is summarised: one update line per incident at most this often. */
    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(5);

    private final Consumer<String> print;
    private final Clock clock;
    private final Duration every;
    private final AlertText text = new AlertText();
    private final Map<Long, Instant> lastPrinted = new ConcurrentHashMap<>();

    public ConsoleAlerts(Consumer<String> print, Clock clock, Duration every) {
        this.print = print;
        this.clock = clock;
        this.every = every;
    }

    public ConsoleAlerts(Consumer<String> print) {
        this(print, Clock.systemUTC(), DEFAULT_EVERY);
    }

    @Override
    public void show(IncidentChange change) {
        Incident i = change.incident();
        Instant now = clock.instant();
        String line = switch (change.type()) {
            case OPENED, REOPENED, RESOLVED -> text.line(i, now);
            case UPDATED -> {
                Instant last = lastPrinted.get(i.id());
                yield last != null && last.plus(every).isAfter(now) ? null : text.line(i, now);
            }
            case MUTED -> "🔕 " + i.subject() + ": " + change.note();
            case UNMUTED -> "🔔 " + i.subject() + ": " + change.note() + " — " + text.line(i, now);
        };
        if (line == null) {
            return;
        }
        lastPrinted.put(i.id(), now);
        if (!i.open()) {
            lastPrinted.remove(i.id());
        }
        print.accept("[alert] " + line);
    }
}
