package io.opsbot.engine;

import java.util.List;

/**
 * A named plan of steps over named resources.
 *
 * @param kind              the verb, e.g. "scale"
 * @param title             the command as a person reads it, e.g. "scale nodeapp 3"
 * @param resources         what the operation locks, e.g. "app:/nodeapp", "dataset:mongo"
 * @param steps             in order
 * @param needsConfirmation destructive operations (move, scale to 0, rollback) ask before they run
 */
public record Operation(String kind, String title, List<String> resources, List<Step> steps, boolean needsConfirmation) {

    public Operation {
        resources = List.copyOf(resources);
        steps = List.copyOf(steps);
    }

    public Operation(String kind, String title, List<String> resources, List<Step> steps) {
        this(kind, title, resources, steps, false);
    }

    /**
     * This operation as a check that changes nothing, for a plan that found nothing to change: it needs no
     * confirmation, and a step that has drifted since the plan fails instead of changing anything unconfirmed.
     */
    public Operation checkOnly() {
        return new Operation(kind, title, resources, steps.stream().<Step>map(CheckOnlyStep::new).toList(), false);
    }
}
