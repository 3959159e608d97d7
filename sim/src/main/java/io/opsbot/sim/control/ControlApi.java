package io.opsbot.sim.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Faults;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.RequestCounts;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import io.opsbot.sim.marathon.EventStream;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/** /_sim/ on the Marathon port: endpoints, fault injection, failing images, agents, time and reset. */
public final class ControlApi {
  private final ClusterModel model;
  private final Faults faults;
  private final RequestCounts requests;
  private final EventStream events;
  private final Supplier<SimEndpoints> endpoints;
  private final Runnable reset;

  public ControlApi(ClusterModel model, Faults faults, RequestCounts requests, EventStream events, Supplier<SimEndpoints> endpoints,
                    Runnable reset) {
    this.model = model;
    this.faults = faults;
    this.requests = requests;
    this.events = events;
    this.endpoints = endpoints;
    this.reset = reset;
  }

  public void register(Router router) {
    router.on("GET", "/_sim/endpoints/?", r -> Response.json(200, Json.tree(endpoints.get())))
        .on("GET", "/_sim/writes/?", r -> {
          // ?after=N: only the writes after sequence number N
          long after;
          try {
            after = r.query("after") == null ? 0 : Long.parseLong(r.query("after"));
          } catch (NumberFormatException e) {
            throw new ApiError(400, Map.of("message", "after must be a write's sequence number, not '" + r.query("after") + "'"));
          }
          return Response.json(200, Map.of("total", model.writes().total(), "writes", model.writes().since(after)));
        })
        // every request the cluster's APIs answered, per service and method: what a client cost it
        .on("GET", "/_sim/requests/?", r -> Response.json(200, requests.snapshot()))
        .on("POST", "/_sim/faults/?", this::fault)
        .on("GET", "/_sim/faults/?", r -> Response.json(200, faults.describe()))
        .on("DELETE", "/_sim/faults/?", r -> {
          faults.clear();
          return Response.empty(204);
        })
        .on("POST", "/_sim/images/failing/?", r -> failing(r, true))
        .on("DELETE", "/_sim/images/failing/?", r -> failing(r, false))
        .on("POST", "/_sim/tasks/([^/]+)/kill/?", r -> model.killTask(r.group(1)) ? ok()
            : Response.json(404, Map.of("message", "no task " + r.group(1))))
        .on("POST", "/_sim/agents/([^/]+)/down/?", r -> {
          model.agentDown(r.group(1));
          return ok();
        })
        .on("POST", "/_sim/agents/([^/]+)/up/?", r -> {
          model.agentUp(r.group(1));
          return ok();
        })
        .on("POST", "/_sim/apps/([^/]+)/fail/?", r -> Response.json(200, Map.of("ok", true,
            "image", model.failApp(r.group(1), true))))
        .on("POST", "/_sim/apps/([^/]+)/heal/?", r -> Response.json(200, Map.of("ok", true,
            "image", model.failApp(r.group(1), false))))
        .on("POST", "/_sim/apps/([^/]+)/crash/?", this::crash)
        .on("POST", "/_sim/events/down/?", r -> {
          events.down();
          return ok();
        })
        .on("POST", "/_sim/events/up/?", r -> {
          events.up();
          return ok();
        })
        .on("POST", "/_sim/time/?", r -> {
          model.rescale(body(r).path("scale").asDouble(0));
          return Response.json(200, Map.of("scale", model.clock().scale(), "now", ClusterModel.iso(model.clock().millis())));
        })
        .on("GET", "/_sim/time/?", r -> Response.json(200, Map.of("scale", model.clock().scale(), "now", ClusterModel.iso(model.clock().millis()))))
        .on("POST", "/_sim/time/advance/?", r -> {
          double seconds = body(r).path("seconds").asDouble(-1);
          if (seconds < 0 || seconds > 86_400) {
            throw new ApiError(422, Map.of("message", "seconds must be between 0 and 86400"));
          }
          model.advance(Math.round(seconds * 1000));
          return Response.json(200, Map.of("now", ClusterModel.iso(model.clock().millis())));
        })
        .on("POST", "/_sim/seed/?", r -> {
          JsonNode b = body(r);
          return Response.json(200, model.seedLarge(b.path("agents").asInt(0), b.path("apps").asInt(0),
              b.path("instances").asInt(ClusterModel.SEED_INSTANCES)));
        })
        .on("POST", "/_sim/reset/?", r -> {
          reset.run();
          return ok();
        });
  }

  private static Response ok() {
    return Response.json(200, Map.of("ok", true));
  }

  private static JsonNode body(Request r) throws IOException {
    try {
      return r.body().length == 0 ? Json.object() : Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new ApiError(400, Map.of("message", "Invalid JSON"));
    }
  }

  /** The services a fault may name, as their routers (and the SSH servers) call themselves. */
  private static final java.util.Set<String> SERVICES =
      java.util.Set.of("marathon", "mesos", "flocker", "registry", "weave", "ssh");
  /** A hang longer than this is a test that forgot its fault, not a hang worth waiting for. */
  private static final long MAX_HANG_MILLIS = 600_000;
  private static final long DEFAULT_HANG_MILLIS = 60_000;

  /**
   * POST /_sim/faults {service, method?, pathPrefix?, pathPattern?, node? (ssh), kind?, status?, hangMillis?, count?,
   * phase?}: see README's sim paragraph and SimScope. The older forms ({status}, {hangMillis}, {dropEventStream:
   * true}) still work.
   */
  private Response fault(Request r) throws IOException {
    JsonNode b = body(r);
    int count = b.path("count").asInt(1);
    if (count < 1 || count > 100_000) {
      throw new ApiError(422, Map.of("message", "count must be between 1 and 100000"));
    }
    String kindText = b.path("kind").asText("");
    if (b.path("dropEventStream").asBoolean(false) || kindText.equals("drop-stream")) {
      events.drop(count);
      return ok();
    }
    String service = b.path("service").asText("marathon").toLowerCase(java.util.Locale.ROOT);
    if (!SERVICES.contains(service)) {
      throw new ApiError(422, Map.of("message", "service must be one of " + new java.util.TreeSet<>(SERVICES)
          + ", not '" + service + "'"));
    }
    int status = b.path("status").asInt(0);
    long hang = b.path("hangMillis").asLong(0);
    Faults.Kind kind;
    if (!kindText.isEmpty()) {
      kind = Faults.Kind.parse(kindText);
      if (kind == null) {
        throw new ApiError(422, Map.of("message", "kind must be one of status, slow, hang, drop, lose-answer, "
            + "malformed, refuse-login, drop-stream; not '" + kindText + "'"));
      }
    } else if (status > 0) {
      kind = hang > 0 ? Faults.Kind.SLOW : Faults.Kind.STATUS;
    } else if (hang > 0) {
      kind = Faults.Kind.SLOW;
    } else {
      throw new ApiError(422, Map.of("message", "a fault needs a kind (or status, hangMillis or dropEventStream)"));
    }
    if (status != 0 && (status < 100 || status > 599)) {
      throw new ApiError(422, Map.of("message", "status must be an HTTP status (100-599), not " + status));
    }
    if (kind == Faults.Kind.STATUS && status == 0) {
      throw new ApiError(422, Map.of("message", "kind status needs a status, e.g. 503"));
    }
    if (kind == Faults.Kind.LOSE_ANSWER && !b.has("status")) {
      status = 503;
    }
    if (hang < 0 || hang > MAX_HANG_MILLIS) {
      throw new ApiError(422, Map.of("message", "hangMillis must be between 0 and " + MAX_HANG_MILLIS));
    }
    if (kind == Faults.Kind.HANG && hang == 0) {
      hang = DEFAULT_HANG_MILLIS;
    }
    boolean ssh = service.equals("ssh");
    if (kind == Faults.Kind.REFUSE_LOGIN && !ssh) {
      throw new ApiError(422, Map.of("message", "kind refuse-login is for service ssh"));
    }
    if (ssh && (kind == Faults.Kind.LOSE_ANSWER || kind == Faults.Kind.STATUS || kind == Faults.Kind.MALFORMED)) {
      throw new ApiError(422, Map.of("message", "an ssh fault is refuse-login, drop, hang or slow"));
    }
    Faults.Phase phase = Faults.Phase.ANY;
    if (b.hasNonNull("phase")) {
      phase = Faults.Phase.parse(b.path("phase").asText());
      if (phase == null) {
        throw new ApiError(422, Map.of("message", "phase must be any, plan, apply or verify; not '"
            + b.path("phase").asText() + "'"));
      }
    }
    String pattern = b.path("pathPattern").asText(null);
    if (pattern != null) {
      try {
        java.util.regex.Pattern.compile(pattern);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new ApiError(422, Map.of("message", "pathPattern is not a regular expression: " + e.getDescription()));
      }
    }
    String prefix = b.path("pathPrefix").asText("/");
    String method = b.path("method").asText(null);
    if (ssh) {
      // an SSH fault is per node (all nodes without one); it fires at the login
      String node = b.path("node").asText("");
      prefix = "/" + node;
      method = "LOGIN";
    }
    long id = faults.arm(new Faults.Spec(service, method, prefix, pattern, kind, phase, status, hang, count));
    return Response.json(200, Map.of("ok", true, "id", id));
  }

  private Response crash(Request r) throws IOException {
    JsonNode b = body(r);
    int count = b.path("count").asInt(1);
    if (count < 1 || count > 1000) {
      throw new ApiError(422, Map.of("message", "count must be between 1 and 1000"));
    }
    String message = b.path("message").asText("Container exited with status 137");
    return Response.json(200, Map.of("ok", true, "crashed", model.crashTasks(r.group(1), count, message)));
  }

  private Response failing(Request r, boolean on) throws IOException {
    String image = body(r).path("image").asText(null);
    if (image == null || image.isBlank()) {
      throw new ApiError(422, Map.of("message", "image is required"));
    }
    model.markFailing(image, on);
    return ok();
  }
}
