package io.opsbot.cluster.marathon;

/** How a watched deployment ended; {@code reason} is written for chat (empty on success). */
public record DeploymentOutcome(Status status, String reason) {

    public enum Status { SUCCEEDED, FAILED, TIMED_OUT }

    public static DeploymentOutcome succeeded() {
        return new DeploymentOutcome(Status.SUCCEEDED, "");
    }

    public static DeploymentOutcome failed(String reason) {
        return new DeploymentOutcome(Status.FAILED, reason);
    }

    public static DeploymentOutcome timedOut(String reason) {
        return new DeploymentOutcome(Status.TIMED_OUT, reason);
    }

    public boolean isSuccess() {
        return status == Status.SUCCEEDED;
    }
}
