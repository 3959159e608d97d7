package io.opsbot.cluster.marathon;

import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for one Marathon deployment to end. Listens to the event stream for its outcome and polls
 * GET /v2/deployments as a fallback (every poll interval, and at once whenever the stream reconnects, since
 * events sent while it was down are lost). A deployment that has left /v2/deployments is finished: whether it
 * succeeded is then read from the app itself (enough running, healthy tasks of the current configuration).
 */
public final class DeploymentWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentWatcher.class);

    static final List<String> EVENT_TYPES = List.of("deployment_success", "deployment_failed", "deployment_info",
            "deployment_step_success", "deployment_step_failure", "status_update_event", "health_status_changed_event");

    /** Without events, a poll every 5 s keeps chat progress lively without loading Marathon. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(5);

    private final MarathonClient marathon;
    private final MarathonEvents events;
    private final Duration pollInterval;

    public DeploymentWatcher(MarathonClient marathon, MarathonEvents events) {
        this(marathon, events, DEFAULT_POLL);
    }

    /** @param events the event stream, or null to rely on polling alone */
    public DeploymentWatcher(MarathonClient marathon, MarathonEvents events, Duration pollInterval) {
        this.marathon = Objects.requireNonNull(marathon, "marathon");
        this.events = events;
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    }

    private sealed interface Signal permits Finished, Reread, Progress {
    }

    private record Finished(boolean success) implements Signal {
    }

    private record Reread() implements Signal {
    }

    private record Progress(String text) implements Signal {
    }

    /**
     * Blocks until the deployment ends or {@code timeout} passes. {@code progress} receives short lines for
     * chat ("task nodeapp.1a2b on node2: TASK_RUNNING"). Interrupting the thread ends the wait with an
     * {@link io.opsbot.engine.OpsException}. When the time is up while Marathon does not answer, it is not known
     * whether the deployment ended: that is a {@link TransientException} naming Marathon, not a timed-out outcome.
     */
    public DeploymentOutcome awaitDeployment(String deploymentId, String appId, Duration timeout, Consumer<String> progress) {
        Objects.requireNonNull(deploymentId, "deploymentId");
        String id = MarathonClient.normalizeId(appId);
        Consumer<String> say = progress == null ? text -> { } : progress;
        BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
        MarathonEvents.Subscription subscription = events == null ? null
                : events.subscribe(EVENT_TYPES, listener(deploymentId, id, signals));
        long deadline = System.nanoTime() + timeout.toNanos();
        PollState state = new PollState();
        try {
            // Subscribed first, then read, and read again once the stream is open (subscribe returns before it is):
            // an end between the subscription and the stream's opening is caught by that second read.
            Optional<DeploymentOutcome> outcome = poll(deploymentId, id, say, state);
            while (outcome.isEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    if (state.unreachable != null) {
                        // Marathon did not answer at the end: whether the deployment finished is unknown, not "no"
                        throw new TransientException("cannot tell whether deployment " + deploymentId + " of " + id
                                + " finished: " + state.unreachable.getMessage(), state.unreachable);
                    }
                    return DeploymentOutcome.timedOut("deployment " + deploymentId + " of " + id
                            + " did not finish within " + describe(timeout) + state.lastSeen());
                }
                Signal signal = signals.poll(Math.min(remaining, pollInterval.toNanos()), TimeUnit.NANOSECONDS);
                if (signal instanceof Finished finished) {
                    outcome = Optional.of(finished.success() ? DeploymentOutcome.succeeded()
                            : DeploymentOutcome.failed("Marathon reported deployment " + deploymentId + " of " + id
                            + " as failed" + failureDetail(id)));
                } else if (signal instanceof Progress p) {
                    say.accept(p.text());
                } else {
                    outcome = poll(deploymentId, id, say, state);
                }
            }
            LOG.info("deployment={} app={} outcome={}", deploymentId, id, outcome.get().status());
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("stopped waiting for deployment " + deploymentId + " of " + id + ": interrupted", e);
        } finally {
            if (subscription != null) {
                subscription.close();
            }
        }
    }

    private static MarathonEvents.Listener listener(String deploymentId, String appId, BlockingQueue<Signal> signals) {
        return new MarathonEvents.Listener() {
            @Override
            public void onEvent(MarathonEvent event) {
                if (event instanceof MarathonEvent.DeploymentFinished finished) {
                    if (deploymentId.equals(finished.deploymentId())) {
                        signals.add(new Finished(finished.success()));
                    }
                } else if (event instanceof MarathonEvent.DeploymentStep step) {
                    if (deploymentId.equals(step.deploymentId())) {
                        String actions = step.currentActions().stream()
                                .map(a -> a.action() + " " + a.app()).reduce((a, b) -> a + ", " + b).orElse("");
                        signals.add(new Progress((step.failed() ? "step failed: " : "step: ") + actions));
                    }
                } else if (event instanceof MarathonEvent.StatusUpdate update) {
                    if (appId.equals(update.appId())) {
                        signals.add(new Progress("task " + update.taskId() + " on " + update.host() + ": "
                                + update.taskStatus()
                                + (update.message() == null || update.message().isBlank() ? "" : " (" + update.message() + ")")));
                    }
                } else if (event instanceof MarathonEvent.HealthChanged health) {
                    if (appId.equals(health.appId())) {
                        signals.add(new Progress("task " + health.instanceId() + " is "
                                + (health.alive() ? "healthy" : "unhealthy")));
                    }
                }
            }

            @Override
            public void onOpened() {
                // the first read happened before the stream was open: an end sent in between was not heard
                signals.add(new Reread());
            }

            @Override
            public void onReconnected() {
                signals.add(new Reread());
            }

            @Override
            public void onDisconnected(String reason) {
                signals.add(new Progress("lost Marathon's event stream (" + reason + "); polling until it is back"));
            }
        };
    }

    /** What the last poll saw, to avoid repeating the same progress line. */
    private static final class PollState {
        String lastProgress;
        boolean unreachableSaid;
        /** The failure of the last poll, or null when it got an answer. */
        TransientException unreachable;

        String lastSeen() {
            return lastProgress == null ? "" : " (last seen: " + lastProgress + ")";
        }
    }

    private Optional<DeploymentOutcome> poll(String deploymentId, String appId, Consumer<String> say, PollState state) {
        try {
            Optional<Deployment> running = marathon.deployments().stream()
                    .filter(d -> deploymentId.equals(d.id())).findFirst();
            state.unreachableSaid = false;
            state.unreachable = null;
            if (running.isPresent()) {
                Deployment d = running.get();
                String line = "step " + d.currentStep() + "/" + d.totalSteps()
                        + d.currentActions().stream().map(a -> " " + a.action() + " " + a.app()).reduce("", String::concat);
                if (!line.equals(state.lastProgress)) {
                    state.lastProgress = line;
                    say.accept(line);
                }
                return Optional.empty();
            }
            return Optional.of(decideByApp(deploymentId, appId));
        } catch (TransientException e) {
            state.unreachable = e;
            if (!state.unreachableSaid) {
                state.unreachableSaid = true;
                say.accept("still waiting: " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** The deployment is gone: it ended. Read the app to tell success from failure or cancellation. */
    private DeploymentOutcome decideByApp(String deploymentId, String appId) {
        App app;
        try {
            app = marathon.app(appId, Embed.TASKS, Embed.LAST_TASK_FAILURE);
        } catch (NotFoundException e) {
            return DeploymentOutcome.failed("deployment " + deploymentId + " ended and app " + appId + " no longer exists");
        }
        long current = app.tasks().stream()
                .filter(Task::isRunning)
                .filter(t -> !app.hasHealthChecks() || Boolean.TRUE.equals(t.healthy()))
                .filter(t -> app.lastConfigChangeAt() == null || t.version() == null
                        || t.version().compareTo(app.lastConfigChangeAt()) >= 0)
                .count();
        if (current >= app.instances()) {
            return DeploymentOutcome.succeeded();
        }
        List<String> others = app.deployments().stream().filter(d -> !d.equals(deploymentId)).toList();
        if (!others.isEmpty()) {
            return DeploymentOutcome.failed("deployment " + deploymentId + " of " + appId
                    + " was replaced by deployment " + String.join(", ", others) + " before it finished");
        }
        return DeploymentOutcome.failed("deployment " + deploymentId + " of " + appId + " ended with " + current
                + " of " + app.instances() + " tasks " + (app.hasHealthChecks() ? "healthy" : "running")
                + lastFailure(app));
    }

    private String failureDetail(String appId) {
        try {
            return lastFailure(marathon.app(appId, Embed.LAST_TASK_FAILURE));
        } catch (OpsException e) {
            return "";
        }
    }

    private static String lastFailure(App app) {
        LastTaskFailure failure = app.lastTaskFailure();
        if (failure == null || failure.message() == null || failure.message().isBlank()) {
            return "";
        }
        return "; last task failure" + (failure.host() == null ? "" : " on " + failure.host()) + ": "
                + failure.state() + " " + failure.message();
    }

    private static String describe(Duration d) {
        return d.toSeconds() >= 1 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
