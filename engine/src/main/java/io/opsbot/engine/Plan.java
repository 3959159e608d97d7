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

    /** One line per step, as the journal keeps it: "2. [change] set instances of /nodeapp to 3: 2 → 3". */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (PlannedStep step : steps) {
            text.append(step.index() + 1).append(step.check().isInSync() ? ". [ok] " : ". [change] ")
                    .append(step.description()).append(": ").append(step.check().text()).append('\n');
        }
        return text.toString();
    }
}
