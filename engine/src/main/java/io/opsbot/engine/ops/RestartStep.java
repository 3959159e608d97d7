package io.opsbot.engine.ops;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.engine.Check;
import io.opsbot.engine.EarlierRun;
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
    static final String FROM = "from";
    static final String VERSION = "version";
    static final String DEPLOYMENT = "deployment";

    /** The Marathon version this step's restart made, once it reached Marathon. */
    private volatile String restartedVersion;
    /** The app's Marathon version just before this step asked for the restart. */
    private volatile String fromVersion;

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

    /**
     * Restarts once: when this step's restart already reached Marathon (an attempt whose answer was lost, or a run
     * before a crash), it waits for that restart's deployment instead of asking for another one, which Marathon would
     * refuse anyway while the first holds the app's lock.
     */
    @Override
    public void apply(StepContext context) throws InterruptedException {
        gate.write(context, appId, force -> applyOnce(context, force));
    }

    private void applyOnce(StepContext context, boolean force) {
        if (restartedVersion == null && fromVersion != null) {
            App now = clients.marathon().app(appId);
            if (!fromVersion.equals(now.version())) {
                restartedVersion = now.version();
            }
        }
        if (restartedVersion != null) {
            awaitOwnDeployments(context);
            return;
        }
        // journaled before the restart: a version other than this one afterwards is this step's restart
        fromVersion = clients.marathon().app(appId).version();
        context.note(FROM, fromVersion);
        DeploymentRef ref = gate.ours(clients.marathon().restart(appId, force));
        restartedVersion = ref.version();
        context.note(VERSION, ref.version());
        context.note(DEPLOYMENT, ref.deploymentId());
        context.progress(0.1, "restart deployment " + ref.deploymentId() + " started");
        await(context, ref.deploymentId());
    }

    /** The deployments running on the app now are the one this step's restart started (the step holds its lock). */
    private void awaitOwnDeployments(StepContext context) {
        App app = clients.marathon().app(appId, Embed.DEPLOYMENTS);
        context.progress(0.1, "the restart to Marathon version " + restartedVersion + " was already asked for"
                + (app.deployments().isEmpty() ? "" : "; waiting for deployment " + String.join(", ", app.deployments())));
        for (String deployment : app.deployments()) {
            await(context, deployment);
        }
    }

    private void await(StepContext context, String deploymentId) {
        // ends before the step's deadline, so that its own outcome (or "cannot tell: Marathon …") reaches the user
        Duration left = Duration.between(context.clock().instant(), context.deadline().minus(Waits.MARGIN));
        DeploymentOutcome outcome = clients.deployments().awaitDeployment(deploymentId, appId,
                left.compareTo(watchTimeout) < 0 ? left : watchTimeout, text -> context.progress(0.5, text));
        if (!outcome.isSuccess()) {
            throw new OpsException("restart of " + name + " failed: " + outcome.reason());
        }
    }

    /** Takes back what an earlier run noted; its restart reached Marathon if it made a version. */
    @Override
    public boolean resume(EarlierRun earlier) {
        restartedVersion = earlier.note(VERSION).orElse(null);
        fromVersion = earlier.note(FROM).orElse(null);
        // named as opsbot's own while the gate waits for it
        earlier.note(DEPLOYMENT).ifPresent(id -> gate.ours(new DeploymentRef(id, restartedVersion)));
        if (restartedVersion == null && fromVersion != null) {
            // killed between asking for the restart and noting its answer: Marathon's version tells whether it arrived
            String now = clients.marathon().app(appId).version();
            if (!fromVersion.equals(now)) {
                restartedVersion = now;
            }
        }
        return restartedVersion != null;
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
