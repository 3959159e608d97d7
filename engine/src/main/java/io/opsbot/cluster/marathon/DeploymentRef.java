package io.opsbot.cluster.marathon;

/** What Marathon answers to a change: the deployment it started and the app version it stored. */
public record DeploymentRef(String deploymentId, String version) {
}
