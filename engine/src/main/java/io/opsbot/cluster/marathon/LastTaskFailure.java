package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;

/** Why the last task of an app failed (embed app.lastTaskFailure). */
public record LastTaskFailure(String taskId, String state, String message, String host, String timestamp,
                              String version) {

    static LastTaskFailure parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return new LastTaskFailure(text(node, "taskId"), text(node, "state"), text(node, "message"),
                text(node, "host"), text(node, "timestamp"), text(node, "version"));
    }
}
