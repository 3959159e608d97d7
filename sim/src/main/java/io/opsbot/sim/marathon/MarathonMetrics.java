package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterState;

/**
 * {@code GET /metrics} in the Dropwizard JSON shape Marathon 1.x serves (version, gauges, counters, histograms,
 * meters, timers), with the few figures the sim knows; names follow Marathon 1.7's metric names.
 */
final class MarathonMetrics {
  private MarathonMetrics() {}

  static ObjectNode snapshot(ClusterState s) {
    ObjectNode o = Json.object().put("version", "4.0.0");
    ObjectNode gauges = o.putObject("gauges");
    gauge(gauges, "marathon.apps.active.gauge", s.apps.size());
    gauge(gauges, "marathon.deployments.active.gauge", s.deployments.stream().map(d -> d.id).distinct().count());
    gauge(gauges, "marathon.instances.running.gauge", s.tasks.stream().filter(t -> t.state.equals("TASK_RUNNING")).count());
    gauge(gauges, "marathon.instances.staged.gauge", s.tasks.stream().filter(t -> t.state.equals("TASK_STAGING")).count());
    gauge(gauges, "marathon.instances.launch-overdue.gauge", s.apps.values().stream().mapToInt(a -> Math.max(0, a.queued)).sum());
    gauge(gauges, "marathon.leadership.duration.gauge.seconds", 3600);
    o.putObject("counters").putObject("marathon.tasks.launched.counter")
        .put("count", s.tasks.size() + s.completedTasks.size());
    o.putObject("histograms");
    o.putObject("meters");
    o.putObject("timers");
    return o;
  }

  private static void gauge(ObjectNode gauges, String name, long value) {
    gauges.putObject(name).put("value", value);
  }
}
