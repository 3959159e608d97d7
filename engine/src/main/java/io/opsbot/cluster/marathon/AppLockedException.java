package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;
import java.util.List;

/** Marathon answered 409: the app is locked by running deployments (override only with an explicit force). */
public class AppLockedException extends OpsException {

    private final String appId;
    private final List<String> deploymentIds;
    private final String marathonMessage;

    public AppLockedException(String appId, List<String> deploymentIds, String marathonMessage) {
        super(describe(appId, deploymentIds));
        this.appId = appId;
        this.deploymentIds = List.copyOf(deploymentIds);
        this.marathonMessage = marathonMessage;
    }

    private static String describe(String appId, List<String> deploymentIds) {
        String subject = appId == null ? "the app" : "app " + appId;
        if (deploymentIds.isEmpty()) {
            return subject + " is locked by a running deployment; wait for it to finish or cancel it";
        }
        return subject + " is locked by deployment" + (deploymentIds.size() > 1 ? "s " : " ")
                + String.join(", ", deploymentIds) + "; wait for it to finish or cancel it";
    }

    public String appId() {
        return appId;
    }

    public List<String> deploymentIds() {
        return deploymentIds;
    }

    /** Marathon's own text, e.g. "App is locked by one or more deployments. Override with ...". */
    public String marathonMessage() {
        return marathonMessage;
    }
}
