package io.opsbot.alerts;

import java.util.Objects;

/** What makes two signals the same incident: the kind and the app or agent. */
public record IncidentKey(IncidentKind kind, String subject) {
    public IncidentKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
    }
}
