package io.opsbot.engine;

import java.time.Instant;
import java.util.List;

/**
 * One operation as the journal has it.
 *
 * @param state   RUNNING while in flight, then one of {@link Outcome.State}'s names
 * @param plan    the plan as text when it started
 * @param summary     the recap or failure message when finished; null while running
 * @param recoveredAt when a restarted engine resumed it after a crash; null if it never needed to
 */
public record OperationEntry(String id, String kind, String title, Origin origin, List<String> resources,
                             String plan, String state, Instant startedAt, Instant finishedAt, String summary,
                             Instant recoveredAt) {

    public static final String RUNNING = "RUNNING";

    public OperationEntry {
        resources = List.copyOf(resources);
    }

    /** An entry that was never recovered. */
    public OperationEntry(String id, String kind, String title, Origin origin, List<String> resources,
                          String plan, String state, Instant startedAt, Instant finishedAt, String summary) {
        this(id, kind, title, origin, resources, plan, state, startedAt, finishedAt, summary, null);
    }

    public boolean wasRecovered() {
        return recoveredAt != null;
    }
}
