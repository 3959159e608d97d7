package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;

/**
 * A framework registered with the master (Marathon is one), its active tasks and the ended ones the master still
 * remembers ({@code completed_tasks}).
 */
public record Framework(String id, String name, boolean active, List<MesosTask> tasks, List<FinishedTask> completedTasks) {

    static Framework parse(JsonNode node) {
        return new Framework(text(node, "id"), text(node, "name"), Json.bool(node, "active", false),
                Json.list(node, "tasks", MesosTask::parse), Json.list(node, "completed_tasks", FinishedTask::parse));
    }
}
