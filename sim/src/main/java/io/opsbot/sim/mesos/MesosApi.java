package io.opsbot.sim.mesos;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.function.Function;

/**
 * The Mesos master's HTTP endpoints (1.x shapes), built from the same tasks Marathon reports. An agent that goes
 * away is first disconnected (listed, {@code active: false}); after {@link #UNREACHABLE_AFTER_MS} the master marks it
 * unreachable and it leaves the agent lists (counted in {@code unreachable_slaves}), as Mesos does.
 */
public final class MesosApi {
  /** Mesos' default agent_ping_timeout (15 s) times max_agent_ping_timeouts (5). */
  static final long UNREACHABLE_AFTER_MS = 75_000;
  static final String VERSION = "1.4.3";
  private static final List<String> TASK_STATES = List.of("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING",
      "TASK_KILLING", "TASK_FINISHED", "TASK_KILLED", "TASK_FAILED", "TASK_LOST", "TASK_ERROR", "TASK_UNREACHABLE");

  private final ClusterModel model;
  private final String self;
  /** When this master (and the agents with it) registered: an hour before the process started, like the seed. */
  private final double registeredAt;

  /** @param self host:port this master answers on, reported as leader. */
  public MesosApi(ClusterModel model, String self) {
    this.model = model;
    this.self = self;
    this.registeredAt = Math.floor((model.clock().millis() - 3_600_000L) / 1000.0);
  }

  public void register(Router router) {
    on(router, "state(?:\\.json)?", r -> json(this::state));
    on(router, "slaves", r -> json(this::slaves));
    on(router, "frameworks", r -> json(this::frameworks));
    on(router, "tasks(?:\\.json)?", r -> json(s -> tasks(s, r)));
    on(router, "state-summary", r -> json(this::summary));
    on(router, "health", r -> Response.empty(200));
    on(router, "redirect", r -> Response.empty(307).with("Location", "//" + self));
    router.on("GET", "/metrics/snapshot/?", r -> json(this::metrics));
  }

  /** Mesos serves each master endpoint both as /master/NAME and as /NAME. */
  private static void on(Router router, String name, Router.Handler handler) {
    router.on("GET", "/(?:master/)?" + name + "/?", handler);
  }

  private Response json(Function<ClusterState, ObjectNode> view) {
    return Response.json(200, model.read(view));
  }

  // ---------------------------------------------------------------- agents

  private enum Presence { ACTIVE, DISCONNECTED, UNREACHABLE }

  private Presence presence(ClusterState s, Topology.Node n) {
    if (!s.downAgents.contains(n.name())) {
      return Presence.ACTIVE;
    }
    long since = s.agentsDownSince.getOrDefault(n.name(), model.clock().millis());
    return model.clock().millis() - since >= UNREACHABLE_AFTER_MS ? Presence.UNREACHABLE : Presence.DISCONNECTED;
  }

  /** The agents still registered with the master: connected ones and those not yet timed out. */
  private List<Topology.Node> registered(ClusterState s) {
    return model.agentsOf(s).stream().filter(n -> presence(s, n) != Presence.UNREACHABLE).toList();
  }

  private long count(ClusterState s, Presence p) {
    return model.agentsOf(s).stream().filter(n -> presence(s, n) == p).count();
  }

  /**
   * While Marathon waits for offers for queued instances (not backed off), each connected agent's unused resources
   * are out with it as an offer; otherwise Marathon has declined them and nothing is offered.
   */
  private boolean offersOutstanding(ClusterState s) {
    long now = model.clock().millis();
    return s.apps.values().stream().anyMatch(a -> a.queued > 0 && now >= a.launchDelayUntil);
  }

  /** Every agent's tasks in one pass (filtering every task for each agent costs agents x tasks). */
  private static Map<String, List<TaskState>> tasksByHost(ClusterState s) {
    return s.tasks.stream().collect(Collectors.groupingBy(t -> t.host));
  }

  private ObjectNode agent(ClusterState s, Topology.Node n, boolean offering, Map<String, List<TaskState>> byHost) {
    List<TaskState> here = byHost.getOrDefault(n.name(), List.of());
    double cpus = here.stream().mapToDouble(x -> x.cpus).sum();
    double mem = here.stream().mapToDouble(x -> x.mem).sum();
    double disk = here.stream().mapToDouble(x -> x.disk).sum();
    boolean active = presence(s, n) == Presence.ACTIVE;
    ObjectNode a = Json.object().put("id", s.slaveIds.get(n.name())).put("hostname", n.name()).put("port", 5051)
        .put("pid", "slave(1)@" + n.address() + ":5051").put("active", active)
        .put("registered_time", registeredTime(s)).put("version", VERSION);
    resources(a.putObject("resources"), n.resources().cpus(), n.resources().mem(), n.resources().disk(), "[31000-32000]");
    resources(a.putObject("used_resources"), cpus, mem, disk, ranges(here));
    if (offering && active) {
      resources(a.putObject("offered_resources"), n.resources().cpus() - cpus, n.resources().mem() - mem,
          n.resources().disk() - disk, null);
    } else {
      resources(a.putObject("offered_resources"), 0, 0, 0, null);
    }
    a.putObject("reserved_resources");
    resources(a.putObject("unreserved_resources"), n.resources().cpus(), n.resources().mem(), n.resources().disk(),
        "[31000-32000]");
    a.putObject("attributes");
    a.putArray("capabilities").add("MULTI_ROLE").add("HIERARCHICAL_ROLE").add("RESERVATION_REFINEMENT");
    return a;
  }

  private double registeredTime(ClusterState s) {
    return registeredAt;
  }

  private ObjectNode slaves(ClusterState s) {
    ObjectNode o = Json.object();
    ArrayNode slaves = o.putArray("slaves");
    boolean offering = offersOutstanding(s);
    Map<String, List<TaskState>> byHost = tasksByHost(s);
    registered(s).forEach(n -> slaves.add(agent(s, n, offering, byHost)));
    o.putArray("recovered_slaves");
    return o;
  }

  // ---------------------------------------------------------------- state

  private ObjectNode state(ClusterState s) {
    Topology t = model.topology();
    String masterHost = t.nodeWith("mesos-master").name();
    ObjectNode o = Json.object().put("version", VERSION).put("git_tag", VERSION)
        .put("id", s.frameworkId.replace("-0000", "-master")).put("pid", "master@" + self)
        .put("hostname", masterHost).put("leader", "master@" + self)
        .put("activated_slaves", count(s, Presence.ACTIVE))
        .put("deactivated_slaves", count(s, Presence.DISCONNECTED))
        .put("unreachable_slaves", count(s, Presence.UNREACHABLE))
        .put("start_time", registeredTime(s)).put("elected_time", registeredTime(s))
        .put("cluster", "opsbot-sim");
    o.putObject("leader_info").put("id", s.frameworkId.replace("-0000", "-master")).put("hostname", masterHost)
        .put("port", port()).put("ip", ipToInt()).put("pid", "master@" + self);
    o.setAll(slaves(s));
    ArrayNode frameworks = o.putArray("frameworks");
    frameworks.add(framework(s, true));
    o.putArray("completed_frameworks");
    o.putArray("orphan_tasks");
    o.putArray("unregistered_frameworks");
    return o;
  }

  private int port() {
    return Integer.parseInt(self.replaceFirst(".*:", ""));
  }

  private static long ipToInt() {
    return 0x0100007FL; // 127.0.0.1 in Mesos' little-endian packing
  }

  // ---------------------------------------------------------------- frameworks and tasks

  private ObjectNode framework(ClusterState s, boolean withTasks) {
    Topology t = model.topology();
    ObjectNode fw = Json.object().put("id", s.frameworkId).put("name", "marathon").put("active", true)
        .put("connected", true).put("recovered", false)
        .put("pid", "scheduler-" + s.frameworkId + "@" + t.nodeWith("marathon").address() + ":15101")
        .put("hostname", t.nodeWith("marathon").name()).put("user", "root").put("role", "*")
        .put("failover_timeout", 604800.0).put("checkpoint", true)
        .put("registered_time", registeredTime(s)).put("reregistered_time", registeredTime(s))
        .put("webui_url", "http://" + t.nodeWith("marathon").name() + ":8080");
    fw.putArray("roles").add("*");
    fw.putArray("capabilities").add("PARTITION_AWARE");
    resources(fw.putObject("used_resources"), s.tasks.stream().mapToDouble(x -> x.cpus).sum(),
        s.tasks.stream().mapToDouble(x -> x.mem).sum(), s.tasks.stream().mapToDouble(x -> x.disk).sum(), null);
    resources(fw.putObject("offered_resources"), 0, 0, 0, null);
    if (withTasks) {
      ArrayNode tasks = fw.putArray("tasks");
      s.tasks.forEach(x -> tasks.add(task(s, x)));
      fw.putArray("unreachable_tasks");
      ArrayNode completed = fw.putArray("completed_tasks");
      s.completedTasks.forEach(x -> completed.add(task(s, x)));
      fw.putArray("offers");
      fw.putArray("executors");
      fw.putArray("completed_executors");
    }
    return fw;
  }

  private ObjectNode frameworks(ClusterState s) {
    ObjectNode o = Json.object();
    o.putArray("frameworks").add(framework(s, true));
    o.putArray("completed_frameworks");
    o.putArray("unregistered_frameworks");
    return o;
  }

  /** /master/tasks: limit (default 100), offset, order (des: newest first, the default; asc), task_id, framework_id. */
  private ObjectNode tasks(ClusterState s, Request r) {
    List<TaskState> all = new ArrayList<>(s.tasks);
    all.addAll(s.completedTasks);
    String taskId = r.query("task_id");
    String frameworkId = r.query("framework_id");
    all.removeIf(t -> (taskId != null && !taskId.equals(t.id)) || (frameworkId != null && !frameworkId.equals(s.frameworkId)));
    Comparator<TaskState> byStart = Comparator.comparingLong(t -> t.stagedAt);
    all.sort("asc".equals(r.query("order")) ? byStart : byStart.reversed());
    int offset = Math.max(0, intQuery(r, "offset", 0));
    int limit = Math.max(0, intQuery(r, "limit", 100));
    ObjectNode o = Json.object();
    ArrayNode tasks = o.putArray("tasks");
    all.stream().skip(offset).limit(limit).forEach(t -> tasks.add(task(s, t)));
    return o;
  }

  private static int intQuery(Request r, String name, int fallback) {
    try {
      return r.query(name) == null ? fallback : Integer.parseInt(r.query(name));
    } catch (NumberFormatException e) {
      return fallback;
    }
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
      statuses.addObject().put("state", t.state).put("timestamp", t.endedAt / 1000.0).put("message", t.message);
    }
    ObjectNode discovery = o.putObject("discovery").put("visibility", "FRAMEWORK").put("name", t.appId.substring(1));
    ArrayNode ports = discovery.putObject("ports").putArray("ports");
    t.ports.forEach(p -> ports.addObject().put("number", p).put("protocol", "tcp"));
    ObjectNode container = o.putObject("container").put("type", "DOCKER");
    container.putObject("docker").put("image", t.image == null ? "" : t.image).put("network", "BRIDGE");
    return o;
  }

  // ---------------------------------------------------------------- state-summary

  private ObjectNode summary(ClusterState s) {
    ObjectNode o = Json.object().put("hostname", model.topology().nodeWith("mesos-master").name())
        .put("cluster", "opsbot-sim");
    ArrayNode slaves = o.putArray("slaves");
    boolean offering = offersOutstanding(s);
    List<TaskState> everything = new ArrayList<>(s.tasks);
    everything.addAll(s.completedTasks);
    Map<String, List<TaskState>> byHost = tasksByHost(s);
    for (Topology.Node n : registered(s)) {
      ObjectNode a = agent(s, n, offering, byHost);
      String id = s.slaveIds.get(n.name());
      countStates(a, everything.stream().filter(t -> id.equals(t.slaveId)).toList());
      ArrayNode fws = a.putArray("framework_ids");
      if (everything.stream().anyMatch(t -> id.equals(t.slaveId))) {
        fws.add(s.frameworkId);
      }
      slaves.add(a);
    }
    ObjectNode fw = framework(s, false);
    countStates(fw, everything);
    ArrayNode slaveIds = fw.putArray("slave_ids");
    everything.stream().map(t -> t.slaveId).distinct().sorted().forEach(slaveIds::add);
    o.putArray("frameworks").add(fw);
    return o;
  }

  private static void countStates(ObjectNode o, List<TaskState> tasks) {
    for (String state : TASK_STATES) {
      o.put(state, tasks.stream().filter(t -> t.state.equals(state)).count());
    }
  }

  // ---------------------------------------------------------------- resources and metrics

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
    o.put("cpus", round(cpus)).put("mem", round(mem)).put("disk", round(disk)).put("gpus", 0.0);
    if (ports != null && !ports.equals("[]")) {
      o.put("ports", ports);
    }
  }

  /** Mesos keeps scalars to three decimals. */
  private static double round(double v) {
    return Math.max(0, Math.round(v * 1000) / 1000.0);
  }

  private ObjectNode metrics(ClusterState s) {
    ObjectNode m = Json.object();
    List<Topology.Node> registered = registered(s);
    long active = count(s, Presence.ACTIVE);
    long disconnected = count(s, Presence.DISCONNECTED);
    long unreachable = count(s, Presence.UNREACHABLE);
    double cpusTotal = registered.stream().mapToDouble(n -> n.resources().cpus()).sum();
    double memTotal = registered.stream().mapToDouble(n -> n.resources().mem()).sum();
    double diskTotal = registered.stream().mapToDouble(n -> n.resources().disk()).sum();
    double cpusUsed = s.tasks.stream().mapToDouble(t -> t.cpus).sum();
    double memUsed = s.tasks.stream().mapToDouble(t -> t.mem).sum();
    double diskUsed = s.tasks.stream().mapToDouble(t -> t.disk).sum();
    m.put("master/elected", 1.0).put("master/uptime_secs", 3600.0)
        .put("master/slaves_active", (double) active).put("master/slaves_inactive", (double) disconnected)
        .put("master/slaves_connected", (double) active).put("master/slaves_disconnected", (double) disconnected)
        .put("master/slaves_unreachable", (double) unreachable)
        .put("master/frameworks_active", 1.0).put("master/frameworks_connected", 1.0)
        .put("master/frameworks_inactive", 0.0).put("master/frameworks_disconnected", 0.0);
    for (String state : List.of("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING")) {
      m.put("master/tasks_" + state.substring(5).toLowerCase(),
          (double) s.tasks.stream().filter(t -> t.state.equals(state)).count());
    }
    for (String state : List.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR")) {
      m.put("master/tasks_" + state.substring(5).toLowerCase(),
          (double) s.completedTasks.stream().filter(t -> t.state.equals(state)).count());
    }
    m.put("master/cpus_total", cpusTotal).put("master/cpus_used", round(cpusUsed))
        .put("master/cpus_percent", cpusTotal == 0 ? 0 : cpusUsed / cpusTotal)
        .put("master/mem_total", memTotal).put("master/mem_used", round(memUsed))
        .put("master/mem_percent", memTotal == 0 ? 0 : memUsed / memTotal)
        .put("master/disk_total", diskTotal).put("master/disk_used", round(diskUsed))
        .put("master/disk_percent", diskTotal == 0 ? 0 : diskUsed / diskTotal)
        .put("master/gpus_total", 0.0).put("master/gpus_used", 0.0);
    return m;
  }
}
