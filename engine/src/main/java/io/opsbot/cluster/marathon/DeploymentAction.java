package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One action of a deployment step, e.g. ScaleApplication of /nodeapp. Marathon named the kind "type" in older
 * releases and "action" in newer ones; both are read.
 */
public record DeploymentAction(String action, String app) {

    static DeploymentAction parse(JsonNode node) {
        return new DeploymentAction(text(node, "action", text(node, "type")), text(node, "app", text(node, "pod")));
    }
}
