package io.opsbot.cluster.flocker;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;

/** A node running a Flocker agent: its UUID (what "primary" names) and its address. */
public record FlockerNode(String uuid, String host) {

    static FlockerNode parse(JsonNode node) {
        return new FlockerNode(text(node, "uuid"), text(node, "host"));
    }
}
