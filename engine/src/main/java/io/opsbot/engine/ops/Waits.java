package io.opsbot.engine.ops;

import io.opsbot.engine.StepContext;
import java.time.Duration;

/** Shared bounds of the steps' wait loops. */
final class Waits {

    /**
     * A wait loop gives up this much before the step's deadline, so that its own message, which says what it was
     * still waiting for, reaches the user instead of the engine's generic "timed out".
     */
    static final Duration MARGIN = Duration.ofMillis(750);

    private Waits() {
    }

    static boolean nearlyOver(StepContext context) {
        return !context.clock().instant().isBefore(context.deadline().minus(MARGIN));
    }
}
