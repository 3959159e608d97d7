package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;
import java.util.Set;

/** An event of Marathon's event stream (GET /v2/events), typed for the kinds the engine acts on. */
public sealed interface MarathonEvent {

    String eventType();

    String timestamp();

    /** deployment_success / deployment_failed. */
    record DeploymentFinished(String eventType, String timestamp, String deploymentId, boolean success,
                              List<String> appIds) implements MarathonEvent {
        public DeploymentFinished {
            appIds = appIds == null ? List.of() : List.copyOf(appIds);
        }

        public DeploymentFinished(String eventType, String timestamp, String deploymentId, boolean success) {
            this(eventType, timestamp, deploymentId, success, List.of());
        }
    }

    /** deployment_info / deployment_step_success / deployment_step_failure. */
    record DeploymentStep(String eventType, String timestamp, String deploymentId, String version,
                          List<DeploymentAction> currentActions) implements MarathonEvent {

        public boolean failed() {
            return "deployment_step_failure".equals(eventType);
        }
    }

    /** status_update_event: a task changed state (TASK_RUNNING, TASK_FAILED, …). */
    record StatusUpdate(String eventType, String timestamp, String appId, String taskId, String taskStatus,
                        String host, String slaveId, String version, String message) implements MarathonEvent {

        private static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED",
                "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE");

        public boolean terminal() {
            return TERMINAL.contains(taskStatus);
        }
    }

    /** health_status_changed_event; {@code instanceId} is read from "instanceId" or, in older releases, "taskId". */
    record HealthChanged(String eventType, String timestamp, String appId, String instanceId, String version,
                         boolean alive) implements MarathonEvent {
    }

    /** Any other event, kept raw (api_post_event, group_change_success, event_stream_attached, …). */
    record Other(String eventType, String timestamp, JsonNode raw) implements MarathonEvent {
    }

    /**
     * Parses one SSE message. The event type comes from the JSON's eventType, or from the SSE "event:" line.
     * Data that is not JSON becomes an {@link Other} without a body rather than breaking the stream.
     */
    static MarathonEvent parse(String sseType, String data) {
        JsonNode node;
        try {
            node = data == null || data.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            return new Other(sseType, null, null);
        }
        String type = text(node, "eventType", sseType);
        String timestamp = text(node, "timestamp");
        if (type == null) {
            return new Other(null, timestamp, node);
        }
        switch (type) {
            case "deployment_success":
            case "deployment_failed": {
                String id = text(node, "id", text(at(node, "plan"), "id"));
                List<String> apps = new java.util.ArrayList<>();
                for (JsonNode step : Json.list(at(node, "plan"), "steps", st -> st)) {
                    for (DeploymentAction action : Json.list(step, "actions", DeploymentAction::parse)) {
                        if (action.app() != null && !apps.contains(action.app())) {
                            apps.add(action.app());
                        }
                    }
                }
                return new DeploymentFinished(type, timestamp, id, type.equals("deployment_success"), apps);
            }
            case "deployment_info":
            case "deployment_step_success":
            case "deployment_step_failure": {
                JsonNode plan = at(node, "plan");
                return new DeploymentStep(type, timestamp, text(plan, "id"), text(plan, "version"),
                        Json.list(at(node, "currentStep"), "actions", DeploymentAction::parse));
            }
            case "status_update_event":
                return new StatusUpdate(type, timestamp, text(node, "appId", text(node, "appID")),
                        text(node, "taskId", text(node, "instanceId")), text(node, "taskStatus"), text(node, "host"),
                        text(node, "slaveId", text(node, "agentId")), text(node, "version"), text(node, "message"));
            case "health_status_changed_event":
                return new HealthChanged(type, timestamp, text(node, "appId"),
                        text(node, "instanceId", text(node, "taskId")), text(node, "version"),
                        Json.bool(node, "alive", false));
            default:
                return new Other(type, timestamp, node);
        }
    }
}
