package io.opsbot.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One incident as the journal keeps it: its key, counts and times, the last reason, the agents involved, and the
 * chat message that shows it (channel and Slack ts), so a restart or another replica edits that same message.
 *
 * @param id         the journal's id
 * @param count      occurrences since it first opened (reopening keeps counting)
 * @param openedAt   when it last opened (first open, or a reopen)
 * @param reconciled at least one of its signals was found by reconciliation after a gap
 * @param resolution how it ended, when it did
 */
public record Incident(long id, IncidentKind kind, String subject, State state, int count, Instant firstSeen,
                       Instant lastSeen, String lastReason, List<String> agents, boolean reconciled, Instant openedAt,
                       Instant resolvedAt, String resolution, String channel, String messageTs) {

    /** The agents an incident remembers: enough to say where it happens, not a log. */
    static final int MAX_AGENTS = 10;

    public enum State { OPEN, RESOLVED }

    public Incident {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(state, "state");
        agents = agents == null ? List.of() : List.copyOf(agents);
    }

    /** A new incident from its first signal; the journal gives it an id. */
    static Incident first(Signal s) {
        return new Incident(0, s.kind(), s.subject(), State.OPEN, Math.max(1, s.count()), s.at(), s.at(), s.reason(),
                s.agent() == null ? List.of() : List.of(s.agent()), s.reconciled(), s.at(), null, null, null, null);
    }

    public IncidentKey key() {
        return new IncidentKey(kind, subject);
    }

    public boolean open() {
        return state == State.OPEN;
    }

    /** The last agent it happened on, or null. */
    public String lastAgent() {
        return agents.isEmpty() ? null : agents.get(agents.size() - 1);
    }

    /** How long it lasted (so far, when open). */
    public Duration duration(Instant now) {
        return Duration.between(openedAt, resolvedAt == null ? now : resolvedAt);
    }

    /** The same incident with the id the journal gave it. */
    public Incident withIdFrom(long newId) {
        return new Incident(newId, kind, subject, state, count, firstSeen, lastSeen, lastReason, agents, reconciled,
                openedAt, resolvedAt, resolution, channel, messageTs);
    }

    /** One more signal of the same key. */
    Incident plus(Signal s) {
        List<String> where = new ArrayList<>(agents);
        if (s.agent() != null) {
            where.remove(s.agent());
            where.add(s.agent());
            while (where.size() > MAX_AGENTS) {
                where.remove(0);
            }
        }
        Instant last = s.at().isAfter(lastSeen) ? s.at() : lastSeen;
        return new Incident(id, kind, subject, State.OPEN, count + s.count(), firstSeen, last,
                s.reason().isEmpty() ? lastReason : s.reason(), where, reconciled || s.reconciled(), openedAt, null,
                null, channel, messageTs);
    }

    /** Failing again within the reopen window: the same incident (and message) opens again. */
    Incident reopened(Signal s) {
        Incident open = new Incident(id, kind, subject, State.OPEN, count, firstSeen, lastSeen, lastReason, agents,
                reconciled, s.at(), null, null, channel, messageTs);
        return open.plus(s);
    }

    Incident resolved(Instant at, String why) {
        return new Incident(id, kind, subject, State.RESOLVED, count, firstSeen, lastSeen, lastReason, agents,
                reconciled, openedAt, at, why, channel, messageTs);
    }

    public Incident withMessage(String newChannel, String ts) {
        return new Incident(id, kind, subject, state, count, firstSeen, lastSeen, lastReason, agents, reconciled,
                openedAt, resolvedAt, resolution, newChannel, ts);
    }
}
