package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.integer;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;

/** A running deployment (GET /v2/deployments). */
public record Deployment(String id, String version, List<String> affectedApps, int currentStep, int totalSteps,
                         List<DeploymentAction> currentActions) {

    static Deployment parse(JsonNode node) {
        return new Deployment(text(node, "id"), text(node, "version"), Json.strings(node, "affectedApps"),
                integer(node, "currentStep", 0), integer(node, "totalSteps", 0),
                Json.list(node, "currentActions", DeploymentAction::parse));
    }

    public boolean affects(String appId) {
        return affectedApps.contains(appId);
    }
}
