package io.opsbot.engine;

import java.time.Duration;
import java.util.List;

/** How an operation ended, with a report per step and the recap counts. */
public record Outcome(String operationId, String title, State state, List<StepReport> steps, String message, Duration elapsed) {

    public enum State { SUCCEEDED, FAILED, CANCELLED, REFUSED }

    public Outcome {
        steps = List.copyOf(steps);
    }

    public long count(StepResult result) {
        return steps.stream().filter(s -> s.result() == result).count();
    }

    public boolean changedSomething() {
        return count(StepResult.CHANGED) > 0;
    }

    /** "ok=1 changed=1 failed=0 skipped=0" */
    public String recap() {
        return "ok=" + count(StepResult.OK) + " changed=" + count(StepResult.CHANGED)
                + " failed=" + count(StepResult.FAILED) + " skipped=" + count(StepResult.SKIPPED);
    }
}
