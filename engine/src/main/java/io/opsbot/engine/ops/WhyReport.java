package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.FieldChange;
import io.opsbot.cluster.marathon.LastTaskFailure;
import io.opsbot.cluster.marathon.NotFoundException;
import io.opsbot.cluster.marathon.QueueItem;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.cluster.mesos.FinishedTask;
import io.opsbot.cluster.mesos.Framework;
import io.opsbot.cluster.mesos.MesosState;
import io.opsbot.config.Durations;
import io.opsbot.engine.Journal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import io.opsbot.health.WhyPart;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code why APP}: one answer to "why is APP not well?" from real API calls — instances, the deployment and what it
 * waits for (Marathon's launch queue and the offers it could not use), task and health check failures, changes
 * through opsbot and outside it, drift, other features' parts (the open incident), the last error lines of its log,
 * and the commands to run next. Each part says so when its source is unreachable.
 */
public final class WhyReport {

    /** How far back changes and failures count as recent. */
    static final Duration RECENT = Duration.ofHours(24);
    private static final int FAILURES_SHOWN = 3;
    private static final int CHANGES_SHOWN = 5;
    private static final Duration LOG_WINDOW = Duration.ofMinutes(30);
    private static final int LOG_LINES_READ = 200;
    private static final int ERROR_LINES_SHOWN = 5;
    private static final Map<String, String> REASONS = Map.of(
            "InsufficientMemory", "insufficient memory",
            "InsufficientCpus", "insufficient CPU",
            "InsufficientDisk", "insufficient disk",
            "InsufficientPorts", "the ports are taken",
            "InsufficientGpus", "insufficient GPUs",
            "UnfulfilledConstraint", "a constraint is not met",
            "UnfulfilledRole", "the offer's role does not match",
            "AgentMaintenance", "the agent is in maintenance",
            "NoCorrespondingReservationFound", "no matching reservation",
            "DeclinedScarceResources", "it would use scarce resources (GPUs)");

    private final ClusterClients clients;
    private final AppCatalog catalog;
    private final ClusterOperations operations;
    private final Journal journal;
    private final Clock clock;
    private final List<WhyPart> parts;

    public WhyReport(ClusterClients clients, AppCatalog catalog, ClusterOperations operations, Journal journal, Clock clock,
                     List<WhyPart> parts) {
        this.clients = clients;
        this.catalog = catalog;
        this.operations = operations;
        this.journal = journal;
        this.clock = clock;
        this.parts = List.copyOf(parts);
    }

    public Report explain(String name, ZoneId zone) {
        AppSpec spec = catalog.require(name);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("MMM d HH:mm:ss", Locale.ROOT).withZone(zone);
        Instant now = clock.instant();
        String title = "why " + name;
        App app;
        try {
            app = clients.marathon().app(spec.id(), Embed.TASKS, Embed.COUNTS, Embed.DEPLOYMENTS, Embed.LAST_TASK_FAILURE);
        } catch (NotFoundException e) {
            return new Report(title, List.of(new Report.Section("", List.of(name + " does not run in Marathon (" + spec.id()
                    + " is not there); try: deploy " + name))), clients.emulated());
        } catch (OpsException e) {
            return new Report(title, List.of(new Report.Section("", List.of("Marathon is unreachable, so I cannot tell: "
                    + e.getMessage(), "try: status"))), clients.emulated());
        }
        List<Unhealthy> unhealthy = unhealthyChecks(app.raw());
        boolean deploying = !app.deployments().isEmpty();
        boolean healthy = app.tasksRunning() >= app.instances() && unhealthy.isEmpty() && !deploying
                && (!app.hasHealthChecks() || app.tasksHealthy() >= app.instances());
        if (healthy) {
            List<Report.Section> well = new ArrayList<>(List.of(new Report.Section("", List.of("✅ " + name + " is well: "
                    + app.tasksRunning() + " of " + app.instances() + " running" + (app.hasHealthChecks() ? " and healthy" : "")
                    + ", no deployment under way"))));
            well.addAll(parts(name, spec.id())); // an incident still open while the app looks well (not yet stable)
            return new Report(title, well, clients.emulated());
        }

        Set<String> next = new LinkedHashSet<>();
        List<Report.Section> sections = new ArrayList<>();
        sections.add(new Report.Section("Instances", List.of(instances(app, unhealthy, time))));
        Map<String, String> hosts = agentHosts();
        if (deploying) {
            sections.add(section("Deployment", () -> deployment(app, hosts, time, now, next, name)));
        }
        sections.add(section("Failures", () -> failures(app, unhealthy, hosts, time, now, next, name)));
        sections.add(section("Recent changes", () -> changes(spec, app, time, now, next, name)));
        sections.addAll(parts(name, spec.id()));
        sections.add(section("Last error lines of its log (" + Durations.format(LOG_WINDOW) + ")", () -> errorLines(name)));
        next.add("logs " + name + " --since 30m");
        next.add("status " + name);
        sections.add(new Report.Section("Next", next.stream().map(c -> "`" + c + "`").toList()));
        return new Report(title, sections, clients.emulated());
    }

    /** What the other features' parts say about the app; a part that fails says so. */
    private List<Report.Section> parts(String name, String marathonId) {
        List<Report.Section> out = new ArrayList<>();
        for (WhyPart part : parts) {
            try {
                part.explain(name, marathonId).ifPresent(out::add);
            } catch (RuntimeException e) {
                out.add(new Report.Section(part.getClass().getSimpleName(), List.of("failed: " + e.getMessage())));
            }
        }
        return out;
    }

    /**
     * For {@code what changed}: the Marathon versions of the catalog's apps since {@code since} that no opsbot
     * operation made, newest first, one line each; a line saying so when Marathon cannot be reached.
     */
    public List<String> outsideChanges(Instant since, ZoneId zone) {
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(zone);
        Instant now = clock.instant();
        List<Map.Entry<Instant, String>> found = new ArrayList<>();
        for (AppSpec spec : catalog.apps()) {
            List<String> versions;
            try {
                versions = clients.marathon().versions(spec.id());
            } catch (NotFoundException e) {
                continue;
            } catch (OpsException e) {
                return List.of("Marathon is unreachable, so changes outside opsbot are not known: " + e.getMessage());
            }
            List<OperationEntry> ours = journal.history(operations.resourceOf(spec.name()), 200);
            for (Instant v : OutsideChanges.of(versions, since, ours, now)) {
                found.add(Map.entry(v, time.format(v) + "  " + spec.name() + " changed outside opsbot (Marathon version " + v + ")"));
            }
        }
        found.sort(Map.Entry.<Instant, String>comparingByKey().reversed());
        return found.stream().map(Map.Entry::getValue).toList();
    }

    /** A task whose health check fails, as Marathon's healthCheckResults say. */
    record Unhealthy(String taskId, String host, int consecutiveFailures, String since, String cause) {}

    private static List<Unhealthy> unhealthyChecks(JsonNode raw) {
        List<Unhealthy> out = new ArrayList<>();
        for (JsonNode task : raw.path("tasks")) {
            for (JsonNode result : task.path("healthCheckResults")) {
                if (result.has("alive") && !result.path("alive").asBoolean(true)) {
                    String since = result.path("lastSuccess").isTextual() ? result.path("lastSuccess").asText()
                            : task.path("startedAt").asText(null);
                    out.add(new Unhealthy(task.path("id").asText(), task.path("host").asText(),
                            result.path("consecutiveFailures").asInt(0), since,
                            result.path("lastFailureCause").isTextual() ? result.path("lastFailureCause").asText() : null));
                }
            }
        }
        return out;
    }

    private static String instances(App app, List<Unhealthy> unhealthy, DateTimeFormatter time) {
        StringBuilder line = new StringBuilder(app.instances() + " wanted, " + app.tasksRunning() + " running");
        if (app.hasHealthChecks()) {
            line.append(", ").append(app.tasksHealthy()).append(" healthy");
        }
        if (app.tasksStaged() > 0) {
            line.append(", ").append(app.tasksStaged()).append(" staging");
        }
        Optional<Instant> since = unhealthy.stream().map(Unhealthy::since).map(WhyReport::instant)
                .flatMap(Optional::stream).min(Comparator.naturalOrder());
        since.ifPresent(s -> line.append(" — unhealthy since ").append(time.format(s)));
        if (since.isEmpty() && app.lastConfigChangeAt() != null) {
            instant(app.lastConfigChangeAt()).ifPresent(s -> line.append(" — definition last changed ").append(time.format(s)));
        }
        return line.toString();
    }

    private List<String> deployment(App app, Map<String, String> hosts, DateTimeFormatter time, Instant now,
                                    Set<String> next, String name) {
        List<String> lines = new ArrayList<>();
        for (Deployment d : clients.marathon().deployments()) {
            if (!d.affects(app.id())) {
                continue;
            }
            String ran = instant(d.version()).map(v -> " running for " + Durations.format(Duration.between(v, now).withNanos(0))
                    + " (since " + time.format(v) + ")").orElse("");
            String actions = d.currentActions().stream().map(a -> a.action()).collect(Collectors.joining(", "));
            lines.add("deployment " + d.id() + ran + ", step " + d.currentStep() + "/" + d.totalSteps()
                    + (actions.isEmpty() ? "" : ": " + actions));
        }
        List<QueueItem> queue;
        try {
            queue = clients.marathon().launchQueue();
        } catch (OpsException e) {
            lines.add("the launch queue is unreachable: " + e.getMessage());
            return lines;
        }
        for (QueueItem q : queue) {
            if (!q.appId().equals(app.id())) {
                continue;
            }
            StringBuilder waits = new StringBuilder("waits for offers: " + q.count() + " instance" + (q.count() == 1 ? "" : "s")
                    + " not placed yet");
            instant(q.since()).ifPresent(s -> waits.append(" (queued since ").append(time.format(s)).append(")"));
            if (q.delaySecondsLeft() > 0) {
                waits.append("; launch delayed ").append(q.delaySecondsLeft()).append("s more (backoff after failures)");
            } else if (q.overdue()) {
                waits.append("; overdue");
            }
            lines.add(waits.toString());
            List<QueueItem.Rejection> declined = q.rejections().stream().filter(r -> r.declined() > 0).toList();
            if (q.processedOffers() > 0 || !declined.isEmpty()) {
                lines.add("Marathon could not use " + q.unusedOffers() + " of the " + q.processedOffers() + " offers it processed"
                        + (declined.isEmpty() ? "" : ": " + declined.stream().map(r -> reason(r.reason()) + " ("
                        + r.declined() + " of " + r.processed() + ")").collect(Collectors.joining(", "))));
            }
            Map<String, List<String>> byAgent = new java.util.TreeMap<>();
            for (QueueItem.UnusedOffer o : q.lastUnusedOffers()) {
                String host = o.hostname() != null ? o.hostname() : hosts.getOrDefault(o.agentId(), o.agentId());
                byAgent.computeIfAbsent(host, h -> new ArrayList<>()).addAll(o.reasons().stream().map(WhyReport::reason).toList());
            }
            if (!byAgent.isEmpty()) {
                lines.add("last offers declined: " + byAgent.entrySet().stream().map(e -> e.getKey() + " ("
                        + String.join(", ", new LinkedHashSet<>(e.getValue())) + ")").collect(Collectors.joining(", ")));
            }
            boolean memory = declined.stream().anyMatch(r -> r.reason().equals("InsufficientMemory"))
                    || q.lastUnusedOffers().stream().anyMatch(o -> o.reasons().contains("InsufficientMemory"));
            boolean cpu = declined.stream().anyMatch(r -> r.reason().equals("InsufficientCpus"))
                    || q.lastUnusedOffers().stream().anyMatch(o -> o.reasons().contains("InsufficientCpus"));
            boolean constraint = declined.stream().anyMatch(r -> r.reason().equals("UnfulfilledConstraint"))
                    || q.lastUnusedOffers().stream().anyMatch(o -> o.reasons().contains("UnfulfilledConstraint"));
            if (memory || cpu) {
                lines.add("no agent has " + (memory && cpu ? "the CPU and memory" : memory ? "the memory" : "the CPU")
                        + " free for one more instance (" + app.cpus() + " cpus, " + Math.round(app.mem()) + " MiB each)");
                next.add("scale " + name + " " + Math.max(0, app.tasksRunning()));
            }
            if (constraint) {
                lines.add("its constraints " + app.constraints() + " rule out the agents that have room");
                next.add("drift " + name);
            }
        }
        if (lines.isEmpty()) {
            lines.add("no deployment or queued launch found for " + app.id());
        }
        next.add("rollback " + name);
        return lines;
    }

    private List<String> failures(App app, List<Unhealthy> unhealthy, Map<String, String> hosts, DateTimeFormatter time,
                                  Instant now, Set<String> next, String name) {
        List<String> lines = new ArrayList<>();
        for (Unhealthy u : unhealthy) {
            lines.add("health check failing on " + u.host() + " (task " + u.taskId() + "): " + u.consecutiveFailures()
                    + " consecutive failures" + (u.cause() == null ? "" : ", last cause: " + u.cause())
                    + instant(u.since()).map(s -> ", since " + time.format(s)).orElse(""));
        }
        if (!unhealthy.isEmpty()) {
            next.add("restart " + name);
        }
        LastTaskFailure last = app.lastTaskFailure();
        if (last != null && last.message() != null) {
            lines.add("last task failure " + instant(last.timestamp()).map(time::format).orElse(last.timestamp()) + " on "
                    + last.host() + ": " + last.state() + " — " + last.message());
        }
        if (clients.hasMesos()) {
            try {
                String taskName = app.id().substring(1).replace('/', '.');
                List<FinishedTask> failed = new ArrayList<>();
                for (Framework f : clients.mesos().state().frameworks()) {
                    f.completedTasks().stream().filter(t -> t.failed() && taskName.equals(t.name()) && t.endedAt() != null
                            && t.endedAt().isAfter(now.minus(RECENT))).forEach(failed::add);
                }
                failed.sort(Comparator.comparing(FinishedTask::endedAt).reversed());
                if (!failed.isEmpty()) {
                    lines.add(failed.size() + " task failure" + (failed.size() == 1 ? "" : "s") + " in the last "
                            + Durations.format(RECENT) + " (Mesos):");
                }
                for (FinishedTask t : failed.subList(0, Math.min(FAILURES_SHOWN, failed.size()))) {
                    lines.add("  " + time.format(t.endedAt()) + " on " + hosts.getOrDefault(t.slaveId(), t.slaveId()) + ": "
                            + t.state() + (t.message() == null ? "" : " — " + t.message()));
                }
            } catch (OpsException e) {
                lines.add("the Mesos master is unreachable: " + e.getMessage());
            }
        }
        if (lines.isEmpty()) {
            lines.add("no failed health check and no task failure recorded");
        }
        return lines;
    }

    private List<String> changes(AppSpec spec, App app, DateTimeFormatter time, Instant now, Set<String> next, String name) {
        List<String> lines = new ArrayList<>();
        Instant since = now.minus(RECENT);
        List<OperationEntry> ours = journal.history(operations.resourceOf(name), 50).stream()
                .filter(e -> !"command".equals(e.kind()) && e.startedAt().isAfter(since)).toList();
        for (OperationEntry e : ours.subList(0, Math.min(CHANGES_SHOWN, ours.size()))) {
            lines.add(time.format(e.startedAt()) + " " + e.origin().requester() + ": " + e.title() + " ("
                    + e.state().toLowerCase(Locale.ROOT) + ")");
            if ("deploy".equals(e.kind()) && "FAILED".equals(e.state())) {
                next.add("rollback " + name);
            }
        }
        try {
            List<Instant> outside = OutsideChanges.of(clients.marathon().versions(app.id()), since, ours, now);
            for (Instant v : outside.subList(0, Math.min(CHANGES_SHOWN, outside.size()))) {
                lines.add(time.format(v) + " changed outside opsbot (Marathon version " + v + ")");
            }
        } catch (OpsException e) {
            lines.add("Marathon's versions are unreachable: " + e.getMessage());
        }
        try {
            List<FieldChange> drift = operations.driftOf(spec, app);
            if (!drift.isEmpty()) {
                lines.add("drift from the catalog: " + drift.stream().map(c -> c.path() + " (Marathon runs " + c.before()
                        + ", the catalog says " + c.after() + ")").collect(Collectors.joining("; ")));
                next.add("drift " + name);
            }
        } catch (OpsException e) {
            lines.add("could not compare with the catalog: " + e.getMessage());
        }
        if (lines.isEmpty()) {
            lines.add("no change in the last " + Durations.format(RECENT));
        }
        return lines;
    }

    private List<String> errorLines(String name) {
        Report logs = operations.logs(name, null, LOG_WINDOW, null, LOG_LINES_READ);
        List<String> errors = logs.sections().stream().flatMap(s -> s.lines().stream())
                .filter(l -> { String lower = l.toLowerCase(Locale.ROOT);
                    return lower.contains("error") || lower.contains("fail") || lower.contains("exception"); })
                .toList();
        if (errors.isEmpty()) {
            return List.of("no error lines");
        }
        return errors.subList(Math.max(0, errors.size() - ERROR_LINES_SHOWN), errors.size());
    }

    private Map<String, String> agentHosts() {
        if (!clients.hasMesos()) {
            return Map.of();
        }
        try {
            MesosState state = clients.mesos().state();
            return state.agents().stream().collect(Collectors.toMap(Agent::id, Agent::hostname, (a, b) -> a));
        } catch (OpsException e) {
            return Map.of();
        }
    }

    private static String reason(String marathonReason) {
        return REASONS.getOrDefault(marathonReason, marathonReason);
    }

    private static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Report.Section section(String heading, Supplier<List<String>> lines) {
        try {
            return new Report.Section(heading, lines.get());
        } catch (OpsException | IllegalStateException e) {
            return new Report.Section(heading, List.of("unreachable: " + e.getMessage()));
        }
    }
}
