package io.opsbot.engine.ops;

import io.opsbot.cluster.marathon.AppLockedException;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.config.Durations;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.StepContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands before every step that writes an app to Marathon. A Marathon deployment of that app that this step did
 * not start (from the Marathon UI, Ansible, another tool) is waited for, bounded by {@code engine.lockWait},
 * with a progress line naming it; then the step plans again against what that deployment left. Marathon's 409
 * ("App is locked by one or more deployments") met on the write is handled the same way. With {@code --force}
 * nothing is waited for and the write overrides the deployment (Marathon's {@code ?force=true}); the command
 * asks for confirmation before it gets here.
 */
final class MarathonGate {

    private static final Logger log = LoggerFactory.getLogger(MarathonGate.class);

    /** How often /v2/deployments is read while waiting: often enough to go on soon after, cheap for Marathon. */
    private static final Duration POLL = Duration.ofMillis(500);

    /** One write attempt of a step; {@code force} says whether to override a deployment. */
    @FunctionalInterface
    interface Write {
        void run(boolean force) throws InterruptedException;
    }

    private final ClusterClients clients;
    private final Duration lockWait;
    private final boolean force;
    /** Deployments that opsbot itself started (in this process), so a leftover of an earlier operation is named as such. */
    private final Set<String> startedByOpsbot;

    MarathonGate(ClusterClients clients, Duration lockWait, boolean force, Set<String> startedByOpsbot) {
        this.clients = clients;
        this.lockWait = lockWait;
        this.force = force;
        this.startedByOpsbot = startedByOpsbot;
    }

    boolean force() {
        return force;
    }

    /** Remembers a deployment opsbot started. */
    DeploymentRef ours(DeploymentRef ref) {
        if (ref != null && ref.deploymentId() != null) {
            startedByOpsbot.add(ref.deploymentId());
        }
        return ref;
    }

    /**
     * Runs {@code write} once no other deployment touches {@code appId}; the write itself reads the app afresh, so
     * after a wait it plans again. A 409 from Marathon (a deployment started in between) sends it back to waiting.
     */
    void write(StepContext context, String appId, Write write) throws InterruptedException {
        Instant giveUp = earliest(context.clock().instant().plus(lockWait), context.deadline().minus(Waits.MARGIN));
        while (true) {
            if (!force) {
                awaitOthers(context, appId, giveUp);
            }
            try {
                write.run(force);
                return;
            } catch (AppLockedException locked) {
                if (force) {
                    throw locked;
                }
                log.info("event=marathon_app_locked app={} deployments={}", appId, locked.deploymentIds());
                context.progress(0.05, "Marathon answered that " + appId + " is locked by deployment "
                        + String.join(", ", locked.deploymentIds()) + "; waiting for it");
            }
        }
    }

    /** Waits (unless forced) until no deployment opsbot did not start touches the app, before a step that leads to a write. */
    void awaitQuiet(StepContext context, String appId) throws InterruptedException {
        if (!force) {
            awaitOthers(context, appId, earliest(context.clock().instant().plus(lockWait),
                    context.deadline().minus(Waits.MARGIN)));
        }
    }

    private void awaitOthers(StepContext context, String appId, Instant giveUp) throws InterruptedException {
        String said = null;
        Instant started = context.clock().instant();
        while (true) {
            List<Deployment> others = others(appId);
            if (others.isEmpty()) {
                if (said != null) {
                    String waited = Durations.format(Duration.between(started, context.clock().instant()));
                    log.info("event=marathon_deployment_waited app={} waited={}", appId, waited);
                    context.progress(0.06, "the other deployment of " + appId + " is over (waited " + waited
                            + "); planning again");
                }
                return;
            }
            String who = others.stream().map(this::describe).collect(Collectors.joining("; "));
            if (!context.clock().instant().isBefore(giveUp)) {
                throw new OpsException(appId + " is busy with Marathon " + who + "; waited "
                        + Durations.format(Duration.between(started, context.clock().instant()))
                        + " (engine.lockWait is " + Durations.format(lockWait) + "). Run it again when that deployment is"
                        + " done, or add --force to override it (asks for confirmation)");
            }
            if (!who.equals(said)) {
                said = who;
                log.info("event=marathon_deployment_wait app={} waiting_for=\"{}\"", appId, who);
                context.progress(0.05, "waiting for Marathon " + who + " (at most "
                        + Durations.format(lockWait) + ", engine.lockWait)");
            }
            context.checkCancelled();
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Deployments now running that touch the app. */
    private List<Deployment> others(String appId) {
        return clients.marathon().deployments().stream().filter(d -> d.affects(appId)).toList();
    }

    /** "deployment 5ed4… (ScaleApplication /nodeapp, step 1 of 2), which opsbot did not start". */
    String describe(Deployment d) {
        String actions = d.currentActions().stream()
                .map(a -> (a.action() == null ? "change" : a.action()) + (a.app() == null ? "" : " " + a.app()))
                .distinct().collect(Collectors.joining(", "));
        String what = (actions.isEmpty() ? "of " + String.join(", ", d.affectedApps()) : actions)
                + (d.totalSteps() > 0 ? ", step " + Math.max(1, d.currentStep()) + " of " + d.totalSteps() : "");
        String whose = startedByOpsbot.contains(d.id()) ? "which an earlier opsbot operation started"
                : "which opsbot did not start";
        return "deployment " + d.id() + " (" + what + "), " + whose;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
