package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.AppDefinitions;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.AppState;
import io.opsbot.sim.cluster.LaunchAttempt;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;

/**
 * Marathon's launch queue ({@code /v2/queue}, 1.4+ shape): the instances waiting to launch, their back-off delay and
 * what the offers looked at so far said ({@code processedOffersSummary}; {@code lastUnusedOffers} with
 * {@code embed=lastUnusedOffers}).
 */
final class QueueApi {
  private final ClusterModel model;

  QueueApi(ClusterModel model) {
    this.model = model;
  }

  void register(Router router) {
    router.on("GET", "/v2/queue/?", r -> Response.json(200, model.read(s -> queue(s, embedsLastUnused(r)))))
        .on("DELETE", "/v2/queue(/.+?)/delay/?", this::resetDelay);
  }

  private static boolean embedsLastUnused(Request r) {
    return r.queryAll("embed").stream().anyMatch(e -> e.contains("lastUnusedOffers"));
  }

  private ObjectNode queue(ClusterState s, boolean withLastUnused) {
    ObjectNode out = Json.object();
    ArrayNode q = out.putArray("queue");
    long now = model.clock().millis();
    for (AppState a : s.apps.values()) {
      if (a.queued <= 0) {
        continue;
      }
      LaunchAttempt attempt = a.launchAttempt == null ? new LaunchAttempt() : a.launchAttempt;
      ObjectNode e = q.addObject();
      e.put("count", a.queued);
      e.put("role", "*");
      long left = Math.max(0, a.launchDelayUntil - now);
      // overdue: waiting for offers; otherwise backed off for timeLeftSeconds (rounded up: 0 means no delay).
      e.putObject("delay").put("timeLeftSeconds", (left + 999) / 1000).put("overdue", left == 0);
      e.put("since", ClusterModel.iso(attempt.since == 0 ? now : attempt.since));
      e.set("processedOffersSummary", attempt.summary());
      if (withLastUnused) {
        e.set("lastUnusedOffers", attempt.lastUnusedOffers());
      }
      e.set("app", a.definition.deepCopy());
    }
    return out;
  }

  private Response resetDelay(Request r) {
    String id = AppDefinitions.normalizeId(r.group(1));
    if (!model.resetDelay(id)) {
      throw new ApiError(404, Json.object().put("message", "Application " + id + " not found in tasks queue."));
    }
    return Response.empty(204);
  }
}
