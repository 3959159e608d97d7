package io.opsbot.sim.mesos;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.List;

/** The Mesos master's HTTP endpoints, built from the same tasks Marathon reports. */
public final class MesosApi {
  private final ClusterModel model;
  private final String self;

  /** @param self host:port this master answers on, reported as leader. */
  public MesosApi(ClusterModel model, String self) {
    this.model = model;
    this.self = self;
  }

  public void register(Router router) {
    router.on("GET", "/master/state(?:\\.json)?/?", r -> Response.json(200, model.read(this::state)))
        .on("GET", "/state(?:\\.json)?/?", r -> Response.json(200, model.read(this::state)))
        .on("GET", "/master/health/?", r -> Response.empty(200))
        .on("GET", "/health/?", r -> Response.empty(200))
        .on("GET", "/metrics/snapshot/?", r -> Response.json(200, model.read(this::metrics)))
        .on("GET", "/master/redirect/?", r -> Response.empty(307).with("Location", "//" + self));
  }

  private ObjectNode state(ClusterState s) {
    Topology t = model.topology();
    String masterHost = t.nodeWith("mesos-master").name();
    ObjectNode o = Json.object().put("version", "1.4.3").put("git_tag", "1.4.3")
        .put("id", s.frameworkId.replace("-0000", "-master")).put("pid", "master@" + self)
        .put("hostname", masterHost).put("leader", "master@" + self).put("activated_slaves", activeAgents(s))
        .put("deactivated_slaves", t.agents().size() - activeAgents(s))
        .put("start_time", s.simTimeMillis / 1000.0).put("elected_time", s.simTimeMillis / 1000.0)
        .put("cluster", "opsbot-sim");
    o.putObject("leader_info").put("hostname", masterHost).put("port", Integer.parseInt(self.replaceFirst(".*:", "")))
        .put("ip", ipToInt());
    ArrayNode slaves = o.putArray("slaves");
    for (Topology.Node n : t.agents()) {
      List<TaskState> here = s.tasks.stream().filter(x -> x.host.equals(n.name())).toList();
      ObjectNode a = slaves.addObject().put("id", s.slaveIds.get(n.name())).put("hostname", n.name())
          .put("pid", "slave(1)@" + n.address() + ":5051").put("active", !s.downAgents.contains(n.name()))
          .put("registered_time", s.simTimeMillis / 1000.0).put("version", "1.4.3");
      resources(a.putObject("resources"), n.resources().cpus(), n.resources().mem(), n.resources().disk(), "[31000-32000]");
      resources(a.putObject("used_resources"), here.stream().mapToDouble(x -> x.cpus).sum(),
          here.stream().mapToDouble(x -> x.mem).sum(), here.stream().mapToDouble(x -> x.disk).sum(), ranges(here));
      resources(a.putObject("offered_resources"), 0, 0, 0, null);
      a.putObject("attributes");
    }
    ArrayNode frameworks = o.putArray("frameworks");
    ObjectNode fw = frameworks.addObject().put("id", s.frameworkId).put("name", "marathon").put("active", true)
        .put("hostname", t.nodeWith("marathon").name()).put("user", "root").put("role", "*")
        .put("webui_url", "http://" + t.nodeWith("marathon").name() + ":8080");
    ArrayNode tasks = fw.putArray("tasks");
    s.tasks.forEach(x -> tasks.add(task(s, x)));
    ArrayNode completed = fw.putArray("completed_tasks");
    s.completedTasks.forEach(x -> completed.add(task(s, x)));
    resources(fw.putObject("used_resources"), s.tasks.stream().mapToDouble(x -> x.cpus).sum(),
        s.tasks.stream().mapToDouble(x -> x.mem).sum(), s.tasks.stream().mapToDouble(x -> x.disk).sum(), null);
    o.putArray("completed_frameworks");
    o.putArray("orphan_tasks");
    o.putArray("unregistered_frameworks");
    return o;
  }

  private long ipToInt() {
    return 0x0100007FL; // 127.0.0.1 in Mesos' little-endian packing
  }

  private long activeAgents(ClusterState s) {
    return model.topology().agents().stream().filter(n -> !s.downAgents.contains(n.name())).count();
  }

  private static ObjectNode task(ClusterState s, TaskState t) {
    ObjectNode o = Json.object().put("id", t.id).put("name", t.appId.substring(1).replace('/', '.'))
        .put("framework_id", s.frameworkId).put("executor_id", "").put("slave_id", t.slaveId).put("state", t.state);
    resources(o.putObject("resources"), t.cpus, t.mem, t.disk, ranges(List.of(t)));
    ArrayNode statuses = o.putArray("statuses");
    statuses.addObject().put("state", "TASK_STAGING").put("timestamp", t.stagedAt / 1000.0);
    if (t.startedAt != null) {
      statuses.addObject().put("state", "TASK_RUNNING").put("timestamp", t.startedAt / 1000.0);
    }
    if (t.endedAt != null) {
      statuses.addObject().put("state", t.state).put("timestamp", t.endedAt / 1000.0);
    }
    ObjectNode discovery = o.putObject("discovery").put("visibility", "FRAMEWORK").put("name", t.appId.substring(1));
    ArrayNode ports = discovery.putObject("ports").putArray("ports");
    t.ports.forEach(p -> ports.addObject().put("number", p).put("protocol", "tcp"));
    ObjectNode container = o.putObject("container").put("type", "DOCKER");
    container.putObject("docker").put("image", t.image == null ? "" : t.image).put("network", "BRIDGE");
    return o;
  }

  private static String ranges(List<TaskState> tasks) {
    StringBuilder sb = new StringBuilder("[");
    for (TaskState t : tasks) {
      for (int p : t.ports) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append(p).append('-').append(p);
      }
    }
    return sb.append(']').toString();
  }

  private static void resources(ObjectNode o, double cpus, double mem, double disk, String ports) {
    o.put("cpus", cpus).put("mem", mem).put("disk", disk).put("gpus", 0.0);
    if (ports != null && !ports.equals("[]")) {
      o.put("ports", ports);
    }
  }

  private ObjectNode metrics(ClusterState s) {
    ObjectNode m = Json.object();
    int agents = model.topology().agents().size();
    long active = activeAgents(s);
    double cpusTotal = model.topology().agents().stream().mapToDouble(n -> n.resources().cpus()).sum();
    double memTotal = model.topology().agents().stream().mapToDouble(n -> n.resources().mem()).sum();
    double diskTotal = model.topology().agents().stream().mapToDouble(n -> n.resources().disk()).sum();
    double cpusUsed = s.tasks.stream().mapToDouble(t -> t.cpus).sum();
    double memUsed = s.tasks.stream().mapToDouble(t -> t.mem).sum();
    double diskUsed = s.tasks.stream().mapToDouble(t -> t.disk).sum();
    m.put("master/elected", 1.0).put("master/uptime_secs", 3600.0)
        .put("master/slaves_active", (double) active).put("master/slaves_inactive", (double) (agents - active))
        .put("master/slaves_connected", (double) active).put("master/slaves_disconnected", (double) (agents - active))
        .put("master/frameworks_active", 1.0)
        .put("master/tasks_running", (double) s.tasks.stream().filter(t -> t.state.equals("TASK_RUNNING")).count())
        .put("master/tasks_staging", (double) s.tasks.stream().filter(t -> t.state.equals("TASK_STAGING")).count())
        .put("master/tasks_failed", (double) s.completedTasks.stream().filter(t -> t.state.equals("TASK_FAILED")).count())
        .put("master/tasks_killed", (double) s.completedTasks.stream().filter(t -> t.state.equals("TASK_KILLED")).count())
        .put("master/tasks_lost", (double) s.completedTasks.stream().filter(t -> t.state.equals("TASK_LOST")).count())
        .put("master/cpus_total", cpusTotal).put("master/cpus_used", cpusUsed)
        .put("master/cpus_percent", cpusTotal == 0 ? 0 : cpusUsed / cpusTotal)
        .put("master/mem_total", memTotal).put("master/mem_used", memUsed)
        .put("master/mem_percent", memTotal == 0 ? 0 : memUsed / memTotal)
        .put("master/disk_total", diskTotal).put("master/disk_used", diskUsed)
        .put("master/disk_percent", diskTotal == 0 ? 0 : diskUsed / diskTotal);
    return m;
  }
}
