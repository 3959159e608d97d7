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

  private Response fault(Request r) throws IOException {
    JsonNode b = body(r);
    int count = b.path("count").asInt(1);
    if (b.path("dropEventStream").asBoolean(false)) {
      events.drop(count);
      return ok();
    }
    int status = b.path("status").asInt(0);
    long hang = b.path("hangMillis").asLong(0);
    if (status == 0 && hang == 0) {
      throw new ApiError(422, Map.of("message", "a fault needs status, hangMillis or dropEventStream"));
    }
    faults.arm(new Faults.Fault(b.path("service").asText("marathon"), b.path("method").asText(null),
        b.path("pathPrefix").asText("/"), count, status, hang, false));
    return ok();
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
