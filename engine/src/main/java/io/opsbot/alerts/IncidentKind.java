package io.opsbot.alerts;

import java.util.Locale;

/** What went wrong. Each kind has a configuration name (routing turns kinds on and off by it) and a noun for a count. */
public enum IncidentKind {
    DEPLOYMENT_FAILED("deployments", "deployment failure", "deployment failures", true),
    DEPLOYMENT_STUCK("deployments", "stuck deployment", "stuck deployments", true),
    TASK_FAILURES("tasks", "task failure", "task failures", true),
    UNHEALTHY("health", "failed health check", "failed health checks", true),
    UNDER_REPLICATED("replicas", "under-replication", "under-replications", true),
    AGENT_LOST("agents", "agent loss", "agent losses", false),
    BLIND_SPOT("opsbot", "blind spot", "blind spots", false);

    private final String configName;
    private final String one;
    private final String many;
    private final boolean aboutApp;

    IncidentKind(String configName, String one, String many, boolean aboutApp) {
        this.configName = configName;
        this.one = one;
        this.many = many;
        this.aboutApp = aboutApp;
    }

    /** The name under alerts.kinds in the configuration: deployments, tasks, health, replicas, agents, opsbot. */
    public String configName() {
        return configName;
    }

    /** "14 task failures", "1 failed health check". */
    public String count(int n) {
        return n + " " + (n == 1 ? one : many);
    }

    /** Its subject is an app (else an agent, or opsbot itself). */
    public boolean aboutApp() {
        return aboutApp;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
