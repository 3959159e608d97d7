package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.SimClock;
import io.opsbot.sim.cluster.ClusterState.AppState;
import io.opsbot.sim.cluster.ClusterState.DatasetState;
import io.opsbot.sim.cluster.ClusterState.DeploymentState;
import io.opsbot.sim.cluster.ClusterState.LogRecord;
import io.opsbot.sim.cluster.ClusterState.TaskState;
import io.opsbot.sim.http.ApiError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulated cluster: Marathon apps, deployments and tasks, Mesos agents, Flocker datasets and registry content.
 * One lock guards everything; API calls change the desired state under it and {@link #tick()} moves the actual
 * state towards it as simulated time passes, emitting Marathon events for every transition.
 */
public final class ClusterModel {

  private static final Logger log = LoggerFactory.getLogger(ClusterModel.class);
  /** Simulated time a task spends in TASK_STAGING (image pull, container start). */
  static final long STAGING_MS = 2_000;
  /** A failing image without health checks crashes this long after it starts. */
  static final long CRASH_AFTER_MS = 5_000;
  /** Flocker: configuration to state lag, and move speed. */
  static final long FLOCKER_LAG_MS = 2_000;
  static final long FLOCKER_MS_PER_GIB = 1_500;
  static final int JOURNAL_LIMIT = 3_000;
  static final int COMPLETED_LIMIT = 100;
  static final long GIB = 1024L * 1024 * 1024;
  /** How long a freshly seeded cluster seems to have run: long enough for an hour of log lines and history. */
  static final long SEEDED_UPTIME_MS = 3_600_000;

  private final Topology topology;
  private final SimClock clock;
  private final Path stateFile;
  private final Placement placement;
  private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
  private ClusterState state;
  private boolean dirty;
  /**
   * Only health-check timestamps of healthy tasks moved since the last save: written with the next change, or after
   * {@link #BOOKKEEPING_SAVE_NANOS} — with thousands of tasks some check passes on nearly every tick, and writing the
   * whole state each time would keep a CPU and the lock busy (a restarted sim re-checks what is due at once).
   */
  private boolean bookkeeping;
  private long savedAtNanos = System.nanoTime();
  private static final long BOOKKEEPING_SAVE_NANOS = 5_000_000_000L;
  /** While a change of several apps runs (see {@link #inOnePlan}): the deployment id and version they share. */
  private String planId;
  private String planVersion;
  private final WriteLog writes = new WriteLog();

  public ClusterModel(Topology topology, SimClock clock, Path stateFile, boolean reset) {
    this.topology = topology;
    this.clock = clock;
    this.stateFile = stateFile;
    this.placement = new Placement(topology);
    if (!reset && Files.exists(stateFile)) {
      load();
    } else {
      seed();
    }
  }

  // ---------------------------------------------------------------- state, lock, persistence

  /** Every write the cluster accepted: what tests count the bot's journal against. */
  public WriteLog writes() {
    return writes;
  }

  public Topology topology() {
    return topology;
  }

  public SimClock clock() {
    return clock;
  }

  /** The state itself, for the classes of this package that change it while holding the lock. */
  ClusterState state() {
    return state;
  }

  /** Reads under the lock; the function must not keep references to mutable state. */
  public synchronized <T> T read(Function<ClusterState, T> reader) {
    return reader.apply(state);
  }

  /** Changes state under the lock and persists it. */
  public synchronized <T> T write(Function<ClusterState, T> writer) {
    T result = writer.apply(state);
    save();
    return result;
  }

  public void subscribe(Consumer<ObjectNode> listener) {
    listeners.add(listener);
  }

  public void unsubscribe(Consumer<ObjectNode> listener) {
    listeners.remove(listener);
  }

  /** Puts an event on Marathon's bus that the API itself raises (e.g. subscribe_event). */
  public synchronized void publish(ObjectNode event) {
    emit(event);
  }

  private void load() {
    try {
      state = Json.MAPPER.readValue(stateFile.toFile(), ClusterState.class);
      // Never back: the clock already reads the wall clock; a saved time is later only after an explicit advance.
      // What the cluster did while no process ran (a deployment in flight) happens in the next ticks.
      clock.follow(state.simTimeMillis, 0);
      tickLocked();
      log.info("sim state loaded file={} apps={} tasks={} deployments={}", stateFile, state.apps.size(),
          state.tasks.size(), state.deployments.size());
    } catch (IOException e) {
      log.warn("sim state unreadable, starting from the topology file={} error={}", stateFile, e.toString());
      seed();
    }
  }

  /**
   * Called by the ticker: the clock follows the wall clock and the cluster moves on. The time scale shortens the
   * cluster's changes (see {@link SimClock}) instead of running the clock fast, so the timestamps people see
   * (versions, events, log lines) are never in the future.
   */
  public synchronized void advanceReal(long realMillis, long wallMillis) {
    clock.follow(wallMillis, realMillis);
    tickLocked();
    if (dirty || (bookkeeping && System.nanoTime() - savedAtNanos >= BOOKKEEPING_SAVE_NANOS)) {
      save();
    }
  }

  /**
   * Starts again from the topology: apps running and healthy, datasets in place, images in the registry — as a
   * cluster that has been up for {@link #SEEDED_UPTIME_MS}, so it already has versions, log lines and history.
   */
  public synchronized void seed() {
    long now = clock.millis();
    clock.set(now - SEEDED_UPTIME_MS);
    try {
      seedFromTopology();
    } finally {
      clock.set(now);
      state.simTimeMillis = now;
    }
  }

  private void seedFromTopology() {
    state = new ClusterState();
    state.simTimeMillis = clock.millis();
    state.frameworkId = UUID.randomUUID() + "-0000";
    String agentPrefix = UUID.randomUUID().toString();
    int i = 0;
    for (Topology.Node n : topology.nodes()) {
      state.slaveIds.put(n.name(), agentPrefix + "-S" + i);
      state.flockerNodeUuids.put(n.name(), UUID.nameUUIDFromBytes(("flocker-" + n.name()).getBytes()).toString());
      byte[] h = UUID.nameUUIDFromBytes(("weave-" + n.name()).getBytes()).toString().getBytes();
      state.weavePeerNames.put(n.name(), String.format("%02x:%02x:%02x:%02x:%02x:%02x",
          (h[0] & 0xfe) | 0x02, h[1], h[2], h[3], h[4], h[5]));
      i++;
    }
    for (ObjectNode raw : topology.apps()) {
      ObjectNode app = AppDefinitions.normalize(raw, raw.path("id").asText());
      AppDefinitions.validate(app);
      String version = nextVersion();
      stamp(app, version, version, version);
      AppState s = new AppState();
      s.definition = app;
      s.versions.add(app.deepCopy());
      state.apps.put(app.get("id").asText(), s);
      for (int k = 0; k < app.get("instances").asInt(); k++) {
        TaskState t = launch(s, Placement.choose(placement.evaluate(app, state)), false);
        if (t != null) {
          t.state = "TASK_RUNNING";
          t.startedAt = clock.millis();
          t.alive = t.hcGraceMs >= 0 ? Boolean.TRUE : null;
          t.firstSuccess = t.lastSuccess = t.hcGraceMs >= 0 ? clock.millis() : null;
          t.nextHealthCheckAt = clock.after(t.hcIntervalMs);
        }
      }
    }
    for (Topology.Dataset d : topology.datasets()) {
      DatasetState ds = new DatasetState();
      ds.datasetId = UUID.nameUUIDFromBytes(("dataset-" + d.name()).getBytes()).toString();
      ds.primary = state.flockerNodeUuids.get(d.node());
      ds.statePrimary = ds.primary;
      ds.maximumSize = Math.round(d.sizeGiB() * GIB);
      ds.metadata.put("name", d.name());
      state.datasets.put(ds.datasetId, ds);
    }
    state.flockerGeneration = 1;
    dirty = true;
    save();
  }

  private synchronized void save() {
    state.simTimeMillis = clock.millis();
    state.savedAtWallMillis = System.currentTimeMillis();
    try {
      Files.createDirectories(stateFile.getParent());
      Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      Json.MAPPER.writeValue(tmp.toFile(), state);
      Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      dirty = false;
      bookkeeping = false;
      savedAtNanos = System.nanoTime();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist sim state to " + stateFile, e);
    }
  }

  public synchronized void persist() {
    save();
  }

  // ---------------------------------------------------------------- Marathon: apps and deployments

  /** Outcome of a change: the new version and the deployment started for it. */
  public record Change(String version, String deploymentId, ObjectNode app, boolean created) {}

  public synchronized Change createApp(ObjectNode body, String uri, String clientIp) {
    AppDefinitions.checkTypes(body);
    ObjectNode app = AppDefinitions.normalize(body, body.path("id").asText(""));
    AppDefinitions.validate(app);
    String id = app.get("id").asText();
    if (state.apps.containsKey(id)) {
      throw new ApiError(409, Json.object().put("message", "An app with id [" + id + "] already exists."));
    }
    Change c = applyDefinition(id, app, null, uri, clientIp);
    save();
    return c;
  }

  public synchronized Change putApp(String rawId, ObjectNode body, boolean force, boolean partial, String uri,
                                    String clientIp) {
    ObjectNode app = definitionFor(AppDefinitions.normalizeId(rawId), body, partial);
    String id = app.get("id").asText();
    checkLock(id, force);
    Change c = applyDefinition(id, app, state.apps.get(id), uri, clientIp);
    save();
    return c;
  }

  /** PUT /v2/apps: several apps changed (or created) in one deployment; all are checked before any changes. */
  public synchronized Change putApps(List<ObjectNode> bodies, boolean force, boolean partial, String uri,
                                     String clientIp) {
    List<ObjectNode> apps = new ArrayList<>();
    for (ObjectNode body : bodies) {
      if (!body.hasNonNull("id") || !body.get("id").isTextual()) {
        throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/id", "error.path.missing")));
      }
      apps.add(definitionFor(AppDefinitions.normalizeId(body.get("id").asText()), body, partial));
    }
    apps.forEach(a -> checkLock(a.get("id").asText(), force));
    Change c = inOnePlan(() -> {
      Change last = null;
      for (ObjectNode a : apps) {
        String id = a.get("id").asText();
        last = applyDefinition(id, a, state.apps.get(id), uri, clientIp);
      }
      return last;
    });
    save();
    return c;
  }

  /**
   * The complete definition a PUT asks for: merged into the current one (partial update), replacing it, or, for a
   * body that names only a {@code version}, that stored version (Marathon's rollback).
   */
  ObjectNode definitionFor(String id, ObjectNode body, boolean partial) {
    AppDefinitions.checkTypes(body);
    AppState existing = state.apps.get(id);
    ObjectNode merged;
    if (body.has("version")) {
      merged = storedVersion(id, existing, body);
    } else if (existing != null && partial) {
      merged = existing.definition.deepCopy();
      body.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
      merged.remove(List.of("version", "versionInfo"));
    } else {
      merged = body.deepCopy();
    }
    ObjectNode app = AppDefinitions.normalize(merged, id);
    AppDefinitions.validate(app);
    return app;
  }

  private static ObjectNode storedVersion(String id, AppState existing, ObjectNode body) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("id") && !f.equals("version")) {
        ObjectNode err = Json.object().put("message", "Object is not valid");
        err.putArray("details").add(AppDefinitions.detail("/", "The 'version' field may only be combined with the 'id' field."));
        throw new ApiError(422, err);
      }
    }
    String version = body.get("version").asText();
    ObjectNode found = existing == null ? null : existing.versions.stream()
        .filter(v -> v.path("version").asText().equals(version)).findFirst().orElse(null);
    if (found == null) {
      throw new ApiError(404, Json.object().put("message", "App '" + id + "' does not exist in version " + version));
    }
    ObjectNode back = found.deepCopy();
    back.remove(List.of("version", "versionInfo"));
    return back;
  }

  public synchronized Change restartApp(String rawId, boolean force) {
    String id = AppDefinitions.normalizeId(rawId);
    AppState existing = requireApp(id);
    checkLock(id, force);
    String version = nextVersion();
    ObjectNode original = existing.definition.deepCopy();
    ObjectNode app = existing.definition.deepCopy();
    stamp(app, version, version, existing.definition.path("versionInfo").path("lastScalingAt").asText(version));
    existing.definition = app;
    existing.versions.add(app.deepCopy());
    DeploymentState d = startDeployment(id, version, List.of(List.of("RestartApplication")), original, app);
    save();
    return new Change(version, d.id, app, false);
  }

  public synchronized Change deleteApp(String rawId, boolean force) {
    String id = AppDefinitions.normalizeId(rawId);
    requireApp(id);
    checkLock(id, force);
    Change c = stopApp(id);
    save();
    return c;
  }

  /** Removes the app and starts the deployment that stops its tasks. Call with the lock held. */
  Change stopApp(String id) {
    AppState existing = requireApp(id);
    String version = nextVersion();
    state.apps.remove(id);
    DeploymentState d = startDeployment(id, version, List.of(List.of("StopApplication")), existing.definition, null);
    emit(event("app_terminated_event").put("appId", id));
    return new Change(version, d.id, existing.definition, false);
  }

  /**
   * DELETE /v2/deployments/{id}: force cancels where it stands; otherwise one new deployment rolls back every app the
   * cancelled one changed.
   */
  public synchronized Change cancelDeployment(String deploymentId, boolean force) {
    List<DeploymentState> rows = state.deployments.stream().filter(x -> x.id.equals(deploymentId)).toList();
    if (rows.isEmpty()) {
      throw new ApiError(404, Json.object().put("message", "DeploymentPlan " + deploymentId + " does not exist"));
    }
    state.deployments.removeAll(rows);
    emit(deploymentEvent("deployment_failed", rows.get(0)).put("id", deploymentId));
    for (DeploymentState d : rows) {
      journal(marathonNode(), "marathon", "WARN  Deployment " + d.id + ":" + d.version + " of " + d.appId + " canceled");
    }
    if (force) {
      save();
      return null;
    }
    Change c = inOnePlan(() -> {
      Change last = null;
      for (DeploymentState d : rows) {
        last = revert(d);
      }
      return last;
    });
    save();
    return c;
  }

  private Change revert(DeploymentState d) {
    if (d.original == null) {
      AppState gone = state.apps.remove(d.appId);
      String version = nextVersion();
      DeploymentState back = startDeployment(d.appId, version, List.of(List.of("StopApplication")),
          gone == null ? null : gone.definition, null);
      return new Change(version, back.id, null, false);
    }
    AppState current = state.apps.get(d.appId);
    ObjectNode revert = d.original.deepCopy();
    revert.remove(List.of("version", "versionInfo"));
    return applyDefinition(d.appId, AppDefinitions.normalize(revert, d.appId), current, "/v2/deployments/" + d.id, null);
  }

  /**
   * Runs a change of several apps as one Marathon deployment plan: every app's deployment carries the same id and
   * version, /v2/deployments shows them as one, and deployment_success comes once, when the last app is done.
   * Call with the lock held.
   */
  <T> T inOnePlan(Supplier<T> change) {
    if (planId != null) {
      return change.get();
    }
    planId = UUID.randomUUID().toString();
    planVersion = nextVersion();
    try {
      return change.get();
    } finally {
      planId = null;
      planVersion = null;
    }
  }

  /** The id of the plan being built by {@link #inOnePlan}, else a fresh one. */
  String currentPlanId() {
    return planId != null ? planId : UUID.randomUUID().toString();
  }

  /** The app's tasks with these ids killed (all of them when ids is null); with scale, instances drop to match. */
  public synchronized KillResult killTasks(String rawAppId, List<String> taskIds, String host, boolean scale,
                                           boolean wipe, boolean force, Function<TaskState, ObjectNode> render) {
    if (scale && wipe) {
      throw new ApiError(400, Json.object().put("message", "You cannot use scale and wipe at the same time."));
    }
    Map<String, List<TaskState>> byApp = new LinkedHashMap<>();
    if (rawAppId != null) {
      String appId = AppDefinitions.normalizeId(rawAppId);
      requireApp(appId);
      for (TaskState t : tasksOf(appId)) {
        boolean chosen = taskIds == null ? host == null || host.equals("*") || host.equals(t.host) : taskIds.contains(t.id);
        if (chosen) {
          byApp.computeIfAbsent(appId, k -> new ArrayList<>()).add(t);
        }
      }
    } else {
      for (TaskState t : state.tasks) {
        if (taskIds.contains(t.id)) {
          byApp.computeIfAbsent(t.appId, k -> new ArrayList<>()).add(t);
        }
      }
    }
    if (scale) {
      byApp.keySet().forEach(appId -> checkLock(appId, force));
    }
    List<ObjectNode> killed = new ArrayList<>();
    byApp.values().forEach(ts -> ts.forEach(t -> {
      killed.add(render.apply(t));
      end(t, "TASK_KILLED", "Killed via the API" + (scale ? " (scaling down)" : ""));
    }));
    Change change = null;
    if (scale) {
      change = inOnePlan(() -> {
        Change last = null;
        for (Map.Entry<String, List<TaskState>> e : byApp.entrySet()) {
          AppState app = state.apps.get(e.getKey());
          ObjectNode def = app.definition.deepCopy();
          def.put("instances", Math.max(0, def.get("instances").asInt() - e.getValue().size()));
          def.remove(List.of("version", "versionInfo"));
          last = applyDefinition(e.getKey(), def, app, null, null);
        }
        return last;
      });
      if (change == null) {
        // Nothing matched: Marathon still answers with a (no-op) deployment.
        String version = nextVersion();
        change = new Change(version, UUID.randomUUID().toString(), null, false);
      }
    }
    save();
    return new KillResult(killed, change);
  }

  /** What a kill did: the tasks killed (as rendered before they ended), and the scaling deployment (with scale). */
  public record KillResult(List<ObjectNode> killed, Change change) {}

  AppState requireApp(String id) {
    AppState s = state.apps.get(id);
    if (s == null) {
      throw new ApiError(404, Json.object().put("message", "App '" + id + "' does not exist"));
    }
    return s;
  }

  void checkLock(String appId, boolean force) {
    List<DeploymentState> locking = state.deployments.stream().filter(d -> d.appId.equals(appId)).toList();
    if (locking.isEmpty()) {
      return;
    }
    if (force) {
      // Forcing cancels each blocking plan as a whole (every app it changes stops where it stands).
      for (String planId : locking.stream().map(d -> d.id).distinct().toList()) {
        List<DeploymentState> rows = state.deployments.stream().filter(d -> d.id.equals(planId)).toList();
        state.deployments.removeAll(rows);
        emit(deploymentEvent("deployment_failed", rows.get(0)).put("id", planId));
      }
      return;
    }
    ObjectNode body = Json.object().put("message", "App is locked by one or more deployments. Override with the "
        + "option '?force=true'. View details at '/v2/deployments/" + locking.get(0).id + "'.");
    ArrayNode ids = body.putArray("deployments");
    locking.forEach(d -> ids.addObject().put("id", d.id));
    throw new ApiError(409, body);
  }

  /** Stores a new version of the app (always, like Marathon) and starts the deployment that gets there. */
  Change applyDefinition(String id, ObjectNode app, AppState existing, String uri, String clientIp) {
    String version = nextVersion();
    List<List<String>> steps;
    ObjectNode original = existing == null ? null : existing.definition.deepCopy();
    if (existing == null) {
      stamp(app, version, version, version);
      existing = new AppState();
      state.apps.put(id, existing);
      steps = app.get("instances").asInt() > 0
          ? List.of(List.of("StartApplication"), List.of("ScaleApplication"))
          : List.of(List.of("StartApplication"));
    } else {
      JsonNode info = existing.definition.path("versionInfo");
      boolean sameConfig = AppDefinitions.sameConfig(existing.definition, app);
      boolean sameScale = existing.definition.path("instances").asInt() == app.path("instances").asInt();
      String configAt = sameConfig ? info.path("lastConfigChangeAt").asText(version) : version;
      // A revert to an older definition keeps that definition's config time, so its tasks count as current.
      if (!sameConfig) {
        for (ObjectNode v : existing.versions) {
          if (AppDefinitions.sameConfig(v, app)) {
            configAt = v.path("versionInfo").path("lastConfigChangeAt").asText(configAt);
          }
        }
      }
      stamp(app, version, configAt, sameScale ? info.path("lastScalingAt").asText(version) : version);
      steps = !sameConfig ? List.of(List.of("RestartApplication"))
          : !sameScale ? List.of(List.of("ScaleApplication")) : List.of();
    }
    existing.definition = app;
    existing.versions.add(app.deepCopy());
    if (existing.versions.size() > 50) {
      existing.versions.remove(0);
    }
    existing.launchDelayUntil = 0;
    existing.backoffMs = 0;
    existing.launchAttempt = null;
    if (uri != null) {
      emit(event("api_post_event").put("clientIp", clientIp == null ? "127.0.0.1" : clientIp).put("uri", uri)
          .set("appDefinition", app.deepCopy()));
      journal(marathonNode(), "marathon", "INFO  Processing API request uri=" + uri + " app=" + id + " version=" + version);
    }
    emit(event("group_change_success").put("groupId", "/").put("version", version));
    DeploymentState d = startDeployment(id, version, steps, original, app);
    return new Change(version, d.id, app.deepCopy(), original == null);
  }

  private DeploymentState startDeployment(String appId, String version, List<List<String>> steps,
                                          ObjectNode original, ObjectNode target) {
    DeploymentState d = new DeploymentState();
    d.id = planId != null ? planId : UUID.randomUUID().toString();
    boolean firstOfPlan = state.deployments.stream().noneMatch(x -> x.id.equals(d.id));
    d.version = version;
    d.appId = appId;
    d.steps = new ArrayList<>(steps.stream().map(ArrayList::new).collect(Collectors.toList()));
    d.original = original == null ? null : original.deepCopy();
    d.target = target == null ? null : target.deepCopy();
    d.startedAt = clock.millis();
    state.deployments.add(d);
    writes.add("marathon", appId, version, d.id, String.valueOf(steps), iso(clock.millis()));
    if (!d.steps.isEmpty() && firstOfPlan) {
      emit(deploymentEvent("deployment_info", d));
      d.announced = true;
    }
    journal(marathonNode(), "marathon", "INFO  Deployment " + d.id + ":" + version + " of " + appId + " started "
        + "(steps " + steps + ")");
    return d;
  }

  private static void stamp(ObjectNode app, String version, String configAt, String scalingAt) {
    app.put("version", version);
    app.putObject("versionInfo").put("lastScalingAt", scalingAt).put("lastConfigChangeAt", configAt);
  }

  String nextVersion() {
    if (planVersion != null) {
      return planVersion;
    }
    long t = Math.max(clock.millis(), state.lastVersionMillis + 1);
    state.lastVersionMillis = t;
    return iso(t);
  }

  public static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString().replaceFirst("(\\.\\d{3})?Z$", "") + String.format(".%03dZ", millis % 1000);
  }

  // ---------------------------------------------------------------- control operations

  public synchronized boolean killTask(String taskId) {
    TaskState t = state.tasks.stream().filter(x -> x.id.equals(taskId)).findFirst().orElse(null);
    if (t == null) {
      return false;
    }
    end(t, "TASK_KILLED", "Killed by the sim control API");
    save();
    return true;
  }

  public synchronized void agentDown(String node) {
    requireAgent(node);
    state.downAgents.add(node);
    for (TaskState t : List.copyOf(state.tasks)) {
      if (t.host.equals(node)) {
        end(t, "TASK_LOST", "Agent " + node + " removed");
      }
    }
    journal(masterNode(), "mesos-master", "W" + " Agent " + state.slaveIds.get(node) + " (" + node + ") disconnected; marking it unreachable");
    save();
  }

  public synchronized void agentUp(String node) {
    requireAgent(node);
    state.downAgents.remove(node);
    journal(masterNode(), "mesos-master", "I Re-registered agent " + state.slaveIds.get(node) + " (" + node + ")");
    save();
  }

  /** The agents of the topology, then those added by {@link #seedLarge}. */
  public synchronized List<Topology.Node> agents() {
    return agentsOf(state);
  }

  public List<Topology.Node> agentsOf(ClusterState s) {
    List<Topology.Node> all = new ArrayList<>(topology.agents());
    all.addAll(s.extraAgents);
    return all;
  }

  /** Most agents and apps one {@link #seedLarge} may add, so a typo cannot take the machine. */
  public static final int SEED_MAX_AGENTS = 1_000;
  public static final int SEED_MAX_APPS = 5_000;
  /** Instances of each seeded app unless asked otherwise, and the most one may ask for. */
  public static final int SEED_INSTANCES = 2;
  public static final int SEED_MAX_INSTANCES = 50;

  /** What {@link #seedLarge} added. */
  public record Seeded(int agents, int apps, int tasks) {}

  /**
   * Adds {@code agents} Mesos agents (8 cpus, 16 GiB, 100 GB disk each) and {@code apps} Marathon apps of
   * {@code instances} instances each (1,000 apps of 10 make 10,000 tasks), created running and healthy as the initial seeding does (no deployment), their tasks spread over the
   * new agents round-robin. For scale tests: the names are {@code scale-agentNNNN} and {@code /scale/teamNN/appNNNN}.
   */
  public synchronized Seeded seedLarge(int agents, int apps) {
    return seedLarge(agents, apps, SEED_INSTANCES);
  }

  public synchronized Seeded seedLarge(int agents, int apps, int instances) {
    if (instances < 1 || instances > SEED_MAX_INSTANCES) {
      throw new ApiError(422, Json.object().put("message", "instances must be between 1 and " + SEED_MAX_INSTANCES + ", got " + instances));
    }
    if (agents < 1 || agents > SEED_MAX_AGENTS) {
      throw new ApiError(422, Json.object().put("message", "agents must be between 1 and " + SEED_MAX_AGENTS + ", got " + agents));
    }
    if (apps < 0 || apps > SEED_MAX_APPS) {
      throw new ApiError(422, Json.object().put("message", "apps must be between 0 and " + SEED_MAX_APPS + ", got " + apps));
    }
    int first = state.extraAgents.size() + 1;
    if (first - 1 + agents > SEED_MAX_AGENTS) {
      throw new ApiError(422, Json.object().put("message", "the sim already has " + (first - 1)
          + " seeded agents; at most " + SEED_MAX_AGENTS + " in all"));
    }
    List<String> names = new ArrayList<>();
    String prefix = UUID.randomUUID().toString();
    for (int i = first; i < first + agents; i++) {
      String name = String.format("scale-agent%04d", i);
      state.extraAgents.add(new Topology.Node(name, "10.99." + (i / 250) + "." + (i % 250 + 1), List.of("mesos-agent"),
          new Topology.Resources(8, 16_384, 100_000)));
      state.slaveIds.put(name, prefix + "-S" + i);
      names.add(name);
    }
    int firstApp = (int) state.apps.keySet().stream().filter(id -> id.startsWith("/scale/")).count() + 1;
    int tasks = 0;
    for (int i = firstApp; i < firstApp + apps; i++) {
      ObjectNode raw = Json.object().put("id", String.format("/scale/team%02d/app%04d", i % 20, i))
          .put("cmd", "sleep infinity").put("instances", instances).put("cpus", 0.1).put("mem", 64);
      raw.putArray("healthChecks").addObject().put("protocol", "COMMAND").putObject("command").put("value", "true");
      ObjectNode app = AppDefinitions.normalize(raw, raw.get("id").asText());
      AppDefinitions.validate(app);
      String version = nextVersion();
      stamp(app, version, version, version);
      AppState s = new AppState();
      s.definition = app;
      s.versions.add(app.deepCopy());
      state.apps.put(app.get("id").asText(), s);
      for (int k = 0; k < instances; k++) {
        TaskState t = launch(s, new Placement.Offer(names.get((instances * (i - firstApp) + k) % names.size()), List.of()), false);
        t.state = "TASK_RUNNING";
        t.startedAt = clock.millis();
        t.alive = t.hcGraceMs >= 0 ? Boolean.TRUE : null;
        t.firstSuccess = t.lastSuccess = t.hcGraceMs >= 0 ? clock.millis() : null;
        t.nextHealthCheckAt = clock.after(t.hcIntervalMs);
        tasks++;
      }
    }
    log.info("sim seeded agents={} apps={} tasks={}", agents, apps, tasks);
    save();
    return new Seeded(agents, apps, tasks);
  }

  private void requireAgent(String node) {
    if (state.extraAgents.stream().anyMatch(n -> n.name().equals(node))) {
      return;
    }
    if (topology.node(node) == null || !topology.node(node).isAgent()) {
      throw new ApiError(404, Json.object().put("message", "no agent named '" + node + "'"));
    }
  }

  public synchronized void markFailing(String image, boolean failing) {
    if (failing) {
      state.failingImages.add(image);
    } else {
      state.failingImages.remove(image);
    }
    save();
  }

  /**
   * Makes an app misbehave (its current image fails: tasks with a health check fail it, others crash soon after
   * they start) or heals it again. Returns the image concerned.
   */
  public synchronized String failApp(String rawId, boolean failing) {
    AppState app = requireApp(AppDefinitions.normalizeId(rawId));
    String image = AppDefinitions.image(app.definition);
    if (image == null) {
      throw new ApiError(422, Json.object().put("message", "app " + rawId + " has no Docker image to fail"));
    }
    markFailing(image, failing);
    return image;
  }

  /**
   * {@code count} task failures of the app at once, as a crash loop produces them: each running or staging task
   * ends TASK_FAILED with {@code message} and a replacement is launched at once (no backoff), over and over.
   */
  public synchronized int crashTasks(String rawId, int count, String message) {
    AppState app = requireApp(AppDefinitions.normalizeId(rawId));
    String appId = app.definition.get("id").asText();
    int done = 0;
    for (int i = 0; i < count; i++) {
      List<TaskState> tasks = tasksOf(appId);
      if (tasks.isEmpty()) {
        if (launch(app, Placement.choose(placement.evaluate(app.definition, state)), true) == null) {
          break;
        }
        tasks = tasksOf(appId);
      }
      end(tasks.get(i % tasks.size()), "TASK_FAILED", message);
      done++;
      app.launchDelayUntil = 0;
      launch(app, Placement.choose(placement.evaluate(app.definition, state)), true);
    }
    save();
    return done;
  }

  /**
   * Sets the time scale for the changes already under way too: what is left of a task's staging, a health check's
   * grace or interval, a back-off or a dataset's move is stretched or shortened by the same factor. Without this a
   * cluster slowed down (to hold a deployment, say) would keep its far-off deadlines after being sped up again.
   */
  public synchronized void rescale(double newScale) {
    double old = clock.scale();
    clock.scale(newScale);
    double factor = old / clock.scale();
    long now = clock.millis();
    for (TaskState t : state.tasks) {
      t.runAt = rescaled(t.runAt, now, factor);
      t.nextHealthCheckAt = rescaled(t.nextHealthCheckAt, now, factor);
    }
    for (AppState app : state.apps.values()) {
      app.launchDelayUntil = rescaled(app.launchDelayUntil, now, factor);
    }
    for (ClusterState.DatasetState ds : state.datasets.values()) {
      ds.phaseUntil = rescaled(ds.phaseUntil, now, factor);
    }
    dirty = true;
  }

  private static long rescaled(long deadline, long now, double factor) {
    return deadline <= now ? deadline : now + Math.round((deadline - now) * factor);
  }

  /** Advances simulated time in one-second steps so every transition on the way happens in order. */
  public synchronized void advance(long simMillis) {
    long done = 0;
    while (done < simMillis) {
      long step = Math.min(1_000, simMillis - done);
      clock.advance(step);
      done += step;
      tickLocked();
    }
    save();
  }

  // ---------------------------------------------------------------- the tick

  private void tickLocked() {
    long now = clock.millis();
    progressTasks(now);
    // each app's tasks, indexed once per tick (filtering every task for every app is apps x tasks per tick);
    // reconciling an app only ends and launches tasks of that app, so the others' entries stay true
    Map<String, List<TaskState>> tasksByApp = state.tasksByApp();
    for (AppState app : List.copyOf(state.apps.values())) {
      reconcile(app, now, tasksByApp.getOrDefault(app.definition.get("id").asText(), List.of()));
    }
    killOrphans();
    progressDeployments();
    progressDatasets(now);
    noteAgentsDown(now);
  }

  /** When each agent that is down went away (what Mesos' master times its unreachable agents by). */
  private void noteAgentsDown(long now) {
    if (state.agentsDownSince.keySet().retainAll(state.downAgents)) {
      dirty = true;
    }
    for (String node : state.downAgents) {
      if (state.agentsDownSince.putIfAbsent(node, now) == null) {
        dirty = true;
      }
    }
  }

  private void progressTasks(long now) {
    for (TaskState t : List.copyOf(state.tasks)) {
      if (t.state.equals("TASK_STAGING") && now >= t.runAt) {
        t.state = "TASK_RUNNING";
        t.startedAt = now;
        t.nextHealthCheckAt = t.hcGraceMs >= 0 ? now + clock.scaled(t.hcGraceMs) : now;
        statusUpdate(t);
        journal(t.host, "mesos-slave", "I Task " + t.id + " of framework " + state.frameworkId + " is now TASK_RUNNING");
        journal(t.host, "docker", "time=\"" + iso(now) + "\" level=info msg=\"container " + t.containerId.substring(0, 12) + " started\" image=" + t.image);
        dirty = true;
      }
      if (!t.state.equals("TASK_RUNNING")) {
        continue;
      }
      boolean failing = t.image != null && state.failingImages.contains(t.image);
      if (t.hcGraceMs < 0) {
        if (failing && now >= t.startedAt + clock.scaled(CRASH_AFTER_MS)) {
          end(t, "TASK_FAILED", "Container exited with status 1");
        }
        continue;
      }
      if (now < t.nextHealthCheckAt) {
        continue;
      }
      t.nextHealthCheckAt = now + clock.scaled(Math.max(1_000, t.hcIntervalMs));
      if (!failing) {
        if (t.consecutiveFailures != 0 || t.firstSuccess == null || !Boolean.TRUE.equals(t.alive)) {
          dirty = true;
        } else {
          bookkeeping = true; // one more passing check of a healthy task: only its timestamps moved
        }
        t.consecutiveFailures = 0;
        t.lastSuccess = now;
        if (t.firstSuccess == null) {
          t.firstSuccess = now;
        }
        if (!Boolean.TRUE.equals(t.alive)) {
          t.alive = true;
          healthChanged(t);
        }
        continue;
      }
      dirty = true;
      t.consecutiveFailures++;
      t.lastFailure = now;
      emit(event("failed_health_check_event").put("appId", t.appId).put("taskId", t.id).put("instanceId", t.id)
          .put("version", t.version).set("healthCheck", firstHealthCheck(t.appId)));
      if (!Boolean.FALSE.equals(t.alive)) {
        t.alive = false;
        healthChanged(t);
      }
      if (t.consecutiveFailures >= t.hcMaxFailures) {
        emit(event("unhealthy_task_kill_event").put("appId", t.appId).put("taskId", t.id).put("instanceId", t.id)
            .put("version", t.version).put("reason", "HTTP 500").put("host", t.host).put("slaveId", t.slaveId));
        journal(marathonNode(), "marathon", "INFO  Killing unhealthy task " + t.id + " of " + t.appId
            + " after " + t.consecutiveFailures + " failed health checks");
        end(t, "TASK_KILLED", "Killed after failing health checks");
      }
    }
  }

  private JsonNode firstHealthCheck(String appId) {
    AppState a = state.apps.get(appId);
    return a == null ? Json.object() : a.definition.path("healthChecks").path(0).deepCopy();
  }

  private void healthChanged(TaskState t) {
    emit(event("health_status_changed_event").put("appId", t.appId).put("taskId", t.id).put("instanceId", t.id)
        .put("version", t.version).put("alive", t.alive));
    journal(marathonNode(), "marathon", "INFO  Health status of task " + t.id + " of " + t.appId + " changed to "
        + (t.alive ? "healthy" : "unhealthy"));
  }

  /** Moves one app towards its definition, honouring the upgrade strategy while a deployment runs. */
  private void reconcile(AppState app, long now, List<TaskState> tasks) {
    String appId = app.definition.get("id").asText();
    int n = app.definition.get("instances").asInt();
    String configAt = app.definition.path("versionInfo").path("lastConfigChangeAt").asText();
    boolean deploying = state.deployments.stream().anyMatch(d -> d.appId.equals(appId));
    List<TaskState> cur = new ArrayList<>();
    List<TaskState> old = new ArrayList<>();
    for (TaskState t : tasks) {
      (t.configVersion.equals(configAt) || !deploying ? cur : old).add(t);
    }
    // Scale down: youngest (or oldest) first, unhealthy and staging ones before healthy ones.
    Comparator<Long> byAge = "OLDEST_FIRST".equals(app.definition.path("killSelection").asText())
        ? Comparator.naturalOrder() : Comparator.reverseOrder();
    Comparator<TaskState> victimOrder = Comparator.comparing((TaskState t) -> healthy(t) ? 1 : 0)
        .thenComparing((TaskState t) -> t.stagedAt, byAge);
    if (cur.size() > n) {
      cur.sort(victimOrder); // only a scale-down picks victims among the current tasks (the order matters nowhere else)
    }
    while (cur.size() > n) {
      end(cur.remove(0), "TASK_KILLED", "Scaled down");
    }
    if (!old.isEmpty()) {
      double m = app.definition.path("upgradeStrategy").path("minimumHealthCapacity").asDouble(1);
      int minHealthy = (int) Math.ceil(n * m);
      old.sort(victimOrder);
      int healthyTotal = (int) (cur.stream().filter(this::healthy).count() + old.stream().filter(this::healthy).count());
      while (!old.isEmpty()) {
        TaskState victim = old.get(0);
        int after = healthyTotal - (healthy(victim) ? 1 : 0);
        boolean excess = old.size() + cur.size() > Math.max(n, maxCapacity(app, n)) || n == 0;
        if (after < minHealthy && !excess) {
          break;
        }
        old.remove(0);
        healthyTotal = after;
        end(victim, "TASK_KILLED", "Replaced by a new version");
      }
    }
    int cap = old.isEmpty() ? n : maxCapacity(app, n);
    if (!old.isEmpty() && cur.size() + old.size() >= cap && cur.stream().noneMatch(t -> !healthy(t))) {
      // Neither a kill nor a launch is allowed (minimumHealthCapacity 1, maximumOverCapacity 0): replace one at a time.
      if (cur.size() + old.size() >= cap && (int) Math.ceil(n * app.definition.path("upgradeStrategy").path("minimumHealthCapacity").asDouble(1)) >= n) {
        TaskState victim = old.remove(0);
        end(victim, "TASK_KILLED", "Replaced by a new version");
      }
    }
    int missing = n - cur.size();
    boolean room = cur.size() + old.size() < Math.max(cap, n);
    app.queued = 0;
    if (missing > 0 && room) {
      if (now < app.launchDelayUntil) {
        app.queued = missing; // backed off after failures: no offers are looked at until the delay is over
      } else if (app.launchAttempt != null && now < app.launchAttempt.nextRoundAt) {
        app.queued = missing; // waiting for the next round of offers
      } else {
        Set<String> used = new HashSet<>();
        List<Placement.Verdict> last = List.of();
        while (missing > 0 && cur.size() + old.size() < Math.max(cap, n)) {
          last = placement.evaluate(app.definition, state);
          TaskState t = launch(app, Placement.choose(last), true);
          if (t == null) {
            app.queued = missing;
            break;
          }
          used.add(t.host);
          cur.add(t);
          missing--;
        }
        if (app.queued > 0) {
          if (app.launchAttempt == null) {
            app.launchAttempt = LaunchAttempt.startingAt(now);
          }
          app.launchAttempt.round(now, last, used, state.slaveIds);
          dirty = true;
        }
      }
      if (app.queued > 0 && app.launchAttempt == null) {
        app.launchAttempt = LaunchAttempt.startingAt(now);
      }
    }
    if (app.queued == 0 && app.launchAttempt != null) {
      app.launchAttempt = null; // the launch attempt is over: every instance got an offer
      dirty = true;
    }
  }

  private int maxCapacity(AppState app, int n) {
    double o = app.definition.path("upgradeStrategy").path("maximumOverCapacity").asDouble(1);
    return (int) Math.floor(n + n * o);
  }

  boolean healthy(TaskState t) {
    return t.state.equals("TASK_RUNNING") && (t.hcGraceMs < 0 || Boolean.TRUE.equals(t.alive));
  }

  private void killOrphans() {
    // a hash set: looking each task's app up in the sorted map compares long, alike ids, on every tick
    Set<String> appIds = new HashSet<>(state.apps.keySet());
    List<TaskState> orphans = state.tasks.stream().filter(t -> !appIds.contains(t.appId)).toList();
    for (TaskState t : orphans) {
      end(t, "TASK_KILLED", "App deleted");
    }
  }

  /** Launches one task of the app's current version on the offer; null when there is no offer that fits. */
  private TaskState launch(AppState app, Placement.Offer offer, boolean announce) {
    ObjectNode def = app.definition;
    String appId = def.get("id").asText();
    if (offer == null) {
      return null;
    }
    TaskState t = new TaskState();
    t.id = appId.substring(1).replace('/', '_') + "." + UUID.randomUUID();
    t.appId = appId;
    t.host = offer.node();
    t.slaveId = state.slaveIds.get(offer.node());
    t.ports = new ArrayList<>(offer.ports());
    t.state = "TASK_STAGING";
    t.stagedAt = clock.millis();
    t.runAt = t.stagedAt + clock.scaled(STAGING_MS);
    t.version = def.get("version").asText();
    t.configVersion = def.path("versionInfo").path("lastConfigChangeAt").asText();
    t.image = AppDefinitions.image(def);
    t.cpus = def.get("cpus").asDouble();
    t.mem = def.get("mem").asDouble();
    t.disk = def.get("disk").asDouble();
    t.ipAddress = "10.32.0." + state.nextIpSuffix;
    state.nextIpSuffix = state.nextIpSuffix >= 254 ? 2 : state.nextIpSuffix + 1;
    t.containerId = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    JsonNode hc = def.path("healthChecks").path(0);
    if (hc.isObject()) {
      t.hcGraceMs = hc.path("gracePeriodSeconds").asLong(300) * 1000;
      t.hcIntervalMs = hc.path("intervalSeconds").asLong(60) * 1000;
      t.hcMaxFailures = Math.max(1, hc.path("maxConsecutiveFailures").asInt(3));
    }
    state.tasks.add(t);
    dirty = true;
    if (announce) {
      statusUpdate(t);
      journal(masterNode(), "mesos-master", "I Launching task " + t.id + " of framework " + state.frameworkId
          + " with resources cpus(*):" + t.cpus + "; mem(*):" + t.mem + "; ports(*):" + t.ports + " on agent "
          + t.slaveId + " (" + t.host + ")");
      journal(t.host, "mesos-slave", "I Launching task " + t.id + " for framework " + state.frameworkId);
      journal(marathonNode(), "marathon", "INFO  Launched task " + t.id + " of " + appId + " version " + t.version
          + " on " + t.host);
    }
    return t;
  }

  private void end(TaskState t, String status, String message) {
    state.tasks.remove(t);
    t.state = status;
    t.message = message;
    t.endedAt = clock.millis();
    state.completedTasks.add(t);
    while (state.completedTasks.size() > COMPLETED_LIMIT) {
      state.completedTasks.remove(0);
    }
    statusUpdate(t);
    journal(t.host, "mesos-slave", "I Task " + t.id + " is in terminal state " + status + ": " + message);
    AppState app = state.apps.get(t.appId);
    if (app != null && (status.equals("TASK_FAILED") || message.startsWith("Killed after failing"))) {
      ObjectNode failure = Json.object().put("appId", t.appId).put("host", t.host).put("message", message)
          .put("state", status).put("taskId", t.id).put("timestamp", iso(clock.millis())).put("version", t.version)
          .put("slaveId", t.slaveId);
      app.lastTaskFailure = failure;
      app.backoffMs = nextBackoff(app);
      app.launchDelayUntil = clock.after(app.backoffMs);
    }
    dirty = true;
  }

  /** Marathon's launch back-off: backoffSeconds, times backoffFactor after each further failure, up to maxLaunchDelaySeconds. */
  private static long nextBackoff(AppState app) {
    ObjectNode def = app.definition;
    long first = Math.round(def.path("backoffSeconds").asDouble(1) * 1000);
    long max = Math.round(def.path("maxLaunchDelaySeconds").asDouble(3600) * 1000);
    long next = app.backoffMs == 0 ? first : Math.round(app.backoffMs * def.path("backoffFactor").asDouble(1.15));
    return Math.min(max, next);
  }

  /**
   * DELETE /v2/queue/{id}/delay: launches the app's waiting instances without waiting out the back-off; false when
   * none of its instances wait in the queue.
   */
  public synchronized boolean resetDelay(String rawId) {
    AppState app = state.apps.get(AppDefinitions.normalizeId(rawId));
    if (app == null || app.queued <= 0) {
      return false;
    }
    app.launchDelayUntil = 0;
    app.backoffMs = 0;
    if (app.launchAttempt != null) {
      app.launchAttempt.nextRoundAt = 0;
    }
    save();
    return true;
  }

  private void progressDeployments() {
    for (DeploymentState d : List.copyOf(state.deployments)) {
      if (d.done) {
        continue;
      }
      if (d.steps.isEmpty()) {
        finish(d);
        continue;
      }
      boolean advanced = true;
      while (advanced && state.deployments.contains(d) && !d.done) {
        advanced = false;
        String action = d.steps.get(d.currentStep).get(0);
        if (stepDone(d, action)) {
          emit(deploymentEvent("deployment_step_success", d));
          if (d.currentStep + 1 >= d.steps.size()) {
            finish(d);
          } else {
            d.currentStep++;
            emit(deploymentEvent("deployment_info", d));
            advanced = true;
          }
          dirty = true;
        }
      }
    }
  }

  private boolean stepDone(DeploymentState d, String action) {
    switch (action) {
      case "StartApplication":
        return true;
      case "StopApplication":
        return tasksOf(d.appId).isEmpty();
      default:
        AppState app = state.apps.get(d.appId);
        if (app == null) {
          return true;
        }
        String configAt = app.definition.path("versionInfo").path("lastConfigChangeAt").asText();
        List<TaskState> tasks = tasksOf(d.appId);
        return tasks.size() == app.definition.get("instances").asInt()
            && tasks.stream().allMatch(t -> t.configVersion.equals(configAt) && healthy(t));
    }
  }

  /**
   * One app's part of a plan is done. The plan (and its lock on every app it changes) ends when its last app is
   * done: then deployment_success, once.
   */
  private void finish(DeploymentState d) {
    d.done = true;
    dirty = true;
    List<DeploymentState> plan = state.deployments.stream().filter(x -> x.id.equals(d.id)).toList();
    if (plan.stream().allMatch(x -> x.done)) {
      state.deployments.removeAll(plan);
      emit(deploymentEvent("deployment_success", d).put("id", d.id));
      journal(marathonNode(), "marathon", "INFO  Deployment " + d.id + ":" + d.version + " finished");
    }
  }

  List<TaskState> tasksOf(String appId) {
    return state.tasks.stream().filter(t -> t.appId.equals(appId)).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- Flocker

  public synchronized String flockerTag() {
    return "config-" + Long.toHexString(state.flockerGeneration * 0x9E3779B97F4A7C15L);
  }

  public synchronized DatasetState createDataset(String datasetId, String primary, long maximumSize,
                                                 Map<String, String> metadata) {
    String id = datasetId == null ? UUID.randomUUID().toString() : datasetId;
    if (state.datasets.containsKey(id)) {
      throw new ApiError(409, Json.object().put("description", "The provided dataset_id is already in use."));
    }
    DatasetState ds = new DatasetState();
    ds.datasetId = id;
    ds.primary = primary;
    ds.maximumSize = maximumSize;
    if (metadata != null) {
      ds.metadata.putAll(metadata);
    }
    ds.phase = "creating";
    ds.phaseUntil = clock.after(FLOCKER_LAG_MS);
    state.datasets.put(id, ds);
    state.flockerGeneration++;
    save();
    return ds;
  }

  public synchronized DatasetState moveDataset(String datasetId, String primary, String ifMatches) {
    DatasetState ds = liveDataset(datasetId);
    checkTag(ifMatches);
    if (!Objects.equals(ds.primary, primary)) {
      ds.primary = primary;
      if (ds.phase.equals("steady")) {
        ds.phase = "leaving";
        ds.phaseUntil = clock.after(FLOCKER_LAG_MS);
      }
      state.flockerGeneration++;
      writes.add("flocker", datasetId, primary, null, "move", iso(clock.millis()));
      journal(topology.nodeWith("flocker-control").name(), "flocker-control", "Dataset " + datasetId
          + " configured to move to " + primary);
    }
    save();
    return ds;
  }

  public synchronized DatasetState deleteDataset(String datasetId, String ifMatches) {
    DatasetState ds = liveDataset(datasetId);
    checkTag(ifMatches);
    ds.deleted = true;
    ds.phase = "deleting";
    ds.phaseUntil = clock.after(FLOCKER_LAG_MS);
    state.flockerGeneration++;
    save();
    return ds;
  }

  private DatasetState liveDataset(String datasetId) {
    DatasetState ds = state.datasets.get(datasetId);
    if (ds == null || ds.deleted) {
      throw new ApiError(404, Json.object().put("description", "Dataset not found."));
    }
    return ds;
  }

  private void checkTag(String ifMatches) {
    if (ifMatches != null && !ifMatches.equals(flockerTag())) {
      throw new ApiError(412, Json.object().put("description", "The provided configuration tag does not match the current configuration."));
    }
  }

  private void progressDatasets(long now) {
    for (DatasetState ds : List.copyOf(state.datasets.values())) {
      if (ds.phase.equals("steady") || now < ds.phaseUntil) {
        continue;
      }
      switch (ds.phase) {
        case "leaving" -> {
          ds.statePrimary = null;
          ds.phase = "moving";
          ds.phaseUntil = now + clock.scaled(Math.max(1_000, ds.maximumSize * FLOCKER_MS_PER_GIB / GIB));
        }
        case "deleting" -> state.datasets.remove(ds.datasetId);
        default -> {
          ds.statePrimary = ds.primary;
          ds.phase = "steady";
          journal(nodeOfUuid(ds.primary), "flocker-dataset-agent", "Dataset " + ds.datasetId + " is now mounted at /flocker/" + ds.datasetId);
        }
      }
      dirty = true;
    }
  }

  private String nodeOfUuid(String uuid) {
    return state.flockerNodeUuids.entrySet().stream().filter(e -> e.getValue().equals(uuid)).map(Map.Entry::getKey)
        .findFirst().orElse(topology.nodeWith("flocker-control").name());
  }

  // ---------------------------------------------------------------- events and journal

  private ObjectNode event(String type) {
    return Json.object().put("eventType", type).put("timestamp", iso(clock.millis()));
  }

  private ObjectNode deploymentEvent(String type, DeploymentState d) {
    ObjectNode e = event(type);
    ObjectNode plan = e.putObject("plan");
    plan.put("id", d.id);
    plan.set("original", rootGroup(d.original, d.appId, d.version));
    plan.set("target", rootGroup(d.target, d.appId, d.version));
    plan.set("steps", steps(d));
    plan.put("version", d.version);
    if (!d.steps.isEmpty()) {
      e.set("currentStep", steps(d).get(Math.min(d.currentStep, d.steps.size() - 1)));
    }
    return e;
  }

  public ArrayNode steps(DeploymentState d) {
    ArrayNode steps = Json.array();
    for (List<String> step : d.steps) {
      ArrayNode actions = steps.addObject().putArray("actions");
      step.forEach(a -> actions.addObject().put("action", a).put("app", d.appId));
    }
    return steps;
  }

  private ObjectNode rootGroup(ObjectNode affected, String appId, String version) {
    ObjectNode g = Json.object().put("id", "/");
    ArrayNode apps = g.putArray("apps");
    for (AppState a : state.apps.values()) {
      if (!a.definition.get("id").asText().equals(appId)) {
        apps.add(a.definition.deepCopy());
      }
    }
    if (affected != null) {
      apps.add(affected.deepCopy());
    }
    g.putArray("groups");
    g.putArray("dependencies");
    g.put("version", version);
    return g;
  }

  private void statusUpdate(TaskState t) {
    ObjectNode e = event("status_update_event").put("slaveId", t.slaveId).put("taskId", t.id)
        .put("taskStatus", t.state).put("message", t.message).put("appId", t.appId).put("host", t.host);
    e.putArray("ipAddresses").addObject().put("ipAddress", t.ipAddress).put("protocol", "IPv4");
    ArrayNode ports = e.putArray("ports");
    t.ports.forEach(ports::add);
    e.put("version", t.version);
    emit(e);
    journal(marathonNode(), "marathon", "INFO  Received status update for task " + t.id + ": " + t.state
        + (t.message.isEmpty() ? "" : " (" + t.message + ")"));
  }

  private void emit(ObjectNode event) {
    dirty = true;
    for (Consumer<ObjectNode> l : listeners) {
      l.accept(event);
    }
  }

  private void journal(String node, String unit, String message) {
    state.journal.add(new LogRecord(clock.millis(), node, unit, message));
    if (state.journal.size() > JOURNAL_LIMIT) {
      state.journal.subList(0, state.journal.size() - JOURNAL_LIMIT).clear();
    }
  }

  private String marathonNode() {
    return topology.nodeWith("marathon").name();
  }

  private String masterNode() {
    return topology.nodeWith("mesos-master").name();
  }
}
