package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;

/** GET /v2/info: which Marathon answers and who leads. */
public record MarathonInfo(String name, String version, String leader, String frameworkId, boolean elected) {

    static MarathonInfo parse(JsonNode node) {
        return new MarathonInfo(text(node, "name"), text(node, "version"), text(node, "leader"),
                text(node, "frameworkId"), Json.bool(node, "elected", false));
    }
}
