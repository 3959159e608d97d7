package io.opsbot.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.DeploymentAction;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.LastTaskFailure;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvent;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.cluster.mesos.MesosClient;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the cluster and turns what it sees into signals for {@link Incidents}: Marathon's event stream (task
 * failures, failed health checks, failed deployments), and a poll of Marathon's apps and deployments and the Mesos
 * master's agents (under-replication, stuck deployments, lost agents, and every resolution, which is decided from
 * state). After the event stream comes back it reconciles from the current state, so a failure in the gap still
 * opens its incident. Everything runs on the alert thread it is given.
 */
final class Watcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Watcher.class);

    static final List<String> EVENT_TYPES = List.of("event_stream_attached", "status_update_event",
            "deployment_info", "deployment_step_success", "deployment_step_failure", "deployment_success",
            "deployment_failed", "health_status_changed_event", "instance_health_changed_event",
            "failed_health_check_event", "unhealthy_task_kill_event", "unhealthy_instance_kill_event");
    /** Terminal task states that are failures whoever caused them. TASK_KILLED counts only when nobody asked. */
    static final Set<String> FAILED = Set.of("TASK_FAILED", "TASK_ERROR", "TASK_LOST", "TASK_UNREACHABLE", "TASK_GONE",
            "TASK_DROPPED", "TASK_GONE_BY_OPERATOR");
    static final String EVENT_STREAM = "marathon-events";
    /** Task ids remembered for their agent and for kills Marathon announced: enough for any burst. */
    private static final int REMEMBERED_TASKS = 5_000;
    /** At takeover, a failure this close after an open incident's last signal is taken as counted by it (clock skew). */
    static final Duration COUNTED_MARGIN = Duration.ofSeconds(1);

    private record KnownDeployment(String id, Set<String> apps, String version) {}

    private final MarathonClient marathon;
    private final MarathonEvents events;
    private final MesosClient mesos;
    private final AlertSettings settings;
    private final Incidents incidents;
    private final Predicate<String> opsbotBusy;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    private final Map<String, KnownDeployment> deployments = new HashMap<>();
    private final Map<String, String> taskHosts = bounded();
    private final Map<String, String> killedUnhealthy = bounded();
    /**
     * Task ids whose failure is already counted: one failure can reach us twice, as its event and through a
     * reconciliation that reads it as the app's last failure (at start, the stream connects before the state is read).
     */
    private final Map<String, String> countedFailures = bounded();
    private final Map<String, Instant> underSince = new HashMap<>();
    private final Set<String> underSignalled = new HashSet<>();
    private final Set<String> stuckSignalled = new HashSet<>();
    private final Map<String, Instant> goodSince = new HashMap<>();
    private final Set<String> agentsSeen = new HashSet<>();
    private final Set<String> lostSignalled = new HashSet<>();
    /** Marathon's launch queue by app, read at most once per poll or reconciliation (null: not read yet). */
    private Map<String, io.opsbot.cluster.marathon.QueueItem> queue;
    private Instant downSince;
    private String downReason;
    private boolean blindSignalled;
    private volatile MarathonEvents.Subscription subscription;
    private ScheduledFuture<?> polling;
    private volatile boolean closed;

    Watcher(MarathonClient marathon, MarathonEvents events, MesosClient mesos, AlertSettings settings,
            Incidents incidents, Predicate<String> opsbotBusy, Clock clock, ScheduledExecutorService thread) {
        this.marathon = marathon;
        this.events = events;
        this.mesos = mesos;
        this.settings = settings;
        this.incidents = incidents;
        this.opsbotBusy = opsbotBusy;
        this.clock = clock;
        this.thread = thread;
    }

    /** Subscribes, reconciles what happened shortly before (a takeover's gap), then polls. Call on the alert thread. */
    void start() {
        subscription = events.subscribe(EVENT_TYPES, new MarathonEvents.Listener() {
            @Override
            public void onEvent(MarathonEvent event) {
                Instant at = clock.instant();
                run(() -> onEventAt(event, at));
            }

            @Override
            public void onReconnected() {
                run(Watcher.this::streamBack);
            }

            @Override
            public void onDisconnected(String reason) {
                run(() -> streamDown(reason));
            }
        });
        guarded("reconcile", () -> reconcile(clock.instant().minus(settings.lookback()), "opsbot started watching", true));
        polling = thread.scheduleWithFixedDelay(() -> guarded("poll", this::poll), settings.poll().toMillis(),
                settings.poll().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Subscribed and the event stream is open. */
    boolean connected() {
        MarathonEvents.Subscription s = subscription;
        return !closed && s != null && s.isConnected();
    }

    @Override
    public void close() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
        if (polling != null) {
            polling.cancel(false);
        }
    }

    private void run(Runnable work) {
        if (closed) {
            return;
        }
        try {
            thread.execute(() -> {
                if (!closed) {
                    guarded("event", work);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("event=alert_event_dropped reason=shutting-down");
        }
    }

    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.warn("event=alert_watch_failed during={} error=\"{}\"", what, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- events

    void onEventAt(MarathonEvent event, Instant at) {
        if (event instanceof MarathonEvent.DeploymentStep d) {
            KnownDeployment known = deployments.computeIfAbsent(d.deploymentId(),
                    id -> new KnownDeployment(id, new HashSet<>(), d.version()));
            for (DeploymentAction a : d.currentActions()) {
                if (a.app() != null) {
                    known.apps().add(name(a.app()));
                }
            }
        } else if (event instanceof MarathonEvent.DeploymentFinished f) {
            deploymentFinished(f, at);
        } else if (event instanceof MarathonEvent.StatusUpdate u) {
            statusUpdate(u, at);
        } else if (event instanceof MarathonEvent.HealthChanged h) {
            if (!h.alive() && h.appId() != null) {
                String host = taskHosts.get(h.instanceId());
                incidents.signal(new Signal(IncidentKind.UNHEALTHY, name(h.appId()),
                        "a task turned unhealthy" + on(host), host, at, 0, false));
            }
        } else if (event instanceof MarathonEvent.Other o && o.eventType() != null) {
            other(o, at);
        }
    }

    private void deploymentFinished(MarathonEvent.DeploymentFinished f, Instant at) {
        KnownDeployment known = deployments.remove(f.deploymentId());
        Set<String> apps = new HashSet<>();
        f.appIds().forEach(a -> apps.add(name(a)));
        if (known != null) {
            apps.addAll(known.apps());
        }
        for (String app : apps) {
            if (f.success()) {
                incidents.resolve(new IncidentKey(IncidentKind.DEPLOYMENT_FAILED, app), "a later deployment succeeded");
                incidents.resolve(new IncidentKey(IncidentKind.DEPLOYMENT_STUCK, app), "the deployment finished");
            } else {
                incidents.signal(Signal.of(IncidentKind.DEPLOYMENT_FAILED, app,
                        "deployment " + f.deploymentId() + " failed", null, at));
                incidents.resolve(new IncidentKey(IncidentKind.DEPLOYMENT_STUCK, app), "the deployment ended (failed)");
            }
        }
    }

    private void statusUpdate(MarathonEvent.StatusUpdate u, Instant at) {
        if (u.taskId() != null && u.host() != null) {
            taskHosts.put(u.taskId(), u.host());
        }
        String status = u.taskStatus();
        if (status == null || u.appId() == null) {
            return;
        }
        boolean failed = FAILED.contains(status);
        boolean unaskedKill = "TASK_KILLED".equals(status) && killedUnhealthy.remove(u.taskId()) == null;
        if (!failed && !unaskedKill) {
            return;
        }
        String app = name(u.appId());
        // a deployment replaces and kills tasks on purpose, and its own watch reports its failures;
        // so does an operation opsbot runs on the app
        if (deploying(app) || opsbotBusy.test(app)) {
            return;
        }
        if (!firstCount(u.taskId(), status)) {
            return;
        }
        String message = u.message() == null || u.message().isBlank() ? "" : " \"" + u.message() + "\"";
        incidents.signal(Signal.of(IncidentKind.TASK_FAILURES, app, status + on(u.host()) + message, u.host(), at));
    }

    /** Whether this task's failure is counted for the first time (a task fails once); remembers it. */
    private boolean firstCount(String taskId, String state) {
        if (taskId == null || countedFailures.putIfAbsent(taskId, state) == null) {
            return true;
        }
        log.debug("event=alert_failure_seen_twice task={} state={}", taskId, state);
        return false;
    }

    private void other(MarathonEvent.Other o, Instant at) {
        JsonNode raw = o.raw();
        String type = o.eventType();
        switch (type) {
            case "event_stream_attached" -> streamBack();
            case "failed_health_check_event" -> {
                String app = text(raw, "appId");
                String task = text(raw, "taskId") != null ? text(raw, "taskId") : text(raw, "instanceId");
                String host = task == null ? null : taskHosts.get(task);
                if (app != null) {
                    incidents.signal(Signal.of(IncidentKind.UNHEALTHY, name(app), "health check failed" + on(host), host, at));
                }
            }
            case "unhealthy_task_kill_event", "unhealthy_instance_kill_event" -> {
                String app = text(raw, "appId");
                String task = text(raw, "taskId") != null ? text(raw, "taskId") : text(raw, "instanceId");
                String host = text(raw, "host") != null ? text(raw, "host") : task == null ? null : taskHosts.get(task);
                if (task != null) {
                    killedUnhealthy.put(task, app == null ? "" : app);
                }
                if (app != null) {
                    String reason = text(raw, "reason");
                    incidents.signal(new Signal(IncidentKind.UNHEALTHY, name(app), "Marathon killed an unhealthy task"
                            + on(host) + (reason == null ? "" : " (" + reason + ")"), host, at, 0, false));
                }
            }
            case "instance_health_changed_event" -> {
                String app = text(raw, "runSpecId") != null ? text(raw, "runSpecId") : text(raw, "appId");
                if (app != null && raw.path("healthy").isBoolean() && !raw.path("healthy").asBoolean()) {
                    incidents.signal(new Signal(IncidentKind.UNHEALTHY, name(app), "an instance turned unhealthy",
                            null, at, 0, false));
                }
            }
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- the stream's gaps

    private void streamDown(String reason) {
        if (downSince == null) {
            downSince = clock.instant();
            log.warn("event=alert_stream_down reason=\"{}\"", reason);
        }
        downReason = reason;
    }

    private void streamBack() {
        if (downSince == null) {
            return;
        }
        Instant since = downSince;
        Duration gap = Duration.between(since, clock.instant());
        downSince = null;
        String why = "a " + span(roundUp(gap)) + " gap in the event stream";
        log.info("event=alert_stream_back gap_ms={}", gap.toMillis());
        reconcile(since.minusSeconds(1), why);
        incidents.resolve(new IncidentKey(IncidentKind.BLIND_SPOT, EVENT_STREAM),
                "Marathon's event stream is back after " + span(roundUp(gap)) + "; state reconciled");
        blindSignalled = false;
    }

    /**
     * Re-reads the state and opens what the events would have: task failures newer than {@code since}, deployments
     * that ended without reaching their target, then a poll (agents, replicas, resolutions).
     */
    void reconcile(Instant since, String why) {
        reconcile(since, why, false);
    }

    /** @param takeover at start or on becoming leader: what an open incident already counts is not counted again */
    void reconcile(Instant since, String why, boolean takeover) {
        queue = null;
        launchQueue(); // read with the state: a gap's under-replication is explained by what waits to launch
        List<App> apps = marathon.apps(Embed.COUNTS, Embed.DEPLOYMENTS, Embed.LAST_TASK_FAILURE);
        List<Deployment> running = marathon.deployments();
        Set<String> runningIds = new HashSet<>();
        running.forEach(d -> runningIds.add(d.id()));
        Map<String, App> byName = new HashMap<>();
        apps.forEach(a -> byName.put(name(a.id()), a));
        String found = " (found by reconciliation after " + why + ")";
        for (KnownDeployment d : List.copyOf(deployments.values())) {
            if (runningIds.contains(d.id())) {
                continue;
            }
            deployments.remove(d.id());
            for (String app : d.apps()) {
                App now = byName.get(app);
                if (now != null && d.version() != null && !d.version().equals(now.version())) {
                    incidents.signal(new Signal(IncidentKind.DEPLOYMENT_FAILED, app, "deployment " + d.id()
                            + " ended without reaching its target version" + found, null, clock.instant(), 1, true));
                } else {
                    incidents.resolve(new IncidentKey(IncidentKind.DEPLOYMENT_FAILED, app), "a later deployment succeeded");
                }
            }
        }
        remember(running);
        for (App a : apps) {
            LastTaskFailure f = a.lastTaskFailure();
            Instant at = f == null ? null : instant(f.timestamp());
            String app = name(a.id());
            if (at == null || !at.isAfter(since) || opsbotBusy.test(app)) {
                continue;
            }
            if (!a.deployments().isEmpty() || deploying(app)
                    || (f.version() != null && a.version() != null && !f.version().equals(a.version()))) {
                continue; // a deployment (running, or one that moved past that version) owns its task failures
            }
            // Marathon's kill of a task that failed its health checks belongs to the health incident
            boolean healthKill = "TASK_KILLED".equals(f.state()) && f.message() != null
                    && f.message().toLowerCase(java.util.Locale.ROOT).contains("health");
            IncidentKind kind = healthKill ? IncidentKind.UNHEALTHY : IncidentKind.TASK_FAILURES;
            // an open incident last seen after this failure counted it (this replica before a restart, or the one
            // that led before); a failure later than that happened while nobody watched, and counts. Marathon's
            // clock and ours may differ a little: within the margin, it is taken as counted
            if (takeover && incidents.openIncident(new IncidentKey(kind, app))
                    .filter(i -> !at.isAfter(i.lastSeen().plus(COUNTED_MARGIN))).isPresent()) {
                continue;
            }
            if (!firstCount(f.taskId(), f.state())) {
                continue; // its event was counted
            }
            String message = f.message() == null || f.message().isBlank() ? "" : " \"" + f.message() + "\"";
            incidents.signal(new Signal(kind, app, f.state() + on(f.host()) + message + found, f.host(), clock.instant(),
                    1, true));
        }
        check(apps, running);
        for (App a : apps) {
            String app = name(a.id());
            io.opsbot.cluster.marathon.QueueItem q = launchQueue().get(app);
            IncidentKey key = new IncidentKey(IncidentKind.UNDER_REPLICATED, app);
            if (q != null && a.tasksRunning() < a.instances() && incidents.openIncident(key).isPresent()) {
                // the open incident's reason gains what the launch queue says now (no occurrence added)
                incidents.signal(new Signal(IncidentKind.UNDER_REPLICATED, app, "running " + a.tasksRunning() + " of "
                        + a.instances() + queued(q) + found, null, clock.instant(), 0, true));
            }
        }
    }

    /** GET /v2/queue once per poll or reconciliation, by app name; empty when Marathon cannot say. */
    private Map<String, io.opsbot.cluster.marathon.QueueItem> launchQueue() {
        if (queue == null) {
            Map<String, io.opsbot.cluster.marathon.QueueItem> read = new HashMap<>();
            try {
                marathon.launchQueue().forEach(q -> read.put(name(q.appId()), q));
            } catch (RuntimeException e) {
                log.warn("event=alert_queue_unreadable error=\"{}\"", e.getMessage());
            }
            queue = read;
        }
        return queue;
    }

    /** "; launch queue: 1 waiting, back-off 12s left, 3 of 3 offers declined (InsufficientMemory 3/3)". */
    static String queued(io.opsbot.cluster.marathon.QueueItem q) {
        StringBuilder out = new StringBuilder("; launch queue: ").append(q.count()).append(" waiting");
        if (!q.overdue() && q.delaySecondsLeft() > 0) {
            out.append(", back-off ").append(q.delaySecondsLeft()).append("s left");
        }
        if (q.unusedOffers() > 0) {
            out.append(", ").append(q.unusedOffers()).append(" of ").append(q.processedOffers()).append(" offers declined");
            List<String> why = q.rejections().stream().filter(r -> r.declined() > 0)
                    .map(r -> r.reason() + " " + r.declined() + "/" + r.processed()).toList();
            if (!why.isEmpty()) {
                out.append(" (").append(String.join(", ", why)).append(")");
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- the poll

    private void poll() {
        queue = null;
        Instant now = clock.instant();
        if (downSince != null && !blindSignalled && Duration.between(downSince, now).compareTo(settings.streamGap()) >= 0) {
            blindSignalled = true;
            incidents.signal(Signal.of(IncidentKind.BLIND_SPOT, EVENT_STREAM, "Marathon's event stream is down since "
                    + downSince + " (" + downReason + "); opsbot keeps polling every "
                    + span(settings.poll()), null, now));
        }
        List<Deployment> running = marathon.deployments();
        List<App> apps = marathon.apps(Embed.COUNTS, Embed.DEPLOYMENTS);
        if (downSince == null) {
            // with the stream up, a deployment that vanished had its event; during a gap, reconciliation decides
            Set<String> ids = new HashSet<>();
            running.forEach(d -> ids.add(d.id()));
            deployments.keySet().retainAll(ids);
        }
        remember(running);
        check(apps, running);
    }

    private void remember(List<Deployment> running) {
        for (Deployment d : running) {
            KnownDeployment known = deployments.computeIfAbsent(d.id(), id -> new KnownDeployment(id, new HashSet<>(),
                    d.version()));
            d.affectedApps().forEach(a -> known.apps().add(name(a)));
        }
    }

    /** Stuck deployments, under-replicated apps, lost agents, and the resolutions that state decides. */
    private void check(List<App> apps, List<Deployment> running) {
        Instant now = clock.instant();
        for (Deployment d : running) {
            Instant started = instant(d.version());
            if (started != null && Duration.between(started, now).compareTo(settings.stuckAfter()) > 0
                    && stuckSignalled.add(d.id())) {
                for (String app : d.affectedApps()) {
                    incidents.signal(Signal.of(IncidentKind.DEPLOYMENT_STUCK, name(app), "deployment " + d.id()
                            + " has run for " + span(roundUp(Duration.between(started, now)))
                            + " (step " + d.currentStep() + " of " + d.totalSteps() + ")", null, now));
                }
            }
        }
        for (App a : apps) {
            String app = name(a.id());
            boolean deployingNow = !a.deployments().isEmpty() || deploying(app);
            boolean under = a.tasksRunning() < a.instances();
            if (under && !deployingNow) {
                Instant since = underSince.computeIfAbsent(app, k -> now);
                if (Duration.between(since, now).compareTo(settings.underReplicatedGrace()) >= 0 && underSignalled.add(app)) {
                    io.opsbot.cluster.marathon.QueueItem q = launchQueue().get(app);
                    incidents.signal(Signal.of(IncidentKind.UNDER_REPLICATED, app, "running " + a.tasksRunning() + " of "
                            + a.instances() + " for " + span(roundUp(Duration.between(since, now)))
                            + (q == null ? "" : queued(q)), null, now));
                }
            } else {
                underSince.remove(app);
                underSignalled.remove(app);
            }
            boolean healthy = !a.hasHealthChecks() || a.tasksHealthy() >= a.instances();
            boolean good = !under && !deployingNow && healthy && a.tasksUnhealthy() == 0;
            if (good) {
                goodSince.putIfAbsent(app, now);
            } else {
                goodSince.remove(app);
            }
            for (IncidentKind kind : IncidentKind.values()) {
                if (!kind.aboutApp()) {
                    continue;
                }
                IncidentKey key = new IncidentKey(kind, app);
                incidents.openIncident(key).ifPresent(i -> {
                    Instant since = goodSince.get(app);
                    if (since != null && !since.plus(settings.stable()).isAfter(now)
                            && !i.lastSeen().plus(settings.stable()).isAfter(now)) {
                        incidents.resolve(key, "back at " + a.tasksRunning() + "/" + a.instances() + " running"
                                + (a.hasHealthChecks() ? " and healthy" : "") + " for " + span(settings.stable()));
                    }
                });
            }
        }
        checkAgents(now);
    }

    private void checkAgents(Instant now) {
        if (mesos == null) {
            return;
        }
        Set<String> present = new HashSet<>();
        for (Agent agent : mesos.state().agents()) {
            String node = agent.hostname();
            if (node == null) {
                continue;
            }
            present.add(node);
            agentsSeen.add(node);
            if (agent.active()) {
                lostSignalled.remove(node);
                incidents.resolve(new IncidentKey(IncidentKind.AGENT_LOST, node), node + " is back: active on the Mesos master");
            } else if (lostSignalled.add(node)) {
                incidents.signal(Signal.of(IncidentKind.AGENT_LOST, node, node + " lost: inactive on the Mesos master",
                        node, now));
            }
        }
        for (String node : agentsSeen) {
            if (!present.contains(node) && lostSignalled.add(node)) {
                incidents.signal(Signal.of(IncidentKind.AGENT_LOST, node, node + " lost: gone from the Mesos master",
                        node, now));
            }
        }
    }

    private boolean deploying(String app) {
        return deployments.values().stream().anyMatch(d -> d.apps().contains(app));
    }

    // ---------------------------------------------------------------- helpers

    /** The app's name as people type it: Marathon's id without its leading slash. */
    static String name(String appId) {
        return appId.startsWith("/") ? appId.substring(1) : appId;
    }

    private static String on(String host) {
        return host == null || host.isBlank() ? "" : " on " + host;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(String iso) {
        if (iso == null || iso.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** 13s, 4m10s, 2h5m. */
    static String span(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
    }

    private static Duration roundUp(Duration d) {
        long seconds = Math.max(1, (d.toMillis() + 999) / 1000);
        return Duration.ofSeconds(seconds);
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED_TASKS;
            }
        };
    }
}
