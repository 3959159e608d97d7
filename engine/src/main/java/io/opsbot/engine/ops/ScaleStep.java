package io.opsbot.engine.ops;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.engine.Check;
import io.opsbot.engine.EarlierRun;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import java.time.Duration;

/** Sets an app's instances in Marathon, only when they differ, and waits until that many run healthy. */
final class ScaleStep implements Step {

    static final String FROM = "from";
    static final String VERSION = "version";
    static final String DEPLOYMENT = "deployment";

    private final ClusterClients clients;
    private final String name;
    private final String appId;
    private final int instances;
    private final Duration timeout;
    private final MarathonGate gate;
    /** Marathon's version of the app just before this step wrote it (journaled first); null until it writes. */
    private volatile String fromVersion;

    ScaleStep(ClusterClients clients, String name, String appId, int instances, Duration timeout, MarathonGate gate) {
        this.clients = clients;
        this.name = name;
        this.appId = appId;
        this.instances = instances;
        this.timeout = timeout;
        this.gate = gate;
    }

    @Override
    public String description() {
        return "set instances of " + appId + " to " + instances;
    }

    @Override
    public Check check() {
        App app = clients.marathon().app(appId, Embed.COUNTS, Embed.DEPLOYMENTS);
        if (app.instances() == instances && healthyEnough(app)) {
            return Check.inSync(name + " is already at " + instances + (instances == 1 ? " instance" : " instances"));
        }
        if (app.instances() == instances) {
            return Check.drift(name + " asks for " + instances + " instances but " + app.tasksHealthy()
                    + " are healthy and " + app.tasksRunning() + " running");
        }
        return Check.drift("instances of " + appId + ": " + app.instances() + " → " + instances);
    }

    @Override
    public void apply(StepContext context) throws InterruptedException {
        gate.write(context, appId, force -> applyOnce(context, force));
    }

    private void applyOnce(StepContext context, boolean force) {
        App app = clients.marathon().app(appId, Embed.COUNTS, Embed.DEPLOYMENTS);
        if (app.instances() == instances) {
            // Already asked for; only the tasks lag behind: wait for them in verify, don't start another deployment.
            String from = fromVersion;
            if (from == null || from.equals(app.version())) {
                context.wroteNothing(appId + " was already asked to run " + instances + "; only waited for its tasks");
            }
            return;
        }
        // journaled before the PUT: a version other than this one afterwards is this step's write
        fromVersion = app.version();
        context.note(FROM, fromVersion);
        DeploymentRef ref = gate.ours(clients.marathon().scale(appId, instances, force));
        context.note(VERSION, ref.version());
        context.note(DEPLOYMENT, ref.deploymentId());
        context.progress(0.1, "deployment " + ref.deploymentId() + " started");
        // ends before the step's deadline, so that its own outcome (or "cannot tell: Marathon …") reaches the user
        DeploymentOutcome outcome = clients.deployments().awaitDeployment(ref.deploymentId(), appId,
                Duration.between(context.clock().instant(), context.deadline().minus(Waits.MARGIN)),
                text -> context.progress(0.5, text));
        if (!outcome.isSuccess()) {
            // where it ended: a cancelled deployment is rolled back by Marathon, a failed one may stop part-way
            App now = clients.marathon().app(appId, Embed.COUNTS);
            throw new OpsException(outcome.reason() + "; " + name + " is now asked to run " + now.instances()
                    + (now.instances() == 1 ? " instance" : " instances") + " (" + MarathonAppStep.counts(now) + ")");
        }
    }

    /** Takes back what an earlier run noted; its write reached Marathon if Marathon's version moved on since. */
    @Override
    public boolean resume(EarlierRun earlier) {
        fromVersion = earlier.note(FROM).orElse(null);
        if (earlier.note(VERSION).isPresent()) {
            return true;
        }
        return fromVersion != null && !fromVersion.equals(clients.marathon().app(appId).version());
    }

    @Override
    public void verify(StepContext context) throws InterruptedException {
        while (true) {
            App app = clients.marathon().app(appId, Embed.COUNTS);
            if (app.instances() == instances && healthyEnough(app)) {
                return;
            }
            context.progress(0.9, app.tasksRunning() + " of " + instances + " running, " + app.tasksHealthy() + " healthy");
            if (Waits.nearlyOver(context)) {
                throw new OpsException(name + " did not reach " + instances + " healthy instances in time: "
                        + app.tasksRunning() + " running, " + app.tasksHealthy() + " healthy");
            }
            context.checkCancelled();
            Thread.sleep(200);
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    /** Running count matches, and healthy too when the app has health checks. */
    private boolean healthyEnough(App app) {
        boolean running = app.tasksRunning() == instances && app.tasksStaged() == 0;
        return running && (!app.hasHealthChecks() || app.tasksHealthy() == instances);
    }
}
