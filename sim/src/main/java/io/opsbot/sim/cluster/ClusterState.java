package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the emulated cluster remembers, persisted as JSON after each change. Mutable on purpose: it is only
 * touched while holding the {@link ClusterModel}'s lock, and Jackson reads and writes the public fields directly.
 */
public final class ClusterState {
  public long simTimeMillis;
  public long savedAtWallMillis;
  public long lastVersionMillis;
  public String frameworkId;
  public Map<String, String> slaveIds = new LinkedHashMap<>();
  /** Agents added at run time by POST /_sim/seed, beyond the topology's. */
  public List<Topology.Node> extraAgents = new ArrayList<>();
  public Map<String, String> flockerNodeUuids = new LinkedHashMap<>();
  public Map<String, String> weavePeerNames = new LinkedHashMap<>();
  public Map<String, AppState> apps = new TreeMap<>();
  public List<TaskState> tasks = new ArrayList<>();
  public List<TaskState> completedTasks = new ArrayList<>();
  public List<DeploymentState> deployments = new ArrayList<>();
  public Map<String, DatasetState> datasets = new LinkedHashMap<>();
  public long flockerGeneration;
  public Map<String, RepoState> repositories = new TreeMap<>();
  public TreeSet<String> failingImages = new TreeSet<>();
  public TreeSet<String> downAgents = new TreeSet<>();
  /** Simulated time each agent in downAgents was first seen down. */
  public Map<String, Long> agentsDownSince = new TreeMap<>();
  public List<LogRecord> journal = new ArrayList<>();
  public int nextIpSuffix = 2;
  /** Marathon groups created explicitly (id → version of their last change); others exist through their apps' ids. */
  public Map<String, String> groups = new TreeMap<>();
  /** Top-level groups whose enforceRole was set by PATCH /v2/groups/{id}. */
  public Map<String, Boolean> enforceRole = new TreeMap<>();
  /** Marathon's http_callback event subscribers (POST /v2/eventSubscriptions). */
  public TreeSet<String> eventSubscribers = new TreeSet<>();

  /** The running tasks by app id, in one pass (filtering every task for each app costs apps x tasks). */
  public Map<String, List<TaskState>> tasksByApp() {
    Map<String, List<TaskState>> byApp = new LinkedHashMap<>();
    for (TaskState t : tasks) {
      byApp.computeIfAbsent(t.appId, id -> new ArrayList<>()).add(t);
    }
    return byApp;
  }

  /** One Marathon app: its current definition (with version and versionInfo) and every stored version. */
  public static final class AppState {
    public ObjectNode definition;
    public List<ObjectNode> versions = new ArrayList<>();
    public ObjectNode lastTaskFailure;
    public long launchDelayUntil;
    /** The current back-off after failed tasks (0: none); grows by backoffFactor up to maxLaunchDelaySeconds. */
    public long backoffMs;
    /** Instances waiting in the launch queue (for offers or out of a back-off delay). */
    public int queued;
    /** Offers processed for the instances waiting; null when none wait. */
    public LaunchAttempt launchAttempt;
  }

  /** One Mesos task launched by Marathon. */
  public static final class TaskState {
    public String id;
    public String appId;
    public String host;
    public String slaveId;
    public List<Integer> ports = new ArrayList<>();
    public String state;
    public long stagedAt;
    public long runAt;
    public Long startedAt;
    public String version;
    public String configVersion;
    public String image;
    public double cpus;
    public double mem;
    public double disk;
    public String ipAddress;
    public String containerId;
    public Boolean alive;
    public long nextHealthCheckAt;
    public int consecutiveFailures;
    public Long firstSuccess;
    public Long lastSuccess;
    public Long lastFailure;
    public Long endedAt;
    /** Health check of the version it runs: grace and interval in ms, -1 grace when there is none. */
    public long hcGraceMs = -1;
    public long hcIntervalMs;
    public int hcMaxFailures;
    public String message = "";
  }

  /** A Marathon deployment: its steps of actions, where it is, and the definitions it goes from and to. */
  public static final class DeploymentState {
    public String id;
    public String version;
    public String appId;
    public List<List<String>> steps = new ArrayList<>();
    public int currentStep;
    public ObjectNode original;
    public ObjectNode target;
    public long startedAt;
    public boolean announced;
    /** This app's part is done; the plan ends when every app's part is (several apps: a group, PUT /v2/apps). */
    public boolean done;
  }

  /** A Flocker dataset: desired configuration and the state the agents report, which lags behind. */
  public static final class DatasetState {
    public String datasetId;
    public String primary;
    public long maximumSize;
    public Map<String, String> metadata = new TreeMap<>();
    public boolean deleted;
    /** Where the agents report it; null while it is moving or being created. */
    public String statePrimary;
    public String phase = "steady";
    public long phaseUntil;
  }

  /** A registry repository: tag → manifest digest, digest → manifest. */
  public static final class RepoState {
    public Map<String, String> tags = new TreeMap<>();
    public Map<String, ManifestState> manifests = new LinkedHashMap<>();
  }

  public static final class ManifestState {
    public String mediaType;
    public String body;
  }

  /** One line of a service's journal on a node. */
  public static final class LogRecord {
    public long t;
    public String node;
    public String unit;
    public String message;

    public LogRecord() {}

    public LogRecord(long t, String node, String unit, String message) {
      this.t = t;
      this.node = node;
      this.unit = unit;
      this.message = message;
    }
  }
}
