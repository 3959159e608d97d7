package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.AppDefinitions;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.AppState;
import io.opsbot.sim.cluster.ClusterState.DeploymentState;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.cluster.Groups;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Marathon's REST API v2 over the cluster model. */
public final class MarathonApi implements AutoCloseable {
  private static final String APP = "(/.+?)/?";

  private final ClusterModel model;
  private final EventStream events;
  private final String leader;
  private final EventSubscriptions subscriptions;

  public MarathonApi(ClusterModel model, EventStream events, String leader) {
    this.model = model;
    this.events = events;
    this.leader = leader;
    this.subscriptions = new EventSubscriptions(model);
  }

  /** Stops delivering events to http_callback subscribers. */
  @Override
  public void close() {
    subscriptions.close();
  }

  public void register(Router router) {
    new QueueApi(model).register(router);
    new TasksApi(model).register(router);
    new GroupsApi(new Groups(model)).register(router);
    subscriptions.register(router);
    new LoggingApi().register(router);
    router.on("GET", "/v2/apps/?", this::listApps)
        .on("POST", "/v2/apps/?", this::createApp)
        .on("PUT", "/v2/apps/?", r -> putApps(r, !"false".equalsIgnoreCase(r.query("partialUpdate"))))
        .on("PATCH", "/v2/apps/?", r -> putApps(r, true))
        .on("POST", "/v2/apps" + "(/.+?)/restart/?", r -> change(model.restartApp(r.group(1), r.flag("force")), 200))
        .on("GET", "/v2/apps(/.+?)/tasks/?", this::appTasks)
        .on("GET", "/v2/apps(.*?)/\\*", this::appsUnder)
        .on("GET", "/v2/apps(/.+?)/versions/([^/]+)/?", this::appVersion)
        .on("GET", "/v2/apps(/.+?)/versions/?", this::appVersions)
        .on("GET", "/v2/apps" + APP, this::getApp)
        .on("PUT", "/v2/apps" + APP, r -> putApp(r, !"false".equalsIgnoreCase(r.query("partialUpdate"))))
        .on("PATCH", "/v2/apps" + APP, r -> putApp(r, true))
        .on("DELETE", "/v2/apps" + APP, r -> change(model.deleteApp(r.group(1), r.flag("force")), 200))
        .on("GET", "/v2/deployments/?", r -> Response.json(200, model.read(this::deployments)))
        .on("DELETE", "/v2/deployments/([^/]+)/?", this::deleteDeployment)
        .on("GET", "/v2/tasks/?", this::allTasks)
        .on("GET", "/v2/info/?", r -> Response.json(200, info()))
        .on("GET", "/v2/leader/?", r -> Response.json(200, Json.object().put("leader", leader)))
        // A single Marathon: it abdicates and, being the only candidate, is elected again at once.
        .on("DELETE", "/v2/leader/?", r -> Response.json(200, Json.object().put("message", "Leadership abdicated")))
        .on("GET", "/v2/plugins/?", r -> Response.json(200, Json.object().set("plugins", Json.array())))
        .on("GET", "/v2/pods/?", r -> Response.json(200, Json.array()))
        .on("GET", "/metrics/?", r -> Response.json(200, model.read(MarathonMetrics::snapshot)))
        .on("GET", "/ping", r -> Response.text(200, "pong"))
        .stream("GET", "/v2/events/?", events::serve);
  }

  private Response listApps(Request r) {
    Set<String> embed = embeds(r, Set.of("counts", "deployments"));
    String idFilter = r.query("id");
    String cmdFilter = r.query("cmd");
    String label = r.query("label");
    ObjectNode body = model.read(s -> {
      ObjectNode out = Json.object();
      ArrayNode apps = out.putArray("apps");
      Map<String, List<TaskState>> tasks = s.tasksByApp();
      for (AppState a : s.apps.values()) {
        String id = a.definition.get("id").asText();
        if (idFilter != null && !id.contains(idFilter)) {
          continue;
        }
        if (cmdFilter != null && !a.definition.path("cmd").asText("").contains(cmdFilter)) {
          continue;
        }
        if (label != null && !a.definition.path("labels").has(label.split("==")[0])) {
          continue;
        }
        apps.add(render(s, a, embed, tasks.getOrDefault(id, List.of())));
      }
      return out;
    });
    return Response.json(200, body);
  }

  private Response getApp(Request r) {
    String id = AppDefinitions.normalizeId(r.group(1));
    // Marathon adds these to whatever embed asks for on a single app ("deprecated. For compatibility." in its
    // AppsResource.showApp), so a client asking only for tasks still gets counts and deployments.
    Set<String> embed = new HashSet<>(embeds(r, Set.of()));
    embed.addAll(Set.of("counts", "deployments", "tasks", "lastTaskFailure"));
    ObjectNode app = model.read(s -> {
      AppState a = s.apps.get(id);
      return a == null ? null : render(s, a, embed);
    });
    if (app == null) {
      throw notFound(id);
    }
    ObjectNode body = Json.object();
    body.set("app", app);
    return Response.json(200, body);
  }

  private static ApiError notFound(String id) {
    return new ApiError(404, Json.object().put("message", "App '" + id + "' does not exist"));
  }

  static Set<String> embeds(Request r, Set<String> defaults) {
    List<String> raw = r.queryAll("embed");
    if (raw.isEmpty()) {
      return defaults;
    }
    Set<String> out = new HashSet<>();
    for (String e : raw) {
      for (String part : e.split(",")) {
        out.add(part.replaceFirst("^apps?\\.", ""));
      }
    }
    return out;
  }

  static ObjectNode render(ClusterState s, AppState a, Set<String> embed) {
    String id = a.definition.get("id").asText();
    return render(s, a, embed, s.tasks.stream().filter(t -> t.appId.equals(id)).toList());
  }

  /** @param tasks the app's tasks ({@link ClusterState#tasksByApp}) */
  static ObjectNode render(ClusterState s, AppState a, Set<String> embed, List<TaskState> tasks) {
    ObjectNode app = a.definition.deepCopy();
    String id = app.get("id").asText();
    if (embed.contains("counts") || embed.contains("taskStats")) {
      app.put("tasksStaged", tasks.stream().filter(t -> !t.state.equals("TASK_RUNNING")).count());
      app.put("tasksRunning", tasks.stream().filter(t -> t.state.equals("TASK_RUNNING")).count());
      app.put("tasksHealthy", tasks.stream().filter(t -> t.state.equals("TASK_RUNNING") && Boolean.TRUE.equals(t.alive)).count());
      app.put("tasksUnhealthy", tasks.stream().filter(t -> Boolean.FALSE.equals(t.alive)).count());
    }
    if (embed.contains("deployments")) {
      ArrayNode ds = app.putArray("deployments");
      s.deployments.stream().filter(d -> d.appId.equals(id)).forEach(d -> ds.addObject().put("id", d.id));
    }
    if (embed.contains("tasks")) {
      ArrayNode ts = app.putArray("tasks");
      tasks.forEach(t -> ts.add(task(t)));
    }
    if (embed.contains("lastTaskFailure") && a.lastTaskFailure != null) {
      app.set("lastTaskFailure", a.lastTaskFailure.deepCopy());
    }
    return app;
  }

  static ObjectNode task(TaskState t) {
    ObjectNode o = Json.object().put("id", t.id).put("appId", t.appId).put("host", t.host).put("slaveId", t.slaveId)
        .put("state", t.state).put("stagedAt", ClusterModel.iso(t.stagedAt)).put("version", t.version);
    if (t.startedAt != null) {
      o.put("startedAt", ClusterModel.iso(t.startedAt));
    }
    ArrayNode ports = o.putArray("ports");
    t.ports.forEach(ports::add);
    ArrayNode servicePorts = o.putArray("servicePorts");
    t.ports.forEach(p -> servicePorts.add(10000 + (p - 31000)));
    o.putArray("ipAddresses").addObject().put("ipAddress", t.ipAddress).put("protocol", "IPv4");
    ArrayNode results = o.putArray("healthCheckResults");
    if (t.alive != null) {
      ObjectNode hr = results.addObject().put("alive", t.alive).put("consecutiveFailures", t.consecutiveFailures)
          .put("taskId", t.id).put("instanceId", t.id);
      hr.put("firstSuccess", t.firstSuccess == null ? null : ClusterModel.iso(t.firstSuccess));
      hr.put("lastSuccess", t.lastSuccess == null ? null : ClusterModel.iso(t.lastSuccess));
      hr.put("lastFailure", t.lastFailure == null ? null : ClusterModel.iso(t.lastFailure));
      hr.put("lastFailureCause", t.lastFailure == null ? null : "HTTP 500");
    }
    return o;
  }

  private Response createApp(Request r) {
    ObjectNode body = AppDefinitions.parse(r.body());
    ClusterModel.Change c = model.createApp(body, r.path(), r.remoteAddress());
    ObjectNode app = c.app().deepCopy();
    app.putArray("deployments").addObject().put("id", c.deploymentId());
    app.put("tasksStaged", 0).put("tasksRunning", 0).put("tasksHealthy", 0).put("tasksUnhealthy", 0);
    app.putArray("tasks");
    return Response.json(201, app).with("Location", "/v2/apps" + app.get("id").asText())
        .with("Marathon-Deployment-Id", c.deploymentId());
  }

  private Response putApps(Request r, boolean partial) {
    ArrayNode bodies = AppDefinitions.parseArray(r.body());
    List<ObjectNode> apps = new ArrayList<>();
    bodies.forEach(b -> apps.add((ObjectNode) b));
    ClusterModel.Change c = model.putApps(apps, r.flag("force"), partial, r.path(), r.remoteAddress());
    return change(c, 200);
  }

  /** GET /v2/apps/{group}/*: the apps in that group and below, under the key "*". */
  private Response appsUnder(Request r) {
    String group = AppDefinitions.normalizeId(r.group(1));
    String prefix = group.equals("/") ? "/" : group + "/";
    Set<String> embed = embeds(r, Set.of("counts", "deployments"));
    ObjectNode body = model.read(s -> {
      ObjectNode out = Json.object();
      ArrayNode apps = out.putArray("*");
      Map<String, List<TaskState>> tasks = s.tasksByApp();
      s.apps.values().stream().filter(a -> a.definition.get("id").asText().startsWith(prefix))
          .forEach(a -> apps.add(render(s, a, embed, tasks.getOrDefault(a.definition.get("id").asText(), List.of()))));
      return out;
    });
    return Response.json(200, body);
  }

  private Response putApp(Request r, boolean partial) {
    ObjectNode body = AppDefinitions.parse(r.body());
    ClusterModel.Change c = model.putApp(r.group(1), body, r.flag("force"), partial, r.path(), r.remoteAddress());
    Response resp = change(c, c.created() ? 201 : 200);
    return c.created() ? resp.with("Location", "/v2/apps" + c.app().get("id").asText()) : resp;
  }

  private static Response change(ClusterModel.Change c, int status) {
    return Response.json(status, Json.object().put("version", c.version()).put("deploymentId", c.deploymentId()))
        .with("Marathon-Deployment-Id", c.deploymentId());
  }

  private Response appTasks(Request r) {
    String id = AppDefinitions.normalizeId(r.group(1));
    ObjectNode body = model.read(s -> {
      if (!s.apps.containsKey(id)) {
        return null;
      }
      ObjectNode out = Json.object();
      ArrayNode ts = out.putArray("tasks");
      s.tasks.stream().filter(t -> t.appId.equals(id)).forEach(t -> ts.add(task(t)));
      return out;
    });
    if (body == null) {
      throw notFound(id);
    }
    return Response.json(200, body);
  }

  /**
   * GET /v2/tasks: every task, or those in the states asked for ({@code status} and {@code status[]}: running,
   * staging, killing, ...); with {@code Accept: text/plain}, Marathon's plain list: one line per app and service
   * port, then host:port of each task.
   */
  private Response allTasks(Request r) {
    List<String> wanted = new ArrayList<>(r.queryAll("status"));
    wanted.addAll(r.queryAll("status[]"));
    Set<String> states = new HashSet<>();
    wanted.forEach(w -> states.add("TASK_" + w.toUpperCase(Locale.ROOT)));
    boolean plain = String.valueOf(r.header("Accept")).startsWith("text/plain");
    return model.read(s -> {
      List<TaskState> tasks = s.tasks.stream().filter(t -> states.isEmpty() || states.contains(t.state)).toList();
      if (plain) {
        return Response.text(200, plainTasks(s, tasks));
      }
      ObjectNode out = Json.object();
      ArrayNode ts = out.putArray("tasks");
      tasks.forEach(t -> ts.add(task(t)));
      return Response.json(200, out);
    });
  }

  private static String plainTasks(ClusterState s, List<TaskState> tasks) {
    StringBuilder sb = new StringBuilder();
    for (AppState a : s.apps.values()) {
      String id = a.definition.get("id").asText();
      List<TaskState> mine = tasks.stream().filter(t -> t.appId.equals(id)).toList();
      int ports = mine.stream().mapToInt(t -> t.ports.size()).max().orElse(0);
      for (int i = 0; i < ports; i++) {
        int index = i;
        sb.append(id.substring(1).replace('/', '_')).append('\t').append(servicePort(a, i));
        mine.stream().filter(t -> t.ports.size() > index)
            .forEach(t -> sb.append('\t').append(t.host).append(':').append(t.ports.get(index)));
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** The app's service port for a port index: its port mapping's servicePort, else its port definition's port. */
  private static int servicePort(AppState a, int index) {
    JsonNode container = a.definition.path("container");
    JsonNode mappings = container.path("docker").path("portMappings").size() > 0
        ? container.path("docker").path("portMappings") : container.path("portMappings");
    if (mappings.size() > index) {
      return mappings.get(index).path("servicePort").asInt(0);
    }
    JsonNode defs = a.definition.path("portDefinitions");
    return defs.size() > index ? defs.get(index).path("port").asInt(0) : 0;
  }

  private Response appVersions(Request r) {
    String id = AppDefinitions.normalizeId(r.group(1));
    ObjectNode body = model.read(s -> {
      AppState a = s.apps.get(id);
      if (a == null) {
        return null;
      }
      ObjectNode out = Json.object();
      ArrayNode vs = out.putArray("versions");
      List<ObjectNode> versions = new ArrayList<>(a.versions);
      for (int i = versions.size() - 1; i >= 0; i--) {
        vs.add(versions.get(i).get("version").asText());
      }
      return out;
    });
    if (body == null) {
      throw notFound(id);
    }
    return Response.json(200, body);
  }

  private Response appVersion(Request r) {
    String id = AppDefinitions.normalizeId(r.group(1));
    String version = r.group(2);
    ObjectNode body = model.read(s -> {
      AppState a = s.apps.get(id);
      if (a == null) {
        throw notFound(id);
      }
      return a.versions.stream().filter(v -> v.get("version").asText().equals(version)).findFirst()
          .map(ObjectNode::deepCopy).orElse(null);
    });
    if (body == null) {
      throw new ApiError(404, Json.object().put("message", "App '" + id + "' does not exist in version " + version));
    }
    return Response.json(200, body);
  }

  /** /v2/deployments: one entry per plan; a plan that changes several apps (a group, PUT /v2/apps) lists them all. */
  private ArrayNode deployments(ClusterState s) {
    ArrayNode out = Json.array();
    Map<String, ObjectNode> byId = new LinkedHashMap<>();
    for (DeploymentState d : s.deployments) {
      ObjectNode o = byId.get(d.id);
      if (o == null) {
        o = out.addObject().put("id", d.id).put("version", d.version);
        o.putArray("affectedApps");
        o.putArray("affectedPods");
        o.putArray("steps");
        o.putArray("currentActions");
        o.put("currentStep", 0).put("totalSteps", 0);
        byId.put(d.id, o);
      }
      ((ArrayNode) o.get("affectedApps")).add(d.appId);
      ArrayNode steps = (ArrayNode) o.get("steps");
      ArrayNode own = model.steps(d);
      for (int i = 0; i < own.size(); i++) {
        if (i < steps.size()) {
          ((ArrayNode) steps.get(i).get("actions")).addAll((ArrayNode) own.get(i).get("actions"));
        } else {
          steps.add(own.get(i));
        }
      }
      ArrayNode current = (ArrayNode) o.get("currentActions");
      if (!d.steps.isEmpty() && !d.done) {
        for (String action : d.steps.get(d.currentStep)) {
          current.addObject().put("action", action).put("app", d.appId).putArray("readinessCheckResults");
        }
      }
      int at = d.done ? d.steps.size() : d.steps.isEmpty() ? 0 : d.currentStep + 1;
      o.put("currentStep", Math.max(o.get("currentStep").asInt(), at));
      o.put("totalSteps", steps.size());
    }
    return out;
  }

  private Response deleteDeployment(Request r) {
    boolean force = r.flag("force");
    ClusterModel.Change c = model.cancelDeployment(r.group(1), force);
    if (force || c == null) {
      return Response.empty(202);
    }
    return Response.json(200, Json.object().put("deploymentId", c.deploymentId()).put("version", c.version()));
  }

  private ObjectNode info() {
    String frameworkId = model.read(st -> st.frameworkId);
    ObjectNode o = Json.object().put("name", "marathon").put("version", "1.11.24").put("buildref", "opsbot-sim")
        .put("elected", true).put("leader", leader)
        .put("frameworkId", frameworkId);
    String zk = model.topology().nodeWith("zookeeper").name();
    o.putObject("marathon_config").put("master", "zk://" + zk + ":2181/mesos").put("framework_name", "marathon")
        .put("hostname", model.topology().nodeWith("marathon").name()).put("task_launch_timeout", 300000);
    o.putObject("zookeeper_config").put("zk", "zk://" + zk + ":2181/marathon");
    o.putObject("http_config").put("http_port", Integer.parseInt(leader.replaceFirst(".*:", "")));
    ArrayNode endpoints = o.putObject("event_subscriber").put("type", "http_callback").putArray("http_endpoints");
    model.read(st -> List.copyOf(st.eventSubscribers)).forEach(endpoints::add);
    return o;
  }
}
