package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.time.Instant;

/**
 * A task the master keeps among a framework's {@code completed_tasks}: how it ended and when (its last status).
 *
 * @param name    Mesos' task name; Marathon names tasks after the app id without its slash ("nodeapp", "grp.app")
 * @param endedAt the timestamp of its last status, null when it has none
 * @param message the last status' message, null when Mesos gave none
 */
public record FinishedTask(String id, String name, String state, String slaveId, Instant endedAt, String message) {

    static FinishedTask parse(JsonNode node) {
        JsonNode last = null;
        for (JsonNode status : Json.at(node, "statuses")) {
            last = status;
        }
        Instant ended = last == null || !last.has("timestamp") ? null
                : Instant.ofEpochMilli(Math.round(last.path("timestamp").asDouble() * 1000));
        return new FinishedTask(text(node, "id"), text(node, "name"), text(node, "state"),
                text(node, "slave_id", text(node, "agent_id")), ended, last == null ? null : text(last, "message"));
    }

    /** TASK_FAILED, TASK_ERROR, TASK_LOST and their kin: ended without being asked to. */
    public boolean failed() {
        return state != null && switch (state) {
            case "TASK_FAILED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_UNREACHABLE" -> true;
            default -> false;
        };
    }
}
