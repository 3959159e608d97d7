package io.opsbot.engine.ops;

import io.opsbot.engine.OperationEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Marathon versions of an app that no opsbot operation made: changes through the Marathon UI, its API or another
 * tool. A version counts as opsbot's when an operation on the app ran when Marathon stored it.
 */
final class OutsideChanges {

    /** Marathon stamps a version when it accepts the PUT, a moment after the operation's step started. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    /** Versions looked at, newest first: one request lists them all, and a busy app has many. */
    static final int VERSIONS_LOOKED_AT = 50;

    private OutsideChanges() {
    }

    /** The versions newer than {@code since} that no operation in {@code operations} (on this app) covers, newest first. */
    static List<Instant> of(List<String> versions, Instant since, List<OperationEntry> operations, Instant now) {
        List<Instant> outside = new ArrayList<>();
        for (String v : versions.subList(0, Math.min(VERSIONS_LOOKED_AT, versions.size()))) {
            Instant at;
            try {
                at = Instant.parse(v);
            } catch (DateTimeParseException e) {
                continue;
            }
            if (at.isBefore(since)) {
                continue;
            }
            boolean ours = operations.stream().filter(e -> !"command".equals(e.kind())).anyMatch(e ->
                    !at.isBefore(e.startedAt().minus(MARGIN))
                            && !at.isAfter((e.finishedAt() == null ? now : e.finishedAt()).plus(MARGIN)));
            if (!ours) {
                outside.add(at);
            }
        }
        outside.sort(java.util.Comparator.reverseOrder());
        return outside;
    }
}
