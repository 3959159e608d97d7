package io.opsbot.sim.marathon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.AppDefinitions;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.Groups;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Marathon's {@code /v2/groups}: read the tree, create, update (apps, scaleBy, version), delete with the apps. */
final class GroupsApi {
  private static final String GROUP = "(/.*?)/?";

  private final Groups groups;

  GroupsApi(Groups groups) {
    this.groups = groups;
  }

  void register(Router router) {
    router.on("GET", "/v2/groups/?", r -> get(r, "/"))
        .on("GET", "/v2/groups(/.*?)/versions/?", this::versions)
        .on("GET", "/v2/groups" + GROUP, r -> get(r, r.group(1)))
        .on("POST", "/v2/groups/?", r -> create(r, "/"))
        .on("POST", "/v2/groups" + GROUP, r -> create(r, r.group(1)))
        .on("PUT", "/v2/groups/?", r -> update(r, "/"))
        .on("PUT", "/v2/groups" + GROUP, r -> update(r, r.group(1)))
        .on("PATCH", "/v2/groups" + GROUP, r -> {
          groups.patch(r.group(1), AppDefinitions.parse(r.body()));
          return Response.json(200, Json.object());
        })
        .on("DELETE", "/v2/groups/?", r -> delete(r, "/"))
        .on("DELETE", "/v2/groups" + GROUP, r -> delete(r, r.group(1)));
  }

  private Response get(Request r, String id) {
    Set<String> embed = new HashSet<>();
    r.queryAll("embed").forEach(e -> embed.add(e.replaceFirst("^group\\.", "")));
    boolean defaults = embed.isEmpty();
    Set<String> appEmbed = new HashSet<>();
    embed.stream().filter(e -> e.startsWith("apps.")).forEach(e -> appEmbed.add(e.substring("apps.".length())));
    boolean withApps = defaults || embed.contains("apps") || !appEmbed.isEmpty();
    boolean withGroups = defaults || embed.contains("groups");
    ObjectNode g = groups.render(id, withApps, withGroups, (s, a) -> MarathonApi.render(s, a, appEmbed));
    if (g == null) {
      throw new ApiError(404, Json.object().put("message", "Group '" + AppDefinitions.normalizeId(id) + "' does not exist"));
    }
    return Response.json(200, g);
  }

  private Response versions(Request r) {
    ArrayNode out = Json.array();
    List<String> versions = groups.versions(r.group(1));
    versions.forEach(out::add);
    return Response.json(200, out);
  }

  private Response create(Request r, String base) {
    ObjectNode body = AppDefinitions.parse(r.body());
    ClusterModel.Change c = groups.create(base, body, r.path(), r.remoteAddress());
    String id = AppDefinitions.resolveId(body.get("id").asText(), AppDefinitions.normalizeId(base));
    return deployment(c, 201).with("Location", "/v2/groups" + id);
  }

  private Response update(Request r, String id) {
    ObjectNode body = AppDefinitions.parse(r.body());
    return deployment(groups.update(id, body, r.flag("force"), r.path(), r.remoteAddress()), 200);
  }

  private Response delete(Request r, String id) {
    return deployment(groups.delete(id, r.flag("force")), 200);
  }

  private static Response deployment(ClusterModel.Change c, int status) {
    return Response.json(status, Json.object().put("version", c.version()).put("deploymentId", c.deploymentId()))
        .with("Marathon-Deployment-Id", c.deploymentId());
  }
}
