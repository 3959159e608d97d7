package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.AppDefinitions;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Marathon's {@code /logging}: its loggers and their levels, and changing one. The sim keeps the levels (they
 * change nothing it logs); {@code durationSeconds} is accepted and not timed.
 */
final class LoggingApi {
  private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

  private final Map<String, String> levels = new TreeMap<>(Map.of("ROOT", "info", "mesosphere", "info",
      "mesosphere.marathon", "info", "mesosphere.marathon.core.launcher", "info"));

  void register(Router router) {
    router.on("GET", "/logging/?", r -> Response.json(200, loggers()))
        .on("POST", "/logging/?", this::change);
  }

  private synchronized ObjectNode loggers() {
    ObjectNode out = Json.object();
    levels.forEach(out::put);
    return out;
  }

  private Response change(Request r) {
    ObjectNode body = AppDefinitions.parse(r.body());
    JsonNode level = body.get("level");
    JsonNode logger = body.get("logger");
    if (level == null || !level.isTextual() || !LEVELS.contains(level.asText())) {
      throw invalid("/level", "error.expected.enum: " + LEVELS);
    }
    if (logger == null || !logger.isTextual() || logger.asText().isBlank()) {
      throw invalid("/logger", "error.path.missing");
    }
    synchronized (this) {
      levels.put(logger.asText(), level.asText());
    }
    return Response.json(200, body);
  }

  private static ApiError invalid(String path, String error) {
    ObjectNode err = Json.object().put("message", "Object is not valid");
    err.putArray("details").add(AppDefinitions.detail(path, error));
    return new ApiError(422, err);
  }
}
