package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;

/**
 * A task of an app as Marathon reports it.
 *
 * @param healthy true when every health check result is alive, false when one is not, null when the app has
 *                no health check results for this task (yet)
 */
public record Task(String id, String appId, String host, String slaveId, String state, String version,
                   String stagedAt, String startedAt, List<Integer> ports, Boolean healthy) {

    static Task parse(JsonNode node) {
        JsonNode results = at(node, "healthCheckResults");
        Boolean healthy = null;
        if (results.isArray() && results.size() > 0) {
            boolean all = true;
            for (JsonNode result : results) {
                all &= Json.bool(result, "alive", false);
            }
            healthy = all;
        }
        return new Task(text(node, "id"), text(node, "appId"), text(node, "host"),
                text(node, "slaveId", text(node, "agentId")), text(node, "state"), text(node, "version"),
                text(node, "stagedAt"), text(node, "startedAt"), Json.list(node, "ports", JsonNode::asInt), healthy);
    }

    public boolean isRunning() {
        return "TASK_RUNNING".equals(state) || (state == null && startedAt != null);
    }
}
