package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;

/** The parts of GET /master/state the bot shows: agents and frameworks with their tasks. */
public record MesosState(String version, String leader, String cluster, List<Agent> agents,
                         List<Framework> frameworks) {

    static MesosState parse(JsonNode node) {
        return new MesosState(text(node, "version"), text(node, "leader"), text(node, "cluster"),
                Json.list(node, "slaves", Agent::parse), Json.list(node, "frameworks", Framework::parse));
    }
}
