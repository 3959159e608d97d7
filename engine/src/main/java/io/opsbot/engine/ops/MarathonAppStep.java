package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.FieldChange;
import io.opsbot.cluster.marathon.LastTaskFailure;
import io.opsbot.engine.Check;
import io.opsbot.engine.EarlierRun;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import io.opsbot.engine.TransientException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/**
 * Makes Marathon run an app definition: PUT only when it differs from the running one (normalized), POST when the
 * app is absent, then watch the deployment until the tasks are healthy. When the deployment fails or times out,
 * the previous definition is put back and watched, and the step fails saying both what went wrong and where the
 * app is now. Deploy, rollback and move all end in this step.
 */
final class MarathonAppStep implements Step {

    /** How often a deployment's failed tasks are looked at while it runs. */
    private static final Duration SLICE = Duration.ofSeconds(2);
    /** One failed task can be bad luck (a node, a port); two of the new version mean the version fails. */
    static final int FAILED_TASKS_BEFORE_GIVING_UP = 2;

    static final String FROM = "from";
    static final String VERSION = "version";
    static final String DEPLOYMENT = "deployment";
    static final String ROLLBACK = "rollback";
    /** The "from" of a step that creates the app. */
    private static final String ABSENT = "absent";

    private final ClusterClients clients;
    private final String name;
    private final String appId;
    private final JsonNode desired;
    private final String description;
    private final Duration watchTimeout;
    private final Duration timeout;
    private final MarathonGate gate;
    /** Marathon's version of the app just before this step wrote it (journaled first); null until it writes. */
    private volatile String fromVersion;
    /** Set when a run before a crash had given up and was rolling back: the version it went back to. */
    private volatile String gaveUp;

    /**
     * @param watchTimeout how long a deployment may take before it counts as failed (and is rolled back)
     * @param timeout      the step's whole bound: the deployment, a rollback and its watch
     * @param gate         waits for (or with --force overrides) a deployment of the app that this step did not start
     */
    MarathonAppStep(ClusterClients clients, String name, String appId, JsonNode desired, String description,
                    Duration watchTimeout, Duration timeout, MarathonGate gate) {
        this.clients = clients;
        this.name = name;
        this.appId = appId;
        this.desired = desired;
        this.description = description;
        this.watchTimeout = watchTimeout;
        this.timeout = timeout;
        this.gate = gate;
    }

    /** The definition this step makes Marathon run. */
    JsonNode desired() {
        return desired.deepCopy();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Check check() {
        Optional<App> found = clients.marathon().findApp(appId, Embed.COUNTS, Embed.DEPLOYMENTS);
        if (found.isEmpty()) {
            return Check.drift(appId + " does not run in Marathon yet: create it");
        }
        App app = found.get();
        List<FieldChange> changes = AppDefinitions.diff(desired, app.raw());
        if (!changes.isEmpty()) {
            return Check.drift(AppDesign.describe(changes));
        }
        if (!settled(app)) {
            return Check.drift("definition in place; tasks not settled: " + counts(app));
        }
        return Check.inSync(appId + " already runs this definition (image " + app.image() + "), " + counts(app));
    }

    @Override
    public void apply(StepContext context) throws InterruptedException {
        if (gaveUp != null) {
            throw new OpsException("before a restart, this deploy of " + name + " had failed and was being rolled back to "
                    + gaveUp + "; it is not tried again. Check `status " + name + "`");
        }
        gate.write(context, appId, force -> applyOnce(context, force));
    }

    /** Reads the app afresh (after waiting for another deployment, this is planning again) and makes it so. */
    private void applyOnce(StepContext context, boolean force) {
        Optional<App> found = clients.marathon().findApp(appId, Embed.COUNTS, Embed.DEPLOYMENTS);
        if (found.isEmpty()) {
            fromVersion = ABSENT;
            context.note(FROM, ABSENT);
            App created = clients.marathon().createApp(desired);
            created.deployments().forEach(d -> gate.ours(new DeploymentRef(d, created.version())));
            context.note(VERSION, created.version());
            context.progress(0.1, "created " + appId + " in Marathon");
            for (String deployment : created.deployments()) {
                expect(context, watch(context, deployment, created.version(), 0.2), null);
            }
            return;
        }
        App previous = found.get();
        if (AppDefinitions.diff(desired, previous.raw()).isEmpty()) {
            // Already asked for; only the tasks lag behind: verify waits for them, no new deployment.
            if (!wroteBefore(previous)) {
                context.wroteNothing("the definition was already in place; only waited for its tasks");
            }
            return;
        }
        // journaled before the PUT: a version other than this one afterwards is this step's write
        fromVersion = previous.version();
        context.note(FROM, fromVersion);
        DeploymentRef ref = gate.ours(clients.marathon().updateApp(appId, desired, force));
        context.note(VERSION, ref.version());
        context.note(DEPLOYMENT, ref.deploymentId());
        context.progress(0.1, "deployment " + ref.deploymentId() + " started (Marathon version " + ref.version() + ")");
        expect(context, watch(context, ref.deploymentId(), ref.version(), 0.2), previous);
        context.progress(0.9, "deployment " + ref.deploymentId() + " finished");
    }

    /** Whether this step's own write (this run's, or one before a crash) made the version Marathon runs now. */
    private boolean wroteBefore(App now) {
        String from = fromVersion;
        return from != null && !from.equals(now.version());
    }

    /** Takes back what an earlier run noted; its write reached Marathon if Marathon's version moved on since. */
    @Override
    public boolean resume(EarlierRun earlier) {
        fromVersion = earlier.note(FROM).orElse(null);
        gaveUp = earlier.note(ROLLBACK).orElse(null);
        if (earlier.note(VERSION).isPresent()) {
            return true;
        }
        if (fromVersion == null) {
            return false; // it never got as far as writing
        }
        Optional<App> now = clients.marathon().findApp(appId);
        return now.isPresent() && !fromVersion.equals(now.get().version());
    }

    @Override
    public void verify(StepContext context) throws InterruptedException {
        String said = null;
        while (true) {
            App app = clients.marathon().app(appId, Embed.COUNTS, Embed.DEPLOYMENTS);
            List<FieldChange> changes = AppDefinitions.diff(desired, app.raw());
            if (changes.isEmpty() && settled(app)) {
                context.progress(1.0, name + " is " + (app.hasHealthChecks() ? "healthy" : "running") + ": " + counts(app));
                return;
            }
            if (Waits.nearlyOver(context)) {
                throw new OpsException(name + " did not settle in time: "
                        + (changes.isEmpty() ? counts(app) : "still differs: " + AppDesign.describe(changes)));
            }
            if (!counts(app).equals(said)) {
                said = counts(app);
                context.progress(0.95, said);
            }
            context.checkCancelled();
            Thread.sleep(100);
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    /**
     * Watches a deployment until it ends, {@code watchTimeout} passes, or tasks of the new version keep dying:
     * Marathon itself would replace failing tasks forever, so {@link #FAILED_TASKS_BEFORE_GIVING_UP} distinct
     * failures of the new version count as a failed deployment. The watch runs in slices to look at them.
     */
    private DeploymentOutcome watch(StepContext context, String deploymentId, String newVersion, double fraction) {
        Instant deadline = context.deadline().minus(Waits.MARGIN);
        Instant watchEnd = context.clock().instant().plus(watchTimeout);
        Instant end = watchEnd.isBefore(deadline) ? watchEnd : deadline;
        Set<String> failed = new HashSet<>();
        TransientException unreachable = null;
        while (true) {
            Duration left = Duration.between(context.clock().instant(), end);
            if (left.isNegative() || left.isZero()) {
                if (unreachable != null) {
                    throw unreachable; // the last slice could not tell: unknown, not timed out
                }
                return DeploymentOutcome.timedOut("deployment " + deploymentId + " of " + appId + " did not finish within "
                        + watchTimeout.toSeconds() + " s (" + counts(clients.marathon().app(appId, Embed.COUNTS)) + ")");
            }
            DeploymentOutcome outcome;
            LastTaskFailure last;
            try {
                outcome = clients.deployments().awaitDeployment(deploymentId, appId,
                        left.compareTo(SLICE) < 0 ? left : SLICE, text -> context.progress(fraction, text));
                if (outcome.status() != DeploymentOutcome.Status.TIMED_OUT) {
                    return outcome;
                }
                last = clients.marathon().app(appId, Embed.LAST_TASK_FAILURE).lastTaskFailure();
                unreachable = null;
            } catch (TransientException e) {
                // a slice Marathon did not answer in: watch on, the next may
                unreachable = e;
                continue;
            }
            if (last != null && newVersion != null && newVersion.equals(last.version()) && last.taskId() != null) {
                failed.add(last.taskId());
                if (failed.size() >= FAILED_TASKS_BEFORE_GIVING_UP) {
                    return DeploymentOutcome.failed("tasks of the new version keep failing (" + failed.size()
                            + " so far; the last on " + last.host() + ": " + last.state() + ", " + last.message() + ")");
                }
            }
        }
    }

    /** Fails the step on a failed deployment, after putting {@code previous} back when there is one. */
    private void expect(StepContext context, DeploymentOutcome outcome, App previous) {
        if (outcome.isSuccess()) {
            return;
        }
        String why = outcome.reason() + healthDetail(!outcome.reason().contains("keep failing"));
        if (previous == null) {
            throw new OpsException("deploy of " + name + " failed: " + why);
        }
        String back = tagOrVersion(previous);
        JsonNode definition = AppDefinitions.normalize(previous.raw());
        // journaled first: a recovery after a crash from here on must not deploy the failing version again
        context.note(ROLLBACK, back);
        // From here on a transient fault must not reach the engine's retry: a retried apply would deploy the failing
        // version again. It ends the step, saying how far the rollback got.
        DeploymentRef rollback;
        try {
            // The failed deployment still holds the app's lock; replacing it is the point of a rollback.
            rollback = gate.ours(clients.marathon().updateApp(appId, definition, true));
        } catch (TransientException e) {
            throw new OpsException("deploy of " + name + " failed: " + why + ". The rollback to version " + back
                    + " could not be asked for: " + e.getMessage() + ". Check `status " + name + "`", e);
        }
        DeploymentOutcome restored;
        App now;
        try {
            restored = clients.deployments().awaitDeployment(rollback.deploymentId(), appId, watchTimeout, text -> { });
            now = restored.isSuccess() ? clients.marathon().app(appId, Embed.COUNTS) : null;
        } catch (TransientException e) {
            throw new OpsException("deploy of " + name + " failed: " + why + ". The rollback to version " + back
                    + " was asked for (deployment " + rollback.deploymentId() + "), but whether it finished cannot be told: "
                    + e.getMessage() + ". Check `status " + name + "`", e);
        }
        if (restored.isSuccess()) {
            throw new OpsException("deploy of " + name + " failed: " + why + ". Rolled back: " + name
                    + " is back on version " + back + " and healthy (" + counts(now) + ")");
        }
        throw new OpsException("deploy of " + name + " failed: " + why + ". The rollback to version " + back
                + " did not finish either: " + restored.reason() + ". Check `status " + name + "`");
    }

    /** What Marathon says about the last task that died, e.g. failing health checks. */
    private String healthDetail(boolean withLastFailure) {
        try {
            App app = clients.marathon().app(appId, Embed.COUNTS, Embed.LAST_TASK_FAILURE);
            LastTaskFailure failure = app.lastTaskFailure();
            String last = !withLastFailure || failure == null || failure.message() == null || failure.message().isBlank() ? ""
                    : "; last task failure: " + failure.state() + " (" + failure.message() + ")";
            return last + (app.hasHealthChecks() ? "; health checks: " + app.tasksHealthy() + " healthy, "
                    + app.tasksUnhealthy() + " unhealthy of " + app.instances() : "");
        } catch (OpsException unreadable) {
            return "";
        }
    }

    private static String tagOrVersion(App app) {
        String tag = AppDesign.tagOf(app);
        return tag != null ? tag : app.version();
    }

    /** No deployment running, the instances running, and healthy when the app has health checks. */
    static boolean settled(App app) {
        boolean running = app.deployments().isEmpty() && app.tasksRunning() >= app.instances() && app.tasksStaged() == 0;
        return running && (!app.hasHealthChecks() || app.tasksHealthy() >= app.instances());
    }

    static String counts(App app) {
        return app.tasksRunning() + " of " + app.instances() + " running"
                + (app.hasHealthChecks() ? ", " + app.tasksHealthy() + " healthy" : "");
    }
}
