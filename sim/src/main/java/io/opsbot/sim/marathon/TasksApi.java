package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.AppDefinitions;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterModel.KillResult;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * Killing tasks as Marathon does: {@code DELETE /v2/apps/{id}/tasks[?host=]}, {@code DELETE
 * /v2/apps/{id}/tasks/{taskId}} and {@code POST /v2/tasks/delete}, each with {@code scale} (kill and lower the
 * instances: answers with the deployment) or without (Marathon launches replacements: answers with the killed tasks);
 * {@code wipe} kills the same way (the sim has no resident tasks to expunge).
 */
final class TasksApi {
  private final ClusterModel model;

  TasksApi(ClusterModel model) {
    this.model = model;
  }

  void register(Router router) {
    router.on("DELETE", "/v2/apps(/.+?)/tasks/([^/]+)/?", this::killOne)
        .on("DELETE", "/v2/apps(/.+?)/tasks/?", this::killMany)
        .on("POST", "/v2/tasks/delete/?", this::killBulk);
  }

  private Response killOne(Request r) {
    String taskId = r.group(2);
    KillResult result = model.killTasks(r.group(1), List.of(taskId), null, r.flag("scale"), r.flag("wipe"),
        r.flag("force"), MarathonApi::task);
    if (result.change() != null) {
      return deployment(result.change());
    }
    if (result.killed().isEmpty()) {
      throw new ApiError(404, Json.object().put("message", "Task '" + taskId + "' does not exist"));
    }
    ObjectNode body = Json.object();
    body.set("task", result.killed().get(0));
    return Response.json(200, body);
  }

  private Response killMany(Request r) {
    String host = r.query("host");
    KillResult result = model.killTasks(r.group(1), null, host == null || host.isEmpty() ? null : host,
        r.flag("scale"), r.flag("wipe"), r.flag("force"), MarathonApi::task);
    return result.change() != null ? deployment(result.change()) : tasks(result);
  }

  private Response killBulk(Request r) {
    JsonNode body = AppDefinitions.parse(r.body());
    JsonNode ids = body.get("ids");
    if (ids == null || !ids.isArray()) {
      throw AppDefinitions.invalidJson(List.of(AppDefinitions.detail("/ids", "error.path.missing")));
    }
    List<String> taskIds = new ArrayList<>();
    ids.forEach(i -> taskIds.add(i.asText()));
    KillResult result = model.killTasks(null, taskIds, null, r.flag("scale"), r.flag("wipe"), r.flag("force"),
        MarathonApi::task);
    return result.change() != null ? deployment(result.change()) : tasks(result);
  }

  private static Response tasks(KillResult result) {
    ObjectNode body = Json.object();
    ArrayNode ts = body.putArray("tasks");
    result.killed().forEach(ts::add);
    return Response.json(200, body);
  }

  private static Response deployment(ClusterModel.Change c) {
    return Response.json(200, Json.object().put("version", c.version()).put("deploymentId", c.deploymentId()))
        .with("Marathon-Deployment-Id", c.deploymentId());
  }
}
