package io.opsbot.engine.ops;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.FieldChange;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.cluster.mesos.FinishedTask;
import io.opsbot.cluster.mesos.Framework;
import io.opsbot.cluster.mesos.MesosState;
import io.opsbot.engine.Journal;
import io.opsbot.engine.OperationEntry;
import io.opsbot.engine.OpsException;
import io.opsbot.health.AgentUsage;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import io.opsbot.health.SectionSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Builds the {@link HealthReport} from real API calls: the Mesos master's agents and finished tasks, Marathon's
 * apps, the journal's operations since the last report, drift from the catalog, Weave and Flocker, and what other
 * features contribute ({@link SectionSource}). A source that cannot be reached becomes an "unreachable" line and a
 * problem; the rest of the report is still built.
 */
public final class HealthReporter {

    /** Lines a section shows before it summarizes: Slack's 3,000 characters per section hold about this many. */
    public static final int SHOWN = 10;
    /** Problems the verdict lists one per line; the rest are counted. */
    public static final int PROBLEMS_SHOWN = 10;
    /** An agent this full gets a line in the verdict. */
    private static final double FULL_PERCENT = 90;
    private static final int JOURNAL_LOOKBACK = 1000;

    private final ClusterClients clients;
    private final AppCatalog catalog;
    private final ClusterOperations operations;
    private final StatusReport status;
    private final Journal journal;
    private final Clock clock;
    private final List<SectionSource> sources;

    public HealthReporter(ClusterClients clients, AppCatalog catalog, ClusterOperations operations, Journal journal,
                          Clock clock, List<SectionSource> sources) {
        this.clients = clients;
        this.catalog = catalog;
        this.operations = operations;
        this.status = new StatusReport(clients, catalog);
        this.journal = journal;
        this.clock = clock;
        this.sources = List.copyOf(sources);
    }

    /** @param zone the time zone the report's times are written in */
    public HealthReport build(String title, Instant since, ZoneId zone) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        DateTimeFormatter time = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT).withZone(zone);
        List<Problem> problems = new ArrayList<>();
        List<Section> sections = new ArrayList<>();
        List<AgentUsage> agents = new ArrayList<>();
        SortedMap<Instant, Integer> failuresPerHour = new TreeMap<>();
        Map<String, List<FinishedTask>> failuresByApp = new TreeMap<>();

        // the components answer on their own: their reads run at once while the journal is read here, and each
        // section below waits only for its own read (the report takes the slowest read, not the sum of them)
        ParallelReads reads = new ParallelReads();
        ParallelReads.Read<MesosState> mesos = reads.start("the Mesos master", () -> clients.mesos().stateWithoutActiveTasks());
        ParallelReads.Read<List<App>> marathon = reads.start("Marathon",
                () -> clients.marathon().apps(Embed.COUNTS, Embed.DEPLOYMENTS, Embed.LAST_TASK_FAILURE));
        Supplier<List<String>> weave = status.weave(reads);
        ParallelReads.Read<List<String>> flocker = reads.start("Flocker", status::datasets);
        List<Problem> changeProblems = new ArrayList<>();
        Section changes = changesSection(since, now, time, changeProblems);

        try {
            MesosState state = mesos.join();
            sections.add(agentsSection(state, agents, problems));
            for (Framework framework : state.frameworks()) {
                for (FinishedTask task : framework.completedTasks()) {
                    if (task.failed() && task.endedAt() != null && !task.endedAt().isBefore(since)) {
                        failuresPerHour.merge(task.endedAt().truncatedTo(ChronoUnit.HOURS), 1, Integer::sum);
                        failuresByApp.computeIfAbsent("/" + task.name().replace('.', '/'), k -> new ArrayList<>()).add(task);
                    }
                }
            }
        } catch (OpsException e) {
            sections.add(new Section("agents", "Agents", List.of("unreachable: " + e.getMessage())));
            problems.add(new Problem(Problem.Severity.CRITICAL, "Mesos master", "unreachable (" + e.getMessage() + ")", "status"));
        }

        List<App> apps = List.of();
        try {
            apps = marathon.join();
            sections.add(appsSection(apps, problems));
        } catch (OpsException e) {
            sections.add(new Section("apps", "Apps", List.of("unreachable: " + e.getMessage())));
            problems.add(new Problem(Problem.Severity.CRITICAL, "Marathon", "unreachable (" + e.getMessage() + ")", "status"));
        }

        sections.add(changes);
        problems.addAll(changeProblems);
        sections.add(failuresSection(failuresByApp, apps));
        if (!apps.isEmpty()) {
            sections.add(driftSection(apps, problems));
        }
        sections.add(part("weave", "Weave", weave));
        sections.add(part("flocker", "Flocker datasets", flocker::join));
        for (SectionSource source : sources) {
            try {
                SectionSource.Contribution c = source.contribute(since, now);
                sections.addAll(c.sections());
                problems.addAll(c.problems());
            } catch (RuntimeException e) {
                sections.add(new Section("source", source.getClass().getSimpleName(), List.of("failed: " + e.getMessage())));
            }
        }
        return new HealthReport(title, now, since, clients.emulated(), onePerSubject(problems), sections, agents, failuresPerHour,
                Duration.ofNanos(System.nanoTime() - started), null);
    }

    private static Section agentsSection(MesosState state, List<AgentUsage> agents, List<Problem> problems) {
        for (Agent a : state.agents()) {
            agents.add(new AgentUsage(a.hostname(), a.active(), a.used().cpus(), a.total().cpus(), a.used().mem(),
                    a.total().mem(), a.used().disk(), a.total().disk()));
        }
        agents.sort(Comparator.comparing(AgentUsage::hostname));
        List<AgentUsage> worstFirst = new ArrayList<>(agents);
        worstFirst.sort(Comparator.comparing((AgentUsage u) -> u.up()).thenComparing(
                u -> -Math.max(u.cpuPercent(), Math.max(u.memPercent(), u.diskPercent()))));
        long down = agents.stream().filter(u -> !u.up()).count();
        for (AgentUsage u : worstFirst) {
            if (!u.up()) {
                problems.add(new Problem(Problem.Severity.CRITICAL, u.hostname(), "agent down", "status " + u.hostname()));
            } else if (Math.max(u.cpuPercent(), u.memPercent()) >= FULL_PERCENT) {
                problems.add(new Problem(Problem.Severity.WARNING, u.hostname(), String.format(Locale.ROOT,
                        "agent nearly full (cpu %.0f%%, mem %.0f%%)", u.cpuPercent(), u.memPercent()), "status " + u.hostname()));
            }
        }
        List<String> lines = worstFirst.stream().map(HealthReporter::agentLine).toList();
        return Section.bounded("agents", "Agents: " + (agents.size() - down) + " up, " + down + " down", List.of(), lines, SHOWN);
    }

    static String agentLine(AgentUsage u) {
        return String.format(Locale.ROOT, "%s %s: cpu %.1f/%.1f (%.0f%%), mem %.0f/%.0f MiB (%.0f%%), disk %.0f/%.0f MiB (%.0f%%)",
                u.hostname(), u.up() ? "up" : "DOWN", u.cpusUsed(), u.cpusTotal(), u.cpuPercent(), u.memUsed(), u.memTotal(),
                u.memPercent(), u.diskUsed(), u.diskTotal(), u.diskPercent());
    }

    /** How an app is doing, worst first. */
    enum AppState { UNHEALTHY, UNDER_REPLICATED, DEPLOYING, SUSPENDED, HEALTHY }

    static AppState stateOf(App a) {
        if (a.instances() == 0) {
            return AppState.SUSPENDED;
        }
        if (a.hasHealthChecks() && a.tasksUnhealthy() > 0) {
            return AppState.UNHEALTHY;
        }
        if (!a.deployments().isEmpty()) {
            return AppState.DEPLOYING;
        }
        if (a.tasksRunning() < a.instances() || (a.hasHealthChecks() && a.tasksHealthy() < a.instances())) {
            return AppState.UNDER_REPLICATED;
        }
        return AppState.HEALTHY;
    }

    /**
     * One problem per subject, worst first: an app that is under-replicated and has an open incident is one line
     * saying both (the verdict counts what needs a person, not how many sections noticed it).
     */
    static List<Problem> onePerSubject(List<Problem> problems) {
        Map<String, Problem> bySubject = new LinkedHashMap<>();
        for (Problem p : problems) {
            bySubject.merge(p.subject(), p, (a, b) -> new Problem(
                    a.severity().compareTo(b.severity()) <= 0 ? a.severity() : b.severity(), a.subject(),
                    List.of(a.what().split("; ")).contains(b.what()) ? a.what() : a.what() + "; " + b.what(),
                    a.next() != null ? a.next() : b.next()));
        }
        List<Problem> merged = new ArrayList<>(bySubject.values());
        merged.sort(Comparator.comparing(Problem::severity));
        return merged;
    }

    private Section appsSection(List<App> apps, List<Problem> problems) {
        Map<AppState, List<App>> by = new LinkedHashMap<>();
        for (AppState s : AppState.values()) {
            by.put(s, new ArrayList<>());
        }
        apps.forEach(a -> by.get(stateOf(a)).add(a));
        by.values().forEach(list -> list.sort(Comparator.comparing(App::id)));
        String counts = by.entrySet().stream().map(e -> e.getValue().size() + " " + label(e.getKey()))
                .collect(Collectors.joining(" · "));
        List<String> named = new ArrayList<>();
        for (App a : by.get(AppState.UNHEALTHY)) {
            String what = a.tasksHealthy() + " of " + a.instances() + " healthy (" + a.tasksUnhealthy() + " unhealthy)";
            named.add(nameOf(a) + ": " + what);
            problems.add(new Problem(Problem.Severity.WARNING, nameOf(a), what, "why " + nameOf(a)));
        }
        for (App a : by.get(AppState.UNDER_REPLICATED)) {
            String what = a.tasksRunning() + " of " + a.instances() + " running";
            named.add(nameOf(a) + ": " + what);
            problems.add(new Problem(Problem.Severity.WARNING, nameOf(a), what, "why " + nameOf(a)));
        }
        for (App a : by.get(AppState.DEPLOYING)) {
            named.add(nameOf(a) + ": deploying, " + a.tasksRunning() + " of " + a.instances() + " running");
        }
        for (App a : by.get(AppState.SUSPENDED)) {
            named.add(nameOf(a) + ": suspended (0 instances)");
        }
        return Section.bounded("apps", "Apps: " + apps.size(), List.of(counts), named, SHOWN);
    }

    private static String label(AppState s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The catalog's name for an app id ("nodeapp" for "/nodeapp"), else the id. */
    private String nameOf(App a) {
        return catalog.apps().stream().filter(s -> s.id().equals(a.id())).map(AppSpec::name).findFirst().orElse(a.id());
    }

    private Section changesSection(Instant since, Instant now, DateTimeFormatter time, List<Problem> problems) {
        List<OperationEntry> entries;
        try {
            entries = journal.history(null, JOURNAL_LOOKBACK).stream()
                    .filter(e -> !e.startedAt().isBefore(since) && !e.startedAt().isAfter(now))
                    .filter(e -> !"command".equals(e.kind()))
                    .filter(e -> e.summary() == null || !e.summary().contains("changed=0"))
                    .toList();
        } catch (OpsException e) {
            return new Section("changes", "Since " + time.format(since), List.of("the journal is unavailable: " + e.getMessage()));
        }
        List<OperationEntry> deploys = entries.stream().filter(e -> "deploy".equals(e.kind()) || "rollback".equals(e.kind())).toList();
        long ok = deploys.stream().filter(e -> "SUCCEEDED".equals(e.state())).count();
        long failed = deploys.stream().filter(e -> "FAILED".equals(e.state())).count();
        for (OperationEntry e : deploys) {
            if ("FAILED".equals(e.state())) {
                String app = e.resources().isEmpty() ? e.title() : e.resources().get(0).replaceFirst("^app:/", "");
                problems.add(new Problem(Problem.Severity.WARNING, app, "'" + e.title() + "' failed at " + time.format(e.startedAt()),
                        "history " + app));
            }
        }
        List<String> lines = entries.stream().map(e -> time.format(e.startedAt()) + " " + e.origin().requester() + ": "
                + e.title() + " (" + e.state().toLowerCase(Locale.ROOT) + ")").toList();
        String head = "deployments: " + ok + " succeeded, " + failed + " failed; " + entries.size()
                + (entries.size() == 1 ? " change" : " changes") + " through opsbot";
        return Section.bounded("changes", "Since " + time.format(since), List.of(head), lines, SHOWN);
    }

    private Section failuresSection(Map<String, List<FinishedTask>> byApp, List<App> apps) {
        if (byApp.isEmpty()) {
            return new Section("failures", "Task failures", List.of("none in the window"));
        }
        Map<String, App> appsById = apps.stream().collect(Collectors.toMap(App::id, Function.identity(), (a, b) -> a));
        List<Map.Entry<String, List<FinishedTask>>> worst = new ArrayList<>(byApp.entrySet());
        worst.sort(Comparator.comparing((Map.Entry<String, List<FinishedTask>> e) -> -e.getValue().size()));
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<FinishedTask>> e : worst) {
            String reason = commonest(e.getValue()).orElseGet(() -> Optional.ofNullable(appsById.get(e.getKey()))
                    .map(App::lastTaskFailure).map(f -> f.message()).orElse("no message from Mesos"));
            lines.add(e.getKey() + ": " + e.getValue().size() + (e.getValue().size() == 1 ? " failure" : " failures")
                    + ", most often: " + reason);
        }
        int total = byApp.values().stream().mapToInt(List::size).sum();
        return Section.bounded("failures", "Task failures: " + total, List.of(), lines, SHOWN);
    }

    private static Optional<String> commonest(List<FinishedTask> tasks) {
        Map<String, Integer> counts = new HashMap<>();
        tasks.stream().map(FinishedTask::message).filter(m -> m != null && !m.isBlank()).forEach(m -> counts.merge(m, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    private Section driftSection(List<App> apps, List<Problem> problems) {
        List<String> lines = new ArrayList<>();
        for (AppSpec spec : catalog.apps()) {
            Optional<App> live = apps.stream().filter(a -> a.id().equals(spec.id())).findFirst();
            if (live.isEmpty()) {
                lines.add(spec.name() + ": not running in Marathon");
                continue;
            }
            try {
                List<FieldChange> changes = operations.driftOf(spec, live.get());
                if (!changes.isEmpty()) {
                    lines.add(spec.name() + ": " + changes.size() + (changes.size() == 1 ? " difference" : " differences")
                            + " (" + changes.stream().map(FieldChange::path).collect(Collectors.joining(", ")) + ")");
                    problems.add(new Problem(Problem.Severity.WARNING, spec.name(), "differs from the catalog", "drift " + spec.name()));
                }
            } catch (OpsException e) {
                lines.add(spec.name() + ": could not compare: " + e.getMessage());
            }
        }
        return Section.bounded("drift", "Drift from the catalog", lines.isEmpty()
                ? List.of("none: every app runs as its template says") : List.of(), lines, SHOWN);
    }

    private static Section part(String key, String heading, Supplier<List<String>> lines) {
        try {
            List<String> read = lines.get();
            return Section.bounded(key, heading, List.of(), read.isEmpty() ? List.of("none") : read, SHOWN);
        } catch (OpsException | IllegalStateException e) {
            return new Section(key, heading, List.of("unreachable: " + e.getMessage()));
        }
    }
}
