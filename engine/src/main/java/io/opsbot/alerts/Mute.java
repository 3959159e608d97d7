package io.opsbot.alerts;

import java.time.Instant;
import java.util.Objects;

/** Alerts of an app or a node are not shown until {@code until}; incidents are still recorded. */
public record Mute(String target, Instant until, String by, Instant at) {
    public Mute {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(at, "at");
    }

    public boolean activeAt(Instant now) {
        return until.isAfter(now);
    }
}
