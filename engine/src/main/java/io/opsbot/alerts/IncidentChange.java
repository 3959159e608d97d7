package io.opsbot.alerts;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link AlertSink} is told: an incident's latest state and what just happened to it.
 *
 * @param note for MUTED and UNMUTED: who and until when; else null
 */
public record IncidentChange(Incident incident, Type type, String note, Instant at) {

    public enum Type {
        /** First signal: post the message, and the details in its thread. */
        OPENED,
        /** More signals: edit the message. */
        UPDATED,
        /** Failing again within the reopen window: the same message opens again. */
        REOPENED,
        /** Over, decided from the cluster's state: edit the message, say it in the thread. */
        RESOLVED,
        /** Nothing more is shown until the mute ends; said in the thread. */
        MUTED,
        /** The mute ended (expired or lifted): said in the thread, then the latest state is shown. */
        UNMUTED
    }

    public IncidentChange {
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
    }
}
