package io.opsbot.alerts;

import java.time.Instant;
import java.util.Objects;

/**
 * One thing the watcher saw: a task failure, a failed health check, an agent gone. Signals of one (kind, subject)
 * belong to one incident while it is open.
 *
 * @param subject    the app (without Marathon's leading slash), the agent's node name, or what opsbot cannot see
 * @param reason     what happened, as Mesos or Marathon said it, e.g. {@code TASK_FAILED on node3 "Container exited…"}
 * @param agent      the node it happened on, or null
 * @param count      how many occurrences it adds (0: only a newer reason, e.g. the kill after the failed checks)
 * @param reconciled found by re-reading the cluster's state after a gap, not from an event
 */
public record Signal(IncidentKind kind, String subject, String reason, String agent, Instant at, int count,
                     boolean reconciled) {

    public Signal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(at, "at");
        reason = reason == null ? "" : reason;
        if (count < 0) {
            throw new IllegalArgumentException("count < 0");
        }
    }

    public static Signal of(IncidentKind kind, String subject, String reason, String agent, Instant at) {
        return new Signal(kind, subject, reason, agent, at, 1, false);
    }

    public Signal reconciledSignal() {
        return new Signal(kind, subject, reason, agent, at, count, true);
    }

    public IncidentKey key() {
        return new IncidentKey(kind, subject);
    }
}
