package io.opsbot.engine;

import java.time.Duration;

/**
 * A step of an operation that needed confirmation but whose plan changed nothing: it checks as the step does,
 * and refuses to apply, since nobody confirmed a change (see {@link Operation#checkOnly()}).
 */
final class CheckOnlyStep implements Step {

    private final Step step;

    CheckOnlyStep(Step step) {
        this.step = step;
    }

    @Override
    public String description() {
        return step.description();
    }

    @Override
    public Check check() throws Exception {
        return step.check();
    }

    @Override
    public void apply(StepContext context) {
        throw new OpsException("'" + description() + "' was in place when planned and has changed since;"
                + " nothing was changed without a confirmation: run the command again to see the change and confirm it");
    }

    @Override
    public Duration timeout() {
        return step.timeout();
    }
}
