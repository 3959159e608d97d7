package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel.Change;
import io.opsbot.sim.cluster.ClusterState.AppState;
import io.opsbot.sim.http.ApiError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Marathon's groups over the model's apps: an app {@code /prod/web} is in group {@code /prod}; a group exists while
 * it holds an app, or because it was created explicitly. Every change of a group is one deployment plan over the
 * apps it touches (see {@link ClusterModel#inOnePlan}).
 */
public final class Groups {
  private final ClusterModel model;

  public Groups(ClusterModel model) {
    this.model = model;
  }

  // ---------------------------------------------------------------- reading

  /**
   * The group as Marathon shows it, or null when there is none: its own apps, rendered by {@code renderApp}, and its
   * subgroups, recursively.
   */
  public ObjectNode render(String rawId, boolean withApps, boolean withGroups,
                           BiFunction<ClusterState, AppState, ObjectNode> renderApp) {
    String id = AppDefinitions.normalizeId(rawId);
    return model.read(s -> exists(s, id) ? group(s, id, withApps, withGroups, renderApp) : null);
  }

  /** Every version of the group: its own changes and those of the apps in it, newest first. */
  public List<String> versions(String rawId) {
    String id = AppDefinitions.normalizeId(rawId);
    return model.read(s -> {
      if (!exists(s, id)) {
        throw notFound(id);
      }
      TreeSet<String> out = new TreeSet<>(Comparator.reverseOrder());
      if (s.groups.containsKey(id)) {
        out.add(s.groups.get(id));
      }
      appsUnder(s, id).forEach(a -> a.versions.forEach(v -> out.add(v.get("version").asText())));
      return List.copyOf(out);
    });
  }

  private ObjectNode group(ClusterState s, String id, boolean withApps, boolean withGroups,
                           BiFunction<ClusterState, AppState, ObjectNode> renderApp) {
    ObjectNode g = Json.object().put("id", id);
    ArrayNode apps = g.putArray("apps");
    if (withApps) {
      s.apps.values().stream().filter(a -> AppDefinitions.parentOf(appId(a)).equals(id))
          .forEach(a -> apps.add(renderApp.apply(s, a)));
    }
    ArrayNode groups = g.putArray("groups");
    if (withGroups) {
      childGroups(s, id).forEach(c -> groups.add(group(s, c, withApps, withGroups, renderApp)));
    }
    g.putArray("pods");
    g.putArray("dependencies");
    if (s.enforceRole.containsKey(id)) {
      g.put("enforceRole", s.enforceRole.get(id));
    }
    g.put("version", version(s, id));
    return g;
  }

  private static String version(ClusterState s, String id) {
    String v = s.groups.getOrDefault(id, "");
    for (AppState a : appsUnder(s, id)) {
      String av = a.definition.path("version").asText("");
      if (av.compareTo(v) > 0) {
        v = av;
      }
    }
    return v.isEmpty() ? ClusterModel.iso(s.simTimeMillis) : v;
  }

  /** Every group id: explicit ones, and every ancestor of an app or of an explicit group. */
  private static TreeSet<String> allGroups(ClusterState s) {
    TreeSet<String> out = new TreeSet<>();
    out.add("/");
    List<String> ids = new ArrayList<>(s.groups.keySet());
    s.apps.keySet().forEach(a -> ids.add(AppDefinitions.parentOf(a)));
    for (String id : ids) {
      for (String g = id; ; g = AppDefinitions.parentOf(g)) {
        out.add(g);
        if (g.equals("/")) {
          break;
        }
      }
    }
    return out;
  }

  private static boolean exists(ClusterState s, String id) {
    return allGroups(s).contains(id);
  }

  private static List<String> childGroups(ClusterState s, String id) {
    return allGroups(s).stream().filter(g -> !g.equals("/") && AppDefinitions.parentOf(g).equals(id)).toList();
  }

  private static List<AppState> appsUnder(ClusterState s, String id) {
    String prefix = id.equals("/") ? "/" : id + "/";
    return s.apps.values().stream().filter(a -> appId(a).startsWith(prefix)).toList();
  }

  private static String appId(AppState a) {
    return a.definition.get("id").asText();
  }

  private static ApiError notFound(String id) {
    return new ApiError(404, Json.object().put("message", "Group '" + id + "' does not exist"));
  }

  // ---------------------------------------------------------------- changing

  /** POST /v2/groups[/{base}]: a new group with its apps and subgroups; 409 when it exists. */
  public Change create(String base, ObjectNode body, String uri, String clientIp) {
    String basePath = AppDefinitions.normalizeId(base == null ? "/" : base);
    synchronized (model) {
      ClusterState s = model.state();
      if (!body.hasNonNull("id") || !body.get("id").isTextual()) {
        throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/id", "error.path.missing")));
      }
      String id = AppDefinitions.resolveId(body.get("id").asText(), basePath);
      if (exists(s, id)) {
        throw new ApiError(409, Json.object().put("message",
            "Group " + id + " is already created. Use PUT to change this group."));
      }
      return change(s, id, body, false, uri, clientIp);
    }
  }

  /**
   * PUT /v2/groups/{id}: scaleBy (every app under it, instances times the factor, rounded up), version (every app
   * back to how it was then), or the apps and subgroups it should hold (the ones left out are removed); creates the
   * group when it does not exist.
   */
  public Change update(String rawId, ObjectNode body, boolean force, String uri, String clientIp) {
    String id = AppDefinitions.normalizeId(rawId);
    synchronized (model) {
      ClusterState s = model.state();
      if (body.has("scaleBy")) {
        return scaleBy(s, id, body.get("scaleBy"), force);
      }
      if (body.has("version")) {
        return rollback(s, id, body.get("version").asText(), force);
      }
      return change(s, id, body, force, uri, clientIp);
    }
  }

  /**
   * PATCH /v2/groups/{id}: changes a top-level group's settings without restarting its apps (Marathon 1.9+: only
   * {@code enforceRole}; absent removes it). No deployment: Marathon answers 200 with an empty body.
   */
  public void patch(String rawId, ObjectNode body) {
    String id = AppDefinitions.normalizeId(rawId);
    if (id.equals("/") || !AppDefinitions.parentOf(id).equals("/")) {
      throw new ApiError(422, Json.object().put("message", "Object is not valid").set("details", Json.array().add(
          Json.object().put("path", "/").set("errors", Json.array().add("Path needs to be top-level")))));
    }
    JsonNode enforce = body.get("enforceRole");
    if (enforce != null && !enforce.isNull() && !enforce.isBoolean()) {
      throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/enforceRole", "error.expected.jsboolean")));
    }
    model.write(s -> {
      if (!exists(s, id)) {
        throw notFound(id);
      }
      if (enforce == null || enforce.isNull()) {
        s.enforceRole.remove(id);
      } else {
        s.enforceRole.put(id, enforce.asBoolean());
      }
      return null;
    });
  }

  /** DELETE /v2/groups/{id}: the group, its subgroups and every app in them. */
  public Change delete(String rawId, boolean force) {
    String id = AppDefinitions.normalizeId(rawId);
    synchronized (model) {
      ClusterState s = model.state();
      if (!exists(s, id)) {
        throw notFound(id);
      }
      List<AppState> apps = appsUnder(s, id);
      apps.forEach(a -> model.checkLock(appId(a), force));
      Change c = model.inOnePlan(() -> {
        Change last = null;
        for (AppState a : apps) {
          last = model.stopApp(appId(a));
        }
        return last == null ? emptyPlan() : last;
      });
      String prefix = id.equals("/") ? "/" : id + "/";
      s.groups.keySet().removeIf(g -> g.equals(id) || g.startsWith(prefix));
      model.persist();
      return c;
    }
  }

  private Change scaleBy(ClusterState s, String id, JsonNode factorNode, boolean force) {
    if (!exists(s, id)) {
      throw notFound(id);
    }
    if (!factorNode.isNumber() || factorNode.asDouble() < 0) {
      ObjectNode err = Json.object().put("message", "Object is not valid");
      err.putArray("details").add(AppDefinitions.detail("/scaleBy", "got " + factorNode + ", expected 0.0 or more"));
      throw new ApiError(422, err);
    }
    double factor = factorNode.asDouble();
    List<AppState> apps = appsUnder(s, id);
    apps.forEach(a -> model.checkLock(appId(a), force));
    Change c = model.inOnePlan(() -> {
      Change last = null;
      for (AppState a : apps) {
        ObjectNode def = a.definition.deepCopy();
        def.put("instances", (int) Math.ceil(def.get("instances").asInt() * factor));
        def.remove(List.of("version", "versionInfo"));
        last = model.applyDefinition(appId(a), def, a, null, null);
      }
      return last == null ? emptyPlan() : last;
    });
    s.groups.computeIfPresent(id, (k, v) -> c.version());
    model.persist();
    return c;
  }

  private Change rollback(ClusterState s, String id, String version, boolean force) {
    if (!exists(s, id)) {
      throw notFound(id);
    }
    List<AppState> apps = appsUnder(s, id);
    apps.forEach(a -> model.checkLock(appId(a), force));
    Change c = model.inOnePlan(() -> {
      Change last = null;
      for (AppState a : apps) {
        ObjectNode then = a.versions.stream().filter(v -> v.get("version").asText().compareTo(version) <= 0)
            .reduce((x, y) -> y).orElse(null);
        if (then == null) {
          last = model.stopApp(appId(a)); // it did not exist in that version of the group
        } else {
          ObjectNode def = then.deepCopy();
          def.remove(List.of("version", "versionInfo"));
          last = model.applyDefinition(appId(a), def, a, null, null);
        }
      }
      return last == null ? emptyPlan() : last;
    });
    s.groups.computeIfPresent(id, (k, v) -> c.version());
    model.persist();
    return c;
  }

  /** Applies a group definition: its apps and subgroups as given (relative ids resolved), in one plan. */
  private Change change(ClusterState s, String id, ObjectNode body, boolean force, String uri, String clientIp) {
    Map<String, ObjectNode> wanted = new LinkedHashMap<>();
    List<String> groupIds = new ArrayList<>();
    collect(id, body, wanted, groupIds);
    List<String> removed = new ArrayList<>();
    if (body.has("apps") || body.has("groups")) {
      for (AppState a : appsUnder(s, id)) {
        String appId = appId(a);
        boolean direct = AppDefinitions.parentOf(appId).equals(id);
        boolean covered = direct ? body.has("apps") : body.has("groups");
        if (covered && !wanted.containsKey(appId)) {
          removed.add(appId);
        }
      }
    }
    Map<String, ObjectNode> definitions = new LinkedHashMap<>();
    wanted.forEach((appId, app) -> definitions.put(appId, model.definitionFor(appId, app, false)));
    definitions.keySet().forEach(a -> model.checkLock(a, force));
    removed.forEach(a -> model.checkLock(a, force));
    Change c = model.inOnePlan(() -> {
      Change last = null;
      for (Map.Entry<String, ObjectNode> e : definitions.entrySet()) {
        last = model.applyDefinition(e.getKey(), e.getValue(), s.apps.get(e.getKey()), uri, clientIp);
      }
      for (String appId : removed) {
        last = model.stopApp(appId);
      }
      return last == null ? emptyPlan() : last;
    });
    for (String g : groupIds) {
      s.groups.put(g, c.version());
    }
    model.persist();
    return c;
  }

  private static void collect(String id, JsonNode group, Map<String, ObjectNode> apps, List<String> groupIds) {
    groupIds.add(id);
    for (JsonNode app : group.path("apps")) {
      if (!app.isObject() || !app.path("id").isTextual()) {
        throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/apps/id", "error.path.missing")));
      }
      String appId = AppDefinitions.resolveId(app.get("id").asText(), id);
      ObjectNode copy = ((ObjectNode) app).deepCopy();
      copy.put("id", appId);
      apps.put(appId, copy);
    }
    for (JsonNode sub : group.path("groups")) {
      if (!sub.isObject() || !sub.path("id").isTextual()) {
        throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/groups/id", "error.path.missing")));
      }
      collect(AppDefinitions.resolveId(sub.get("id").asText(), id), sub, apps, groupIds);
    }
  }

  /** A change that touches no app: Marathon still answers with a plan, which has no steps and is done at once. */
  private Change emptyPlan() {
    return new Change(model.nextVersion(), model.currentPlanId(), null, false);
  }
}
