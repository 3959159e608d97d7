package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.decimal;
import static io.opsbot.cluster.http.Json.integer;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;
import java.util.Map;

/**
 * An app as Marathon reports it, typed, together with the raw JSON it was read from so that fields this record
 * does not know survive a read-modify-write PUT. Absent fields take Marathon's defaults.
 *
 * @param image       container.docker.image, or null for a command app
 * @param constraints each constraint as its list of strings, e.g. ["hostname", "CLUSTER", "node2"]
 * @param deployments ids of the deployments touching this app
 * @param tasks       the tasks when embedded (embed=app.tasks), else empty
 */
public record App(String id, int instances, double cpus, double mem, double disk, String image,
                  List<List<String>> constraints, Map<String, String> env, Map<String, String> labels,
                  List<HealthCheck> healthChecks, UpgradeStrategy upgradeStrategy, String version,
                  String lastConfigChangeAt, int tasksRunning, int tasksHealthy, int tasksStaged, int tasksUnhealthy,
                  List<String> deployments, List<Task> tasks, LastTaskFailure lastTaskFailure, JsonNode raw) {

    static App parse(JsonNode node) {
        JsonNode docker = at(at(node, "container"), "docker");
        return new App(text(node, "id"), integer(node, "instances", 1), decimal(node, "cpus", 1.0),
                decimal(node, "mem", 128.0), decimal(node, "disk", 0.0), text(docker, "image"),
                Json.list(node, "constraints", App::constraint), Json.textMap(node, "env"),
                Json.textMap(node, "labels"), Json.list(node, "healthChecks", HealthCheck::parse),
                UpgradeStrategy.parse(node), text(node, "version"),
                text(at(node, "versionInfo"), "lastConfigChangeAt"),
                integer(node, "tasksRunning", 0), integer(node, "tasksHealthy", 0), integer(node, "tasksStaged", 0),
                integer(node, "tasksUnhealthy", 0), Json.list(node, "deployments", d -> text(d, "id")),
                Json.list(node, "tasks", Task::parse), LastTaskFailure.parse(at(node, "lastTaskFailure")),
                node.deepCopy());
    }

    // Marathon's constraints are arrays of strings; older clients also sent objects, keep them readable.
    private static List<String> constraint(JsonNode node) {
        if (node.isArray()) {
            return Json.list(node, JsonNode::asText);
        }
        return List.of(node.toString());
    }

    /** True when the app has health checks, so "healthy" means their results, not just "running". */
    public boolean hasHealthChecks() {
        return !healthChecks.isEmpty();
    }
}
