package io.opsbot.engine;

import java.util.List;

/** An operation's steps with what each one's check found; computing it changes nothing. */
public record Plan(Operation operation, List<PlannedStep> steps) {

    public Plan {
        steps = List.copyOf(steps);
    }

    public record PlannedStep(int index, String description, Check check) {}

    public boolean changesNothing() {
        return steps.stream().allMatch(s -> s.check().isInSync());
    }
}
