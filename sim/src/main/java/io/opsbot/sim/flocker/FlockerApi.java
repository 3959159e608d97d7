package io.opsbot.sim.flocker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.sim.Json;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.ClusterState;
import io.opsbot.sim.cluster.ClusterState.DatasetState;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.http.ApiError;
import io.opsbot.sim.http.Request;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.Router;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** The Flocker control service API v1; the state endpoints lag behind the configuration. */
public final class FlockerApi {
  private final ClusterModel model;

  public FlockerApi(ClusterModel model) {
    this.model = model;
  }

  public void register(Router router) {
    router.notFound(r -> Response.json(404, Json.object().put("description", "Not found.")))
        .on("GET", "/v1/version/?", r -> Response.json(200, Json.object().put("flocker", "1.15.0")))
        .on("GET", "/v1/configuration/datasets/?", this::configuration)
        .on("POST", "/v1/configuration/datasets/?", this::create)
        .on("POST", "/v1/configuration/datasets/([^/]+)/?", this::move)
        .on("DELETE", "/v1/configuration/datasets/([^/]+)/?", r -> tagged(200, config(model.deleteDataset(r.group(1), r.header("X-If-Configuration-Matches")))))
        .on("GET", "/v1/state/datasets/?", r -> Response.json(200, model.read(this::stateDatasets)))
        .on("GET", "/v1/state/nodes/?", r -> Response.json(200, model.read(this::nodes)))
        .on("GET", "/v1/configuration/leases/?", r -> Response.json(200, Json.array()));
  }

  private Response configuration(Request r) {
    ArrayNode out = model.read(s -> {
      ArrayNode a = Json.array();
      s.datasets.values().forEach(d -> a.add(config(d)));
      return a;
    });
    return tagged(200, out);
  }

  private Response tagged(int status, Object body) {
    return Response.json(status, body).with("X-Configuration-Tag", model.flockerTag());
  }

  private static ObjectNode config(DatasetState d) {
    ObjectNode o = Json.object().put("dataset_id", d.datasetId).put("primary", d.primary).put("deleted", d.deleted);
    if (d.maximumSize > 0) {
      o.put("maximum_size", d.maximumSize);
    }
    ObjectNode meta = o.putObject("metadata");
    d.metadata.forEach(meta::put);
    return o;
  }

  private Response create(Request r) throws IOException {
    JsonNode body = parse(r);
    if (!body.path("primary").isTextual()) {
      throw new ApiError(400, Json.object().put("description", "The provided JSON doesn't match the required schema.")
          .set("errors", Json.array().add("'primary' is a required property")));
    }
    Map<String, String> metadata = new TreeMap<>();
    body.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    DatasetState d = model.createDataset(body.path("dataset_id").asText(null), body.get("primary").asText(),
        body.path("maximum_size").asLong(0), metadata);
    return tagged(201, config(d));
  }

  private Response move(Request r) throws IOException {
    JsonNode body = parse(r);
    if (!body.path("primary").isTextual()) {
      throw new ApiError(400, Json.object().put("description", "The provided JSON doesn't match the required schema.")
          .set("errors", Json.array().add("'primary' is a required property")));
    }
    return tagged(200, config(model.moveDataset(r.group(1), body.get("primary").asText(),
        r.header("X-If-Configuration-Matches"))));
  }

  private static JsonNode parse(Request r) throws IOException {
    try {
      JsonNode node = Json.MAPPER.readTree(r.body());
      if (node == null || !node.isObject()) {
        throw new IOException("not an object");
      }
      return node;
    } catch (IOException e) {
      throw new ApiError(400, Json.object().put("description", "The request body was not valid JSON."));
    }
  }

  private ArrayNode stateDatasets(ClusterState s) {
    ArrayNode out = Json.array();
    for (DatasetState d : s.datasets.values()) {
      if (d.phase.equals("creating")) {
        continue;
      }
      ObjectNode o = out.addObject().put("dataset_id", d.datasetId);
      if (d.statePrimary != null) {
        o.put("primary", d.statePrimary).put("path", "/flocker/" + d.datasetId);
      }
      if (d.maximumSize > 0) {
        o.put("maximum_size", d.maximumSize);
      }
    }
    return out;
  }

  private ArrayNode nodes(ClusterState s) {
    ArrayNode out = Json.array();
    for (Topology.Node n : model.topology().nodes()) {
      out.addObject().put("uuid", s.flockerNodeUuids.get(n.name())).put("host", n.address());
    }
    return out;
  }
}
