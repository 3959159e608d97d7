package io.opsbot.alerts;

/**
 * Where incidents are shown: a chat adapter renders them (Slack edits one message per incident, the console prints
 * a line). Called on the alert thread, one change at a time: an implementation hands slow work to its own threads.
 */
@FunctionalInterface
public interface AlertSink {

    void show(IncidentChange change);

    /** Several sinks, each told every change. */
    static AlertSink all(java.util.List<AlertSink> sinks) {
        java.util.List<AlertSink> copy = java.util.List.copyOf(sinks);
        return change -> copy.forEach(s -> s.show(change));
    }
}
