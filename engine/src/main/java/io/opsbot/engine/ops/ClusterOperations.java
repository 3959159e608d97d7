package io.opsbot.engine.ops;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.marathon.App;
import io.opsbot.engine.Operation;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What users can do to the cluster: each changing command becomes an {@link Operation} of idempotent steps,
 * each query a {@link Report}. Names are already checked against the configuration by the command grammar.
 */
public final class ClusterOperations {

    private final ClusterClients clients;
    private final AppCatalog catalog;
    private final Duration stepTimeout;

    public ClusterOperations(ClusterClients clients, AppCatalog catalog, Duration stepTimeout) {
        this.clients = clients;
        this.catalog = catalog;
        this.stepTimeout = stepTimeout;
    }

    /** The lock and journal resource of an app: "app:/nodeapp". */
    public String resourceOf(String app) {
        return "app:" + catalog.require(app).id();
    }

    public Operation scale(String name, int instances) {
        AppSpec app = catalog.require(name);
        AppSpec.Limits limits = app.limits();
        if (instances > limits.maxInstances()) {
            throw new OpsException(name + " may run at most " + limits.maxInstances() + " instances (limits.maxInstances in "
                    + name + "/app.yaml); asked for " + instances);
        }
        if (instances != 0 && instances < limits.minInstances()) {
            throw new OpsException(name + " needs at least " + limits.minInstances() + " instances (limits.minInstances in "
                    + name + "/app.yaml); asked for " + instances + ". Scaling to 0 stops it altogether.");
        }
        ScaleStep step = new ScaleStep(clients, name, app.id(), instances, stepTimeout);
        return new Operation("scale", "scale " + name + " " + instances, List.of(resourceOf(name)), List.of(step),
                instances == 0);
    }

    public Operation restart(String name) {
        throw notYet("restart");
    }

    public Operation deploy(String name, String version, boolean only) {
        throw notYet("deploy");
    }

    public Operation rollback(String name, String version) {
        throw notYet("rollback");
    }

    public Operation move(String name, String node) {
        throw notYet("move");
    }

    public Report versions(String name) {
        throw notYet("rollback");
    }

    public Report logs(String target, String node, Duration since, String grep, int lines) {
        throw notYet("logs");
    }

    public Report drift(String name) {
        throw notYet("drift");
    }

    public Report status(String target) {
        List<String> lines = new ArrayList<>();
        for (App app : clients.marathon().apps(io.opsbot.cluster.marathon.Embed.COUNTS, io.opsbot.cluster.marathon.Embed.DEPLOYMENTS)) {
            if (target != null && !target.equals(catalog.findByMarathonId(app.id()).map(AppSpec::name).orElse(app.id()))) {
                continue;
            }
            lines.add(String.format(Locale.ROOT, "%-10s %d/%d running, %d healthy%s", app.id(), app.tasksRunning(),
                    app.instances(), app.tasksHealthy(), app.deployments().isEmpty() ? "" : ", deploying"));
        }
        return new Report("status" + (target == null ? "" : " of " + target),
                List.of(new Report.Section("Marathon apps", lines)), clients.emulated());
    }

    private static OpsException notYet(String verb) {
        return new OpsException("'" + verb + "' is not built yet in this version of opsbot");
    }
}
