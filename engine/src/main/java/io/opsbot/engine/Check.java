package io.opsbot.engine;

/** What a step's check found: the desired state is already there, or it is not (with a diff a human reads). */
public sealed interface Check {

    /** @param summary what is already true, e.g. "nodeapp is already at 3 instances" */
    record InSync(String summary) implements Check {}

    /** @param diff what would change, e.g. "instances of /nodeapp: 2 → 3" */
    record Drift(String diff) implements Check {}

    static Check inSync(String summary) {
        return new InSync(summary);
    }

    static Check drift(String diff) {
        return new Drift(diff);
    }

    default boolean isInSync() {
        return this instanceof InSync;
    }

    /** The text a user sees for this check. */
    default String text() {
        return this instanceof InSync s ? s.summary() : ((Drift) this).diff();
    }
}
