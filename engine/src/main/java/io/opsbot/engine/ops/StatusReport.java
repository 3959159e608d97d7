package io.opsbot.engine.ops;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.flocker.Dataset;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.cluster.weave.DnsEntry;
import io.opsbot.cluster.weave.WeaveClient;
import io.opsbot.cluster.weave.WeaveReport;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The cluster view of {@code status}, or one app or node in detail. Each component is read on its own: one that
 * does not answer is shown as unreachable and the others are still shown.
 */
final class StatusReport {

    private final ClusterClients clients;
    private final AppCatalog catalog;

    StatusReport(ClusterClients clients, AppCatalog catalog) {
        this.clients = clients;
        this.catalog = catalog;
    }

    Report build(String target) {
        // one read of each of Flocker's lists for the whole answer, however many datasets it shows
        MoveSteps.Datasets flocker = clients.hasFlocker() ? MoveSteps.Datasets.snapshot(clients) : null;
        // the components answer on their own: their reads run at once, and each section waits only for its own
        ParallelReads reads = new ParallelReads();
        if (target == null) {
            ParallelReads.Read<List<String>> agents = reads.start("the Mesos master", this::agents);
            ParallelReads.Read<List<String>> apps = reads.start("Marathon", this::apps);
            ParallelReads.Read<List<String>> deployments = reads.start("Marathon", this::deployments);
            Supplier<List<String>> weave = weave(reads);
            ParallelReads.Read<List<String>> datasets = reads.start("Flocker", () -> datasets(flocker));
            return new Report("cluster status", List.of(
                    section("Mesos agents", agents::join),
                    section("Marathon apps", apps::join),
                    section("Deployments in progress", deployments::join),
                    section("Weave peers", weave),
                    section("Flocker datasets", datasets::join)), clients.emulated());
        }
        Optional<AppSpec> app = catalog.find(target);
        if (app.isPresent()) {
            return new Report("status of " + target, List.of(section("Marathon app " + app.get().id(), () -> app(app.get(), flocker))),
                    clients.emulated());
        }
        if (clients.config().nodes().containsKey(target)) {
            ParallelReads.Read<List<String>> agent = reads.start("the Mesos master",
                    () -> agents().stream().filter(l -> l.startsWith(target + " ")).toList());
            ParallelReads.Read<List<String>> tasks = reads.start("Marathon", () -> tasksOn(target));
            ParallelReads.Read<List<String>> weave = reads.start("Weave on " + target, () -> weaveOn(target));
            ParallelReads.Read<List<String>> datasets = reads.start("Flocker", () -> datasetsOn(target, flocker));
            return new Report("status of " + target, List.of(
                    section("Mesos agent " + target, agent::join),
                    section("Tasks on " + target, tasks::join),
                    section("Weave on " + target, weave::join),
                    section("Flocker datasets on " + target, datasets::join)), clients.emulated());
        }
        throw new OpsException("no app or node named '" + target + "'; apps: " + String.join(", ", catalog.names())
                + "; nodes: " + String.join(", ", clients.config().nodes().keySet()));
    }

    /** A section whose lines come from one component; its failure becomes one "unreachable" line. */
    private static Report.Section section(String heading, Supplier<List<String>> lines) {
        try {
            List<String> read = lines.get();
            return new Report.Section(heading, read.isEmpty() ? List.of("none") : read);
        } catch (OpsException | IllegalStateException e) {
            return new Report.Section(heading, List.of("unreachable: " + e.getMessage()));
        }
    }

    private List<String> agents() {
        List<String> lines = new ArrayList<>();
        for (Agent a : clients.mesos().agents()) {
            lines.add(String.format(Locale.ROOT, "%s %s: cpus %.2f of %.2f used, mem %.0f of %.0f MiB used",
                    a.hostname(), a.active() ? "active" : "INACTIVE", a.used().cpus(), a.total().cpus(),
                    a.used().mem(), a.total().mem()));
        }
        return lines;
    }

    private List<String> apps() {
        List<String> lines = new ArrayList<>();
        for (App app : clients.marathon().apps(Embed.COUNTS, Embed.DEPLOYMENTS, Embed.LAST_TASK_FAILURE)) {
            lines.add(appLine(app));
        }
        return lines;
    }

    private static String appLine(App app) {
        String failure = app.lastTaskFailure() == null || app.lastTaskFailure().message() == null ? ""
                : "; last task failure " + app.lastTaskFailure().timestamp() + ": " + app.lastTaskFailure().message();
        return String.format(Locale.ROOT, "%s %s: %d/%d running, %d healthy, %d staged%s%s", app.id(), app.image(),
                app.tasksRunning(), app.instances(), app.tasksHealthy(), app.tasksStaged(),
                app.deployments().isEmpty() ? "" : ", deploying", failure);
    }

    private List<String> deployments() {
        List<String> lines = new ArrayList<>();
        for (Deployment d : clients.marathon().deployments()) {
            lines.add(d.id() + " " + String.join(", ", d.affectedApps()) + ": step " + d.currentStep() + "/" + d.totalSteps());
        }
        return lines;
    }

    private List<String> app(AppSpec spec, MoveSteps.Datasets flocker) {
        App app = clients.marathon().app(spec.id(), Embed.TASKS, Embed.COUNTS, Embed.DEPLOYMENTS, Embed.LAST_TASK_FAILURE);
        List<String> lines = new ArrayList<>();
        lines.add(appLine(app));
        for (Task t : app.tasks()) {
            lines.add("task " + t.id() + " on " + t.host() + ": " + t.state()
                    + (t.healthy() == null ? "" : t.healthy() ? ", healthy" : ", UNHEALTHY") + ", version " + t.version()
                    + (t.ports().isEmpty() ? "" : ", ports " + t.ports()));
        }
        lines.add(dnsLine(spec.name() + ".weave.local"));
        if (spec.dataset() != null) {
            lines.add(datasetLine(spec.dataset().name(), flocker));
        }
        return lines;
    }

    /**
     * Starts one read per Weave router; the supplier waits for them and gives one line per router, in the configured
     * order (a router that does not answer is its own "unreachable" line).
     */
    Supplier<List<String>> weave(ParallelReads reads) {
        if (clients.weave().isEmpty()) {
            return () -> {
                throw new OpsException("not configured (cluster.weave in opsbot.yaml)");
            };
        }
        Map<String, ParallelReads.Read<String>> lines = new LinkedHashMap<>();
        clients.weave().forEach((node, weave) -> lines.put(node, reads.start("Weave on " + node, () -> weaveLine(node, weave))));
        return () -> {
            List<String> out = new ArrayList<>();
            lines.forEach((node, line) -> {
                try {
                    out.add(line.join());
                } catch (OpsException unreachable) {
                    out.add(node + ": unreachable: " + unreachable.getMessage());
                }
            });
            return out;
        };
    }

    private static String weaveLine(String node, WeaveClient weave) {
        try {
            WeaveReport report = weave.report();
            long established = report.router().connections().stream().filter(c -> "established".equals(c.state())).count();
            return node + ": " + (report.ready() ? "ready" : "NOT READY") + ", Weave " + report.version() + ", "
                    + report.router().peers().size() + " peers, " + established + " established connections";
        } catch (OpsException unreachable) {
            return node + ": unreachable: " + unreachable.getMessage();
        }
    }

    private List<String> weaveOn(String node) {
        WeaveClient weave = clients.weave().get(node);
        if (weave == null) {
            throw new OpsException("no Weave endpoint configured for " + node);
        }
        WeaveReport report = weave.report();
        List<String> lines = new ArrayList<>();
        lines.add((report.ready() ? "ready" : "NOT READY") + ", Weave " + report.version());
        report.router().connections().forEach(c -> lines.add("connection " + c.address() + ": " + c.state()
                + (c.info() == null || c.info().isBlank() ? "" : " (" + c.info() + ")")));
        return lines;
    }

    /** The app's weaveDNS addresses, as the first reachable router knows them. */
    private String dnsLine(String hostname) {
        for (WeaveClient weave : clients.weave().values()) {
            try {
                List<String> addresses = weave.dnsEntries().stream()
                        .filter(d -> !d.tombstone() && hostname.equals(stripDot(d.hostname())))
                        .map(DnsEntry::address).distinct().sorted().toList();
                return "Weave DNS " + hostname + ": " + (addresses.isEmpty() ? "no addresses" : String.join(", ", addresses));
            } catch (OpsException unreachable) {
                // try the next router
            }
        }
        return "Weave DNS " + hostname + ": " + (clients.weave().isEmpty() ? "Weave not configured" : "unreachable");
    }

    private static String stripDot(String name) {
        return name != null && name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Every dataset with where it is; Flocker's lists are read once for all of them. */
    List<String> datasets() {
        return datasets(clients.hasFlocker() ? MoveSteps.Datasets.snapshot(clients) : null);
    }

    private List<String> datasets(MoveSteps.Datasets flocker) {
        if (flocker == null) {
            throw new OpsException("not configured (cluster.flocker in opsbot.yaml)");
        }
        List<String> lines = new ArrayList<>();
        for (Dataset d : flocker.configured()) {
            if (!d.deleted()) {
                lines.add(datasetLine(d.metadata().getOrDefault("name", d.datasetId()), flocker));
            }
        }
        return lines;
    }

    /** The datasets stored on the node, or on their way to it. */
    private List<String> datasetsOn(String node, MoveSteps.Datasets datasets) {
        if (datasets == null) {
            throw new OpsException("not configured (cluster.flocker in opsbot.yaml)");
        }
        List<String> lines = new ArrayList<>();
        for (Dataset d : datasets.configured()) {
            String actual = datasets.statePrimary(d.datasetId());
            boolean here = actual != null && node.equals(datasets.nodeOf(actual));
            if (!d.deleted() && (here || node.equals(datasets.nodeOf(d.primary())))) {
                lines.add(datasetLine(d.metadata().getOrDefault("name", d.datasetId()), datasets));
            }
        }
        return lines;
    }

    private String datasetLine(String name, MoveSteps.Datasets datasets) {
        if (datasets == null) {
            return "Flocker dataset " + name + ": Flocker not configured";
        }
        try {
            String id = datasets.datasetId(name);
            Dataset configured = datasets.configured().stream().filter(d -> d.datasetId().equals(id)).findFirst().orElseThrow();
            String actual = datasets.statePrimary(id);
            String size = configured.maximumSize() == null ? "" : String.format(Locale.ROOT, ", %.1f GiB", configured.maximumSize() / 1073741824.0);
            String where = actual == null ? "in transit to " + datasets.nodeOf(configured.primary())
                    : "on " + datasets.nodeOf(actual) + (actual.equals(configured.primary()) ? "" : " (moving to " + datasets.nodeOf(configured.primary()) + ")");
            return "Flocker dataset " + name + " (" + id.substring(0, 8) + "): " + where + size;
        } catch (OpsException unreachable) {
            return "Flocker dataset " + name + ": unreachable: " + unreachable.getMessage();
        }
    }

    private List<String> tasksOn(String node) {
        List<String> lines = new ArrayList<>();
        for (Task t : clients.marathon().tasks()) {
            if (node.equals(t.host())) {
                lines.add(t.appId() + " task " + t.id() + ": " + t.state() + (Boolean.FALSE.equals(t.healthy()) ? ", UNHEALTHY" : ""));
            }
        }
        return lines;
    }
}
