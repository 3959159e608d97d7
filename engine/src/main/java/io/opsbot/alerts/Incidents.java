package io.opsbot.alerts;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals become incidents: the first signal of a key opens one (or reopens the last one, when it resolved within
 * the reopen window), later ones update it, the watcher resolves it from the cluster's state. Every change is
 * written to the journal first, then shown to the sink — unless its app or node is muted, in which case the latest
 * state is held back and shown when the mute ends.
 *
 * <p>Not thread-safe: the alert service calls it on its one alert thread.
 */
public final class Incidents {

    private static final Logger log = LoggerFactory.getLogger(Incidents.class);
    /** What stands for the journal when it cannot be written: an incident that lives only in the chat. */
    static final long JOURNAL_INCIDENT_ID = -1;

    private final IncidentStore store;
    private final AlertSettings settings;
    private final AlertSink sink;
    private final Clock clock;
    private final Map<IncidentKey, Incident> open = new HashMap<>();
    /** Incidents whose latest change a mute held back, by id. */
    private final Map<Long, Incident> held = new LinkedHashMap<>();
    private Map<String, Mute> mutes = Map.of();
    private boolean journalDown;

    public Incidents(IncidentStore store, AlertSettings settings, AlertSink sink, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.sink = sink;
        this.clock = clock;
    }

    /** Takes over the open incidents (and mutes) from the journal: at start, and when this replica becomes leader. */
    public void load() {
        open.clear();
        held.clear();
        for (Incident i : store.open()) {
            open.put(i.key(), i);
        }
        Map<String, Mute> now = new HashMap<>();
        store.mutes(clock.instant()).forEach(m -> now.put(m.target(), m));
        mutes = now;
        log.info("event=incidents_loaded open={} mutes={}", open.size(), mutes.size());
    }

    public Optional<Incident> openIncident(IncidentKey key) {
        return Optional.ofNullable(open.get(key));
    }

    public Collection<Incident> openIncidents() {
        return List.copyOf(open.values());
    }

    /** One more signal: opens, reopens or updates its incident. */
    public void signal(Signal s) {
        if (!settings.enabled(s.kind())) {
            return;
        }
        try {
            Incident current = open.get(s.key());
            IncidentChange.Type type;
            Incident next;
            if (current != null) {
                next = current.plus(s);
                store.update(next);
                type = IncidentChange.Type.UPDATED;
            } else {
                Optional<Incident> last = store.latest(s.key());
                Instant window = s.at().minus(settings.reopenWindow());
                if (last.isPresent() && !last.get().open() && last.get().resolvedAt() != null
                        && last.get().resolvedAt().isAfter(window)) {
                    next = last.get().reopened(s);
                    store.update(next);
                    type = IncidentChange.Type.REOPENED;
                } else {
                    next = store.insert(Incident.first(s));
                    type = IncidentChange.Type.OPENED;
                }
                log.info("event=incident_{} id={} kind={} subject={} reconciled={} reason=\"{}\"",
                        type == IncidentChange.Type.OPENED ? "opened" : "reopened", next.id(), next.kind(),
                        next.subject(), s.reconciled(), s.reason());
            }
            open.put(next.key(), next);
            journalBack();
            show(next, type, null);
        } catch (RuntimeException e) {
            journalFailed(e);
        }
    }

    /** Over, as the cluster's state says; nothing happens when no incident of the key is open. */
    public void resolve(IncidentKey key, String why) {
        Incident current = open.get(key);
        if (current == null) {
            return;
        }
        Incident done = current.resolved(clock.instant(), why);
        try {
            store.update(done);
            journalBack();
        } catch (RuntimeException e) {
            journalFailed(e);
            return;
        }
        open.remove(key);
        log.info("event=incident_resolved id={} kind={} subject={} count={} why=\"{}\"", done.id(), done.kind(),
                done.subject(), done.count(), why);
        show(done, IncidentChange.Type.RESOLVED, null);
    }

    /**
     * Reads the mutes again (another replica may have set one): a new mute is said in the thread of each open
     * incident it silences; one that ended (expired or lifted) is said too, and what it held back is shown.
     */
    public void refreshMutes() {
        Instant now = clock.instant();
        Map<String, Mute> current = new HashMap<>();
        try {
            store.mutes(now).forEach(m -> current.put(m.target(), m));
        } catch (RuntimeException e) {
            journalFailed(e);
            return;
        }
        Map<String, Mute> before = mutes;
        mutes = current;
        for (Mute m : current.values()) {
            Mute old = before.get(m.target());
            if (old == null || !old.until().equals(m.until())) {
                String note = "muted until " + m.until() + " by " + m.by();
                for (Incident i : open.values()) {
                    if (i.subject().equals(m.target())) {
                        sink.show(new IncidentChange(i, IncidentChange.Type.MUTED, note, now));
                    }
                }
            }
        }
        for (Mute m : before.values()) {
            if (!current.containsKey(m.target())) {
                String note = m.activeAt(now) ? "mute lifted" : "mute expired (it was set until " + m.until() + " by " + m.by() + ")";
                List<Incident> release = new ArrayList<>();
                held.values().removeIf(i -> {
                    if (i.subject().equals(m.target())) {
                        release.add(i);
                        return true;
                    }
                    return false;
                });
                for (Incident i : open.values()) {
                    if (i.subject().equals(m.target()) && release.stream().noneMatch(r -> r.id() == i.id())) {
                        release.add(i);
                    }
                }
                for (Incident i : release) {
                    sink.show(new IncidentChange(i, IncidentChange.Type.UNMUTED, note, now));
                }
            }
        }
    }

    /** The mute in force for an incident's subject, if any. */
    public Optional<Mute> muteOf(String subject) {
        Mute m = mutes.get(subject);
        return m != null && m.activeAt(clock.instant()) ? Optional.of(m) : Optional.empty();
    }

    private void show(Incident incident, IncidentChange.Type type, String note) {
        if (muteOf(incident.subject()).isPresent()) {
            held.put(incident.id(), incident);
            return;
        }
        sink.show(new IncidentChange(incident, type, note, clock.instant()));
    }

    /** Alerts must not stop because the journal did: the sink is told once, and again when it is back. */
    private void journalFailed(RuntimeException e) {
        log.warn("event=alert_journal_failed error=\"{}\"", e.getMessage());
        if (!journalDown) {
            journalDown = true;
            Instant now = clock.instant();
            Incident blind = new Incident(JOURNAL_INCIDENT_ID, IncidentKind.BLIND_SPOT, "journal", Incident.State.OPEN, 1,
                    now, now, "the journal is unreachable: incidents cannot be recorded (" + e.getMessage() + ")",
                    List.of(), false, now, null, null, null, null);
            sink.show(new IncidentChange(blind, IncidentChange.Type.OPENED, null, now));
        }
    }

    private void journalBack() {
        if (journalDown) {
            journalDown = false;
            Instant now = clock.instant();
            Incident blind = new Incident(JOURNAL_INCIDENT_ID, IncidentKind.BLIND_SPOT, "journal",
                    Incident.State.RESOLVED, 1, now, now, "the journal is reachable again", List.of(), false, now, now,
                    "the journal is reachable again", null, null);
            sink.show(new IncidentChange(blind, IncidentChange.Type.RESOLVED, null, now));
        }
    }
}
