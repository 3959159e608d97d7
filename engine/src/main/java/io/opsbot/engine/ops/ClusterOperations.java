package io.opsbot.engine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.FieldChange;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import io.opsbot.engine.Step;
import io.opsbot.engine.TransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What users can do to the cluster: each changing command becomes an {@link Operation} of idempotent steps,
 * each query a {@link Report}. Names are already checked against the configuration by the command grammar.
 */
public final class ClusterOperations {

    /** How many versions {@code rollback APP} without a version lists. */
    private static final int VERSIONS_SHOWN = 6;
    /** Stored versions looked through for an image tag: one request each, so bounded. */
    private static final int TAG_SEARCH_DEPTH = 50;
    /** How Marathon names a version: an ISO-8601 instant; anything else given to rollback is an image tag. */
    private static final Pattern MARATHON_VERSION =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");

    /**
     * A command's own reads before its steps exist (the running version of a move or a deploy --only, the versions of a
     * rollback, the agents of a scale) are retried this many times in all on a transient fault: the engine's retries
     * cover only the steps, and the HTTP client's three quick attempts do not outlast a Marathon leader election.
     */
    static final int PREPARE_ATTEMPTS = 4;
    /** The pause before the second attempt of such a read, doubled before each further one (0.5 + 1 + 2 s). */
    static final Duration PREPARE_BACKOFF = Duration.ofMillis(500);

    private final ClusterClients clients;
    private final AppCatalog catalog;
    private final Settings settings;
    private final AppDesign design;
    private final StatusReport statusReport;
    private final LogsReport logsReport;
    /** Marathon deployments this process started: a deployment found in the way is named as opsbot's or another's. */
    private final Set<String> startedByOpsbot = ConcurrentHashMap.newKeySet();

    /**
     * @param stepTimeout  bound of each step
     * @param watchTimeout how long a Marathon deployment may run before it counts as failed (a deploy is then
     *                     rolled back); at most half the step timeout, so the rollback fits in the step too
     * @param buildArgs    Dockerfile ARGs for image builds, e.g. BASE_IMAGE on a machine without public images
     * @param imageRegistry host:port that image references name (null: the host:port of cluster.registry.url)
     * @param lockWait     how long a step waits for a Marathon deployment of its app that opsbot did not start
     *                     (engine.lockWait) before the operation is refused
     */
    public record Settings(Duration stepTimeout, Duration watchTimeout, Map<String, String> buildArgs, String imageRegistry,
                           Duration lockWait) {
        /** engine.lockWait's default. */
        public static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(2);

        public Settings {
            buildArgs = Map.copyOf(buildArgs);
            if (watchTimeout.multipliedBy(2).compareTo(stepTimeout) > 0) {
                watchTimeout = stepTimeout.dividedBy(2);
            }
            if (lockWait == null || lockWait.isNegative()) {
                lockWait = DEFAULT_LOCK_WAIT;
            }
        }

        public Settings(Duration stepTimeout, Duration watchTimeout, Map<String, String> buildArgs, String imageRegistry) {
            this(stepTimeout, watchTimeout, buildArgs, imageRegistry, DEFAULT_LOCK_WAIT);
        }

        public Settings withLockWait(Duration value) {
            return new Settings(stepTimeout, watchTimeout, buildArgs, imageRegistry, value);
        }

        public static Settings of(Duration stepTimeout) {
            return new Settings(stepTimeout, stepTimeout.dividedBy(2), Map.of(), null);
        }
    }

    /** The most lines {@code logs --lines} may ask for: what fits the 64 KiB bound on logs output. */
    public static final int MAX_LOG_LINES = LogsReport.MAX_REPORT_LINES;

    public ClusterOperations(ClusterClients clients, AppCatalog catalog, Duration stepTimeout) {
        this(clients, catalog, Settings.of(stepTimeout));
    }

    public ClusterOperations(ClusterClients clients, AppCatalog catalog, Settings settings) {
        this.clients = clients;
        this.catalog = catalog;
        this.settings = settings;
        this.design = new AppDesign(() -> settings.imageRegistry() != null ? settings.imageRegistry() : clients.imageRegistry());
        this.statusReport = new StatusReport(clients, catalog);
        this.logsReport = new LogsReport(clients.config(), catalog, java.time.Clock.systemUTC());
    }

    /** The lock and journal resource of an app: "app:/nodeapp". */
    public String resourceOf(String app) {
        return "app:" + catalog.require(app).id();
    }

    /** The gate every Marathon-writing step passes: waits for others' deployments, or overrides them with force. */
    private MarathonGate gate(boolean force) {
        return new MarathonGate(clients, settings.lockWait(), force, startedByOpsbot);
    }

    public Operation scale(String name, int instances) {
        return scale(name, instances, false);
    }

    /** @param force override a Marathon deployment in the way instead of waiting for it (asks for confirmation) */
    public Operation scale(String name, int instances, boolean force) {
        AppSpec app = catalog.require(name);
        AppSpec.Limits limits = app.limits();
        if (instances > limits.maxInstances()) {
            throw new OpsException(name + " may run at most " + instancesOf(limits.maxInstances())
                    + " (limits.maxInstances in " + name + "/app.yaml); asked for " + instances);
        }
        if (instances < limits.minInstances()) {
            throw new OpsException(name + " must run at least " + instancesOf(limits.minInstances())
                    + " (limits.minInstances in " + name + "/app.yaml); asked for " + instances);
        }
        refuseAboveUnique(app, instances);
        ScaleStep step = new ScaleStep(clients, name, app.id(), instances, settings.stepTimeout(), gate(force));
        return new Operation("scale", "scale " + name + " " + instances + forced(force), List.of(resourceOf(name)),
                List.of(step), instances == 0 || force);
    }

    private static String instancesOf(int count) {
        return count + (count == 1 ? " instance" : " instances");
    }

    /** hostname:UNIQUE places one task per agent: more instances than agents would stay waiting forever. */
    private void refuseAboveUnique(AppSpec app, int instances) {
        boolean unique = app.constraints().stream()
                .anyMatch(c -> c.size() >= 2 && c.get(0).equals("hostname") && c.get(1).equalsIgnoreCase("UNIQUE"));
        if (!unique || !clients.hasMesos()) {
            return;
        }
        List<Agent> agents = prepare(() -> clients.mesos().state().agents());
        long active = agents.stream().filter(Agent::active).count();
        if (instances > active) {
            throw new OpsException(app.name() + " has the constraint hostname:UNIQUE (one instance per node) and the cluster has "
                    + active + " active agent" + (active == 1 ? "" : "s") + ", so it can run at most " + active
                    + " instances; asked for " + instances);
        }
    }

    public Operation restart(String name) {
        return restart(name, false);
    }

    public Operation restart(String name, boolean force) {
        AppSpec app = catalog.require(name);
        Step step = new RestartStep(clients, name, app.id(), settings.watchTimeout(), settings.stepTimeout(), gate(force));
        return new Operation("restart", "restart " + name + forced(force), List.of(resourceOf(name)), List.of(step), force);
    }

    private static String forced(boolean force) {
        return force ? " --force" : "";
    }

    /**
     * Build, push, render, put, watch; on failure roll back. {@code version} null means the build context's content
     * hash ({@code only}: the tag Marathon runs now). {@code only} skips the build and push.
     */
    public Operation deploy(String name, String version, boolean only) {
        return deploy(name, version, only, false);
    }

    public Operation deploy(String name, String version, boolean only, boolean force) {
        AppSpec app = catalog.require(name);
        String tag = version;
        if (tag == null && only) {
            tag = prepare(() -> clients.marathon().findApp(app.id())).map(AppDesign::tagOf).orElseThrow(() -> new OpsException(
                    name + " does not run in Marathon yet, so there is no running version to deploy with --only; give --version"));
        }
        if (tag == null) {
            tag = DockerImages.contentHash(app.buildContext());
        }
        String ref = design.imageRef(app, tag);
        JsonNode desired = design.render(app, tag, Map.of());
        List<Step> steps = new ArrayList<>();
        if (!only) {
            steps.add(new ImageSteps.Build(clients, app, ref, settings.buildArgs()));
            steps.add(new ImageSteps.Push(clients, app.image(), tag, ref));
        }
        steps.add(new MarathonAppStep(clients, name, app.id(), desired, "run " + app.id() + " at version " + tag + " in Marathon",
                settings.watchTimeout(), settings.stepTimeout(), gate(force)));
        String title = "deploy " + name + (version == null ? "" : " --version " + version) + (only ? " --only" : "")
                + forced(force);
        return new Operation("deploy", title, List.of(resourceOf(name)), steps, force);
    }

    /**
     * Puts back the definition Marathon stored at {@code version}: a Marathon version, or an image tag (the newest
     * stored version that ran it). Confirmation is asked: it replaces what runs.
     */
    public Operation rollback(String name, String version) {
        return rollback(name, version, false);
    }

    public Operation rollback(String name, String version, boolean force) {
        AppSpec app = catalog.require(name);
        if (version == null || version.isBlank()) {
            throw new OpsException("rollback needs a version; `rollback " + name + "` without one lists them");
        }
        String marathonVersion = MARATHON_VERSION.matcher(version).matches() ? version
                : prepare(() -> versionRunning(app, name, version));
        App stored;
        try {
            stored = prepare(() -> clients.marathon().version(app.id(), marathonVersion));
        } catch (io.opsbot.cluster.marathon.NotFoundException e) {
            List<String> known = prepare(() -> clients.marathon().versions(app.id()));
            throw new OpsException("Marathon has no version " + version + " of " + name + "; recent ones: "
                    + String.join(", ", known.subList(0, Math.min(VERSIONS_SHOWN, known.size()))));
        }
        JsonNode desired = AppDefinitions.normalize(stored.raw());
        Step step = new MarathonAppStep(clients, name, app.id(), desired, "put " + app.id() + " back to version " + marathonVersion
                + (AppDesign.tagOf(stored) == null ? "" : " (image tag " + AppDesign.tagOf(stored) + ")"),
                settings.watchTimeout(), settings.stepTimeout(), gate(force));
        return new Operation("rollback", "rollback " + name + " " + version + forced(force), List.of(resourceOf(name)),
                List.of(step), true);
    }

    /**
     * A read made while preparing a command, retried on transient faults ({@link #PREPARE_ATTEMPTS}, backing off from
     * {@link #PREPARE_BACKOFF}); the last failure is thrown with the earlier ones suppressed.
     */
    static <T> T prepare(java.util.function.Supplier<T> read) {
        TransientException last = null;
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (TransientException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
                if (attempt >= PREPARE_ATTEMPTS) {
                    throw last;
                }
            }
            try {
                Thread.sleep(PREPARE_BACKOFF.toMillis() << (attempt - 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OpsException("interrupted while waiting to ask again: " + last.getMessage(), e);
            }
        }
    }

    /** The newest Marathon version of the app whose image has {@code tag}, among the last {@link #TAG_SEARCH_DEPTH}. */
    private String versionRunning(AppSpec app, String name, String tag) {
        List<String> versions = clients.marathon().versions(app.id());
        Set<String> seen = new LinkedHashSet<>();
        for (String v : versions.subList(0, Math.min(TAG_SEARCH_DEPTH, versions.size()))) {
            String ran = AppDesign.tagOf(clients.marathon().version(app.id(), v));
            if (tag.equals(ran)) {
                return v;
            }
            if (ran != null) {
                seen.add(ran);
            }
        }
        throw new OpsException("no version of " + name + " among Marathon's last " + Math.min(TAG_SEARCH_DEPTH, versions.size())
                + " ran image tag " + tag + (seen.isEmpty() ? "" : "; tags there: " + String.join(", ", seen))
                + "; `rollback " + name + "` lists the versions");
    }

    public Operation move(String name, String node) {
        return move(name, node, false);
    }

    public Operation move(String name, String node, boolean force) {
        AppSpec app = catalog.require(name);
        if (!app.stateful()) {
            throw new OpsException(name + " has no Flocker dataset: move is for stateful apps ("
                    + String.join(", ", catalog.apps().stream().filter(AppSpec::stateful).map(AppSpec::name).toList())
                    + "); use scale or constraints instead");
        }
        if (!clients.config().nodes().containsKey(node)) {
            throw new OpsException("no node named '" + node + "'; known nodes: " + String.join(", ", new TreeSet<>(clients.config().nodes().keySet())));
        }
        App running = prepare(() -> clients.marathon().app(app.id()));
        String tag = AppDesign.tagOf(running);
        JsonNode desired = design.render(app, tag == null ? "latest" : tag, Map.of("node", node));
        List<Step> steps = List.of(
                new MoveSteps.DatasetPrimary(clients, app.dataset(), node, settings.stepTimeout(), app.id(), gate(force)),
                new MoveSteps.PinAfterMove(new MarathonAppStep(clients, name, app.id(), desired, "pin " + app.id() + " to "
                        + node + " (constraint hostname:CLUSTER:" + node + ")", settings.watchTimeout(), settings.stepTimeout(),
                        gate(force)), clients, app, node),
                new MoveSteps.RunsOnNode(clients, app, node, settings.stepTimeout()));
        return new Operation("move", "move " + name + " " + node + forced(force),
                List.of(resourceOf(name), "dataset:" + app.dataset().name()), steps, true);
    }

    /** The recent versions of an app, newest first, with what changed between consecutive ones. */
    public Report versions(String name) {
        AppSpec app = catalog.require(name);
        List<String> versions = clients.marathon().versions(app.id());
        List<String> shown = versions.subList(0, Math.min(VERSIONS_SHOWN + 1, versions.size()));
        List<App> definitions = new ArrayList<>();
        for (String v : shown) {
            definitions.add(clients.marathon().version(app.id(), v));
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.min(VERSIONS_SHOWN, definitions.size()); i++) {
            App newer = definitions.get(i);
            String head = shown.get(i) + (i == 0 ? " (current)" : "") + " image " + newer.image();
            if (i + 1 < definitions.size()) {
                List<FieldChange> changes = AppDefinitions.diff(newer.raw(), definitions.get(i + 1).raw());
                head += changes.isEmpty() ? ": no change in the definition (a restart or a re-deploy)" : ": " + AppDesign.describe(changes);
            } else {
                head += ": the oldest shown";
            }
            lines.add(head);
        }
        lines.add("roll back with `rollback " + name + " VERSION`");
        return new Report("versions of " + name, List.of(new Report.Section(versions.size() + " versions in Marathon, newest first", lines, true)),
                clients.emulated());
    }

    /** {@link #logs(String, String, Duration, String, int, boolean)} with the search ignoring case. */
    public Report logs(String target, String node, Duration since, String grep, int lines) {
        return logs(target, node, since, grep, lines, false);
    }

    /** Read-only: log lines of an app or a service; {@code grep} is literal text, ignoring case unless {@code exactCase}. */
    public Report logs(String target, String node, Duration since, String grep, int lines, boolean exactCase) {
        return logsReport.read(target, node, since, grep, lines, exactCase);
    }

    /** Read-only: what differs between the catalog and what Marathon runs, per app, and apps the catalog does not know. */
    public Report drift(String name) {
        List<AppSpec> apps = name == null ? catalog.apps() : List.of(catalog.require(name));
        List<App> running = clients.marathon().apps();
        List<Report.Section> sections = new ArrayList<>();
        for (AppSpec app : apps) {
            Optional<App> live = running.stream().filter(a -> a.id().equals(app.id())).findFirst();
            if (live.isEmpty()) {
                sections.add(new Report.Section(app.name(), List.of("not running in Marathon (deploy " + app.name() + " starts it)")));
                continue;
            }
            List<FieldChange> changes = driftOf(app, live.get());
            if (!changes.isEmpty()) {
                sections.add(new Report.Section(app.name() + " (" + changes.size() + " difference" + (changes.size() == 1 ? "" : "s")
                        + "; catalog ← Marathon)", changes.stream().map(c -> c.path() + ": Marathon runs " + c.before()
                        + ", the catalog says " + c.after()).toList(), true));
            }
        }
        if (name == null) {
            Set<String> known = new TreeSet<>();
            catalog.apps().forEach(a -> known.add(a.id()));
            List<String> unknown = running.stream().map(App::id).filter(id -> !known.contains(id)).sorted().toList();
            if (!unknown.isEmpty()) {
                sections.add(new Report.Section("not in the catalog", unknown.stream()
                        .map(id -> id + " runs in Marathon but config/apps has no app with this id").toList()));
            }
        }
        if (sections.isEmpty()) {
            sections.add(new Report.Section("No drift", List.of(name == null
                    ? "every app of the catalog runs as its template says" : name + " runs as its template says")));
        }
        return new Report("drift" + (name == null ? "" : " of " + name), sections, clients.emulated());
    }

    /** The comparison deploy --plan makes too: the catalog rendered at the running image tag against what runs. */
    List<FieldChange> driftOf(AppSpec app, App live) {
        String tag = AppDesign.tagOf(live);
        JsonNode desired = design.render(app, tag == null ? "latest" : tag, Map.of());
        return AppDefinitions.diff(desired, live.raw());
    }

    public Report status(String target) {
        return statusReport.build(target);
    }
}
