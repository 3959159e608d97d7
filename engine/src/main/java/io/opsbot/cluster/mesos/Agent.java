package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;

/** A Mesos agent ("slave" in the master's state) with its total and used resources. */
public record Agent(String id, String hostname, boolean active, Resources total, Resources used) {

    static Agent parse(JsonNode node) {
        return new Agent(text(node, "id"), text(node, "hostname"), Json.bool(node, "active", false),
                Resources.parse(at(node, "resources")), Resources.parse(at(node, "used_resources")));
    }
}
