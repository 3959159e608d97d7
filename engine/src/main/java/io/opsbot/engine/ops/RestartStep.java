package io.opsbot.engine.ops;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.engine.Check;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import java.time.Duration;

/**
 * A rolling restart, modelled as a state rather than an action: "every task of the app is of the version the
 * restart made, and healthy". Before this step has restarted anything, that is Drift; once its restart's
 * deployment ran, the same step checks InSync, so running the same operation again (a crash and a resume, a
 * retried apply) does not restart twice. A new {@code restart} command is a new step and restarts again, which
 * is what a person asking for a restart wants.
 */
final class RestartStep implements Step {

    private final ClusterClients clients;
    private final String name;
    private final String appId;
    private final Duration watchTimeout;
    private final Duration timeout;
    private final MarathonGate gate;
    private volatile String restartedVersion;

    RestartStep(ClusterClients clients, String name, String appId, Duration watchTimeout, Duration timeout, MarathonGate gate) {
        this.clients = clients;
        this.name = name;
        this.appId = appId;
        this.watchTimeout = watchTimeout;
        this.timeout = timeout;
        this.gate = gate;
    }

    @Override
    public String description() {
        return "restart every task of " + appId;
    }

    @Override
    public Check check() {
        App app = clients.marathon().app(appId, Embed.TASKS, Embed.COUNTS, Embed.DEPLOYMENTS);
        String version = restartedVersion;
        if (version == null) {
            return Check.drift("restart requested: " + app.tasks().size() + " task(s) of " + appId + " will be replaced one by one");
        }
        long fresh = app.tasks().stream().filter(t -> isFrom(t, version)).count();
        if (fresh >= app.instances() && MarathonAppStep.settled(app)) {
            return Check.inSync(name + " was restarted (Marathon version " + version + "): " + MarathonAppStep.counts(app));
        }
        return Check.drift(fresh + " of " + app.instances() + " task(s) of " + appId + " restarted so far");
    }

    @Override
    public void apply(StepContext context) throws InterruptedException {
        gate.write(context, appId, force -> applyOnce(context, force));
    }

    private void applyOnce(StepContext context, boolean force) {
        DeploymentRef ref = gate.ours(clients.marathon().restart(appId, force));
        restartedVersion = ref.version();
        context.progress(0.1, "restart deployment " + ref.deploymentId() + " started");
        Duration left = Duration.between(context.clock().instant(), context.deadline());
        DeploymentOutcome outcome = clients.deployments().awaitDeployment(ref.deploymentId(), appId,
                left.compareTo(watchTimeout) < 0 ? left : watchTimeout, text -> context.progress(0.5, text));
        if (!outcome.isSuccess()) {
            throw new OpsException("restart of " + name + " failed: " + outcome.reason());
        }
    }

    @Override
    public void verify(StepContext context) throws InterruptedException {
        while (!check().isInSync()) {
            if (Waits.nearlyOver(context)) {
                throw new OpsException(name + " did not come back healthy in time: " + check().text());
            }
            context.checkCancelled();
            Thread.sleep(100);
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    private static boolean isFrom(Task task, String version) {
        return task.isRunning() && task.version() != null && task.version().compareTo(version) >= 0;
    }
}
