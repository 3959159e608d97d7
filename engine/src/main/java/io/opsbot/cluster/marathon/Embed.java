package io.opsbot.cluster.marathon;

/** What Marathon may embed into an app answer (the {@code embed} query parameter). */
public enum Embed {
    TASKS("app.tasks"),
    COUNTS("app.counts"),
    DEPLOYMENTS("app.deployments"),
    LAST_TASK_FAILURE("app.lastTaskFailure");

    private final String value;

    Embed(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
