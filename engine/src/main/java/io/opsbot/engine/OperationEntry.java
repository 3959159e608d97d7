package io.opsbot.engine;

import java.time.Instant;
import java.util.List;

/**
 * One operation as the journal has it.
 *
 * @param state   RUNNING while in flight, then one of {@link Outcome.State}'s names
 * @param plan    the plan as text when it started
 * @param summary the recap or failure message when finished; null while running
 */
public record OperationEntry(String id, String kind, String title, Origin origin, List<String> resources,
                             String plan, String state, Instant startedAt, Instant finishedAt, String summary) {

    public static final String RUNNING = "RUNNING";

    public OperationEntry {
        resources = List.copyOf(resources);
    }
}
