package io.opsbot.bot.report;

import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentKey;
import io.opsbot.alerts.IncidentStore;
import io.opsbot.alerts.Mute;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Incidents in a list, queried as the journal's store answers: open ones, and those seen or resolved since. */
final class ListIncidentStore implements IncidentStore {

    final List<Incident> incidents = new ArrayList<>();

    @Override
    public Incident insert(Incident incident) {
        Incident stored = incident.withIdFrom(incidents.size() + 1);
        incidents.add(stored);
        return stored;
    }

    @Override
    public void update(Incident incident) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void attachMessage(long incidentId, String channel, String ts) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Incident> find(long id) {
        return incidents.stream().filter(i -> i.id() == id).findFirst();
    }

    @Override
    public List<Incident> open() {
        return incidents.stream().filter(Incident::open).toList();
    }

    @Override
    public Optional<Incident> latest(IncidentKey key) {
        return incidents.stream().filter(i -> i.key().equals(key)).max(Comparator.comparing(Incident::id));
    }

    @Override
    public List<Incident> since(Instant since, String subject, int limit) {
        return incidents.stream()
                .filter(i -> i.open() || !i.lastSeen().isBefore(since) || (i.resolvedAt() != null && !i.resolvedAt().isBefore(since)))
                .filter(i -> subject == null || i.subject().equals(subject))
                .sorted(Comparator.comparing(Incident::lastSeen).reversed()).limit(limit).toList();
    }

    @Override
    public void mute(Mute mute) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean unmute(String target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Mute> mutes(Instant now) {
        return List.of();
    }
}
