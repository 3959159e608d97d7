package io.opsbot.sim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.http.ApiError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Marathon's checks on an app definition (400 for wrong JSON types, 422 for invalid values) and its defaults. */
public final class AppDefinitions {

  static final String ID_SEGMENT = "^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$";
  private static final Pattern SEGMENT = Pattern.compile(ID_SEGMENT);
  static final List<String> OPERATORS = List.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS", "IN");
  /** Marathon's reserved keywords: an id ending with one would clash with a sub-resource's path. */
  static final List<String> RESERVED_LAST_SEGMENTS = List.of("restart", "tasks", "versions", ".", "..");
  private static final Set<String> HC_PROTOCOLS = Set.of("HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_HTTP",
      "MESOS_HTTPS", "MESOS_TCP");
  /** Fields that do not make a task different: changing only these scales, never restarts. */
  static final Set<String> NON_CONFIG = Set.of("instances", "version", "versionInfo", "tasks", "deployments",
      "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "lastTaskFailure");

  private AppDefinitions() {}

  /** Parses a request body into a JSON object, or answers Marathon's 400 "Invalid JSON". */
  public static ObjectNode parse(byte[] body) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      String why = e.getMessage() == null ? "malformed JSON" : e.getMessage().split("\n")[0];
      throw invalidJson(List.of(detail("/", why)));
    }
    if (node == null || !node.isObject()) {
      throw invalidJson(List.of(detail("/", "error.expected.jsobject")));
    }
    return (ObjectNode) node;
  }

  /** Parses a request body that must be a JSON array of objects (PUT /v2/apps), or answers 400. */
  public static ArrayNode parseArray(byte[] body) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      String why = e.getMessage() == null ? "malformed JSON" : e.getMessage().split("\n")[0];
      throw invalidJson(List.of(detail("/", why)));
    }
    if (node == null || !node.isArray()) {
      throw invalidJson(List.of(detail("/", "error.expected.jsarray")));
    }
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isObject()) {
        throw invalidJson(List.of(detail("/(" + i + ")", "error.expected.jsobject")));
      }
    }
    return (ArrayNode) node;
  }

  /** Type checks (400), as Marathon's JSON reader does before validation. */
  public static void checkTypes(ObjectNode app) {
    List<ObjectNode> details = new ArrayList<>();
    typed(app, "id", JsonNode::isTextual, "error.expected.jsstring", details);
    typed(app, "cmd", JsonNode::isTextual, "error.expected.jsstring", details);
    typed(app, "instances", JsonNode::isIntegralNumber, "error.expected.jsnumber", details);
    typed(app, "cpus", JsonNode::isNumber, "error.expected.jsnumber", details);
    typed(app, "mem", JsonNode::isNumber, "error.expected.jsnumber", details);
    typed(app, "disk", JsonNode::isNumber, "error.expected.jsnumber", details);
    typed(app, "constraints", JsonNode::isArray, "error.expected.jsarray", details);
    typed(app, "healthChecks", JsonNode::isArray, "error.expected.jsarray", details);
    typed(app, "args", JsonNode::isArray, "error.expected.jsarray", details);
    typed(app, "env", JsonNode::isObject, "error.expected.jsobject", details);
    typed(app, "labels", JsonNode::isObject, "error.expected.jsobject", details);
    typed(app, "container", JsonNode::isObject, "error.expected.jsobject", details);
    typed(app, "upgradeStrategy", JsonNode::isObject, "error.expected.jsobject", details);
    if (!details.isEmpty()) {
      throw invalidJson(details);
    }
  }

  private static void typed(ObjectNode app, String field, java.util.function.Predicate<JsonNode> ok, String error,
                            List<ObjectNode> details) {
    JsonNode v = app.get(field);
    if (v != null && !v.isNull() && !ok.test(v)) {
      details.add(detail("/" + field, error));
    }
  }

  /** Value checks (422) on a complete, normalized definition. */
  public static void validate(ObjectNode app) {
    List<ObjectNode> details = new ArrayList<>();
    String id = app.path("id").asText("");
    if (id.isEmpty() || id.equals("/")) {
      details.add(detail("/id", "must not be empty"));
    }
    for (String segment : id.replaceFirst("^/", "").split("/")) {
      if (!SEGMENT.matcher(segment).matches()) {
        details.add(detail("/id", "must fully match regular expression '" + ID_SEGMENT + "'"));
        break;
      }
    }
    String last = id.substring(id.lastIndexOf('/') + 1);
    if (RESERVED_LAST_SEGMENTS.contains(last)) {
      details.add(detail("/id", "must not end with any of the following reserved keywords: "
          + String.join(", ", RESERVED_LAST_SEGMENTS)));
    }
    long instances = app.path("instances").asLong();
    if (instances < 0) {
      details.add(detail("/instances", "got " + instances + ", expected 0 or more"));
    }
    double cpus = app.path("cpus").asDouble();
    if (!(cpus > 0)) {
      details.add(detail("/cpus", "got " + cpus + ", expected more than 0.0"));
    }
    for (String field : List.of("mem", "disk")) {
      double v = app.path(field).asDouble();
      if (v < 0) {
        details.add(detail("/" + field, "got " + v + ", expected 0.0 or more"));
      }
    }
    boolean hasCmd = app.hasNonNull("cmd") || (app.has("args") && app.get("args").size() > 0);
    if (!hasCmd && !app.hasNonNull("container")) {
      details.add(detail("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."));
    }
    ArrayNode constraints = (ArrayNode) app.path("constraints");
    for (int i = 0; i < constraints.size(); i++) {
      String problem = constraintProblem(constraints.get(i));
      if (problem != null) {
        details.add(detail("/constraints(" + i + ")", problem));
      }
    }
    for (String field : List.of("minimumHealthCapacity", "maximumOverCapacity")) {
      double v = app.path("upgradeStrategy").path(field).asDouble();
      if (v > 1) {
        details.add(detail("/upgradeStrategy/" + field, "is greater than 1"));
      } else if (v < 0) {
        details.add(detail("/upgradeStrategy/" + field, "is less than 0"));
      }
    }
    JsonNode hcs = app.path("healthChecks");
    for (int i = 0; i < hcs.size(); i++) {
      String protocol = hcs.get(i).path("protocol").asText("HTTP");
      if (!HC_PROTOCOLS.contains(protocol)) {
        details.add(detail("/healthChecks(" + i + ")/protocol", "error.unknown.enum.literal"));
      }
      if ((protocol.contains("HTTP") || protocol.contains("TCP")) && hcs.get(i).path("portIndex").asInt() >= portCount(app)
          && !hcs.get(i).has("port")) {
        details.add(detail("/healthChecks(" + i + ")", "Health check port indices must address an element of the ports array or container port mappings."));
      }
    }
    if (!details.isEmpty()) {
      ObjectNode body = Json.object().put("message", "Object is not valid");
      body.putArray("details").addAll(details);
      throw new ApiError(422, body);
    }
  }

  static String constraintProblem(JsonNode c) {
    if (!c.isArray() || c.size() < 2 || c.size() > 3) {
      return "Each constraint must have either 2 or 3 fields";
    }
    for (JsonNode part : c) {
      if (!part.isTextual()) {
        return "Each constraint must have either 2 or 3 fields";
      }
    }
    String op = c.get(1).asText();
    if (!OPERATORS.contains(op)) {
      return "Constraint operator must be one of the following: [" + String.join(", ", OPERATORS) + "]";
    }
    String value = c.size() == 3 ? c.get(2).asText() : null;
    switch (op) {
      case "CLUSTER", "IS", "IN", "LIKE", "UNLIKE", "MAX_PER" -> {
        if (value == null || value.isEmpty()) {
          return "Missing value";
        }
      }
      default -> { }
    }
    if (op.equals("LIKE") || op.equals("UNLIKE")) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        return "'" + value + "' is not a valid regular expression";
      }
    }
    if (op.equals("MAX_PER") && !value.matches("\\d+")) {
      return "Value was not an integer";
    }
    return null;
  }

  /** Fills in Marathon's defaults so stored and returned definitions look like Marathon's. */
  public static ObjectNode normalize(ObjectNode in, String id) {
    ObjectNode app = in.deepCopy();
    app.put("id", normalizeId(id == null ? app.path("id").asText("") : id));
    defaults(app, Map.of("instances", 1, "cpus", 1.0, "mem", 128.0, "disk", 0.0, "gpus", 0,
        "backoffSeconds", 1, "backoffFactor", 1.15, "maxLaunchDelaySeconds", 3600, "executor", "",
        "killSelection", "YOUNGEST_FIRST"));
    for (String f : List.of("constraints", "uris", "fetch", "storeUrls", "healthChecks", "readinessChecks",
        "dependencies", "acceptedResourceRoles")) {
      if (!app.hasNonNull(f)) {
        app.putArray(f);
      }
    }
    for (String f : List.of("env", "labels", "secrets")) {
      if (!app.hasNonNull(f)) {
        app.putObject(f);
      }
    }
    for (String f : List.of("cmd", "args", "user", "container", "ipAddress", "residency")) {
      if (!app.has(f)) {
        app.putNull(f);
      }
    }
    app.put("requirePorts", app.path("requirePorts").asBoolean(false));
    ObjectNode strategy = app.hasNonNull("upgradeStrategy") ? (ObjectNode) app.get("upgradeStrategy") : app.putObject("upgradeStrategy");
    if (!strategy.has("minimumHealthCapacity")) {
      strategy.put("minimumHealthCapacity", 1.0);
    }
    if (!strategy.has("maximumOverCapacity")) {
      strategy.put("maximumOverCapacity", 1.0);
    }
    if (!app.hasNonNull("unreachableStrategy")) {
      app.putObject("unreachableStrategy").put("inactiveAfterSeconds", 0).put("expungeAfterSeconds", 0);
    }
    for (JsonNode hc : app.get("healthChecks")) {
      if (hc.isObject()) {
        ObjectNode h = (ObjectNode) hc;
        defaults(h, Map.of("protocol", "HTTP", "gracePeriodSeconds", 300, "intervalSeconds", 60,
            "timeoutSeconds", 20, "maxConsecutiveFailures", 3, "delaySeconds", 15, "ignoreHttp1xx", false));
        if (h.path("protocol").asText().contains("HTTP") && !h.has("path")) {
          h.put("path", "/");
        }
        if (!h.has("port") && !h.has("portIndex") && !h.path("protocol").asText().equals("COMMAND")) {
          h.put("portIndex", 0);
        }
      }
    }
    if (!app.has("portDefinitions")) {
      ArrayNode defs = app.putArray("portDefinitions");
      if (mappings(app).isEmpty() && !app.path("container").path("docker").path("network").asText().equals("HOST_NONE")) {
        defs.addObject().put("port", 10000).put("protocol", "tcp").putObject("labels");
      }
    }
    return app;
  }

  private static void defaults(ObjectNode node, Map<String, Object> values) {
    values.forEach((k, v) -> {
      if (!node.hasNonNull(k)) {
        node.set(k, Json.tree(v));
      }
    });
  }

  /** Marathon's canonical absolute path id: repeated, leading and trailing slashes dropped, "." and ".." resolved. */
  public static String normalizeId(String id) {
    return resolveId(id, "/");
  }

  /** A path id resolved against a base group, as Marathon resolves relative app ids inside a group. */
  public static String resolveId(String id, String base) {
    String s = id == null ? "" : id.trim();
    List<String> out = new ArrayList<>();
    if (!s.startsWith("/")) {
      for (String b : base.split("/")) {
        if (!b.isEmpty()) {
          out.add(b);
        }
      }
    }
    for (String segment : s.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(segment);
    }
    return "/" + String.join("/", out);
  }

  /** The group an app or group belongs to: "/prod" for "/prod/nodeapp", "/" for "/nodeapp". */
  public static String parentOf(String id) {
    int slash = id.lastIndexOf('/');
    return slash <= 0 ? "/" : id.substring(0, slash);
  }

  /** Port mappings whether in container.docker (Marathon ≤ 1.4) or container (1.5+). */
  static List<JsonNode> mappings(ObjectNode app) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode container = app.path("container");
    container.path("docker").path("portMappings").forEach(out::add);
    container.path("portMappings").forEach(out::add);
    return out;
  }

  /** How many host ports a task of this app takes. */
  public static int portCount(ObjectNode app) {
    List<JsonNode> m = mappings(app);
    if (!m.isEmpty()) {
      return m.size();
    }
    return app.path("portDefinitions").size();
  }

  /**
   * The host port each port of a task asks for: a port mapping's non-zero hostPort, or a port definition's port when
   * requirePorts is set; 0 means any free port of the agent's range.
   */
  static List<Integer> requestedHostPorts(ObjectNode app) {
    List<Integer> out = new ArrayList<>();
    List<JsonNode> m = mappings(app);
    if (!m.isEmpty()) {
      m.forEach(p -> out.add(p.path("hostPort").asInt(0)));
      return out;
    }
    boolean require = app.path("requirePorts").asBoolean(false);
    app.path("portDefinitions").forEach(p -> out.add(require ? p.path("port").asInt(0) : 0));
    return out;
  }

  public static String image(ObjectNode app) {
    JsonNode docker = app.path("container").path("docker");
    return docker.path("image").asText(null);
  }

  /** True when the two definitions would run the same tasks (differences in instances/version don't count). */
  public static boolean sameConfig(ObjectNode a, ObjectNode b) {
    return stripped(a).equals(stripped(b));
  }

  private static ObjectNode stripped(ObjectNode app) {
    ObjectNode copy = app.deepCopy();
    for (Iterator<String> it = copy.fieldNames(); it.hasNext(); ) {
      if (NON_CONFIG.contains(it.next())) {
        it.remove();
      }
    }
    return copy;
  }

  public static ObjectNode detail(String path, String error) {
    ObjectNode d = Json.object().put("path", path);
    d.putArray("errors").add(error);
    return d;
  }

  public static ApiError invalidJson(List<ObjectNode> details) {
    ObjectNode body = Json.object().put("message", "Invalid JSON");
    body.putArray("details").addAll(details);
    return new ApiError(400, body);
  }
}
