package io.opsbot.engine.ops;

import io.opsbot.catalog.AppSpec;
import io.opsbot.cluster.flocker.Dataset;
import io.opsbot.cluster.flocker.DatasetState;
import io.opsbot.cluster.flocker.FlockerNode;
import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.engine.Check;
import io.opsbot.engine.EarlierRun;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Step;
import io.opsbot.engine.StepContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The Flocker side of {@code move}: where a stateful app's dataset is, by node name. */
final class MoveSteps {

    private MoveSteps() {
    }

    /**
     * Resolves node names to Flocker node uuids (by the node's configured address) and dataset names to ids. Each
     * question reads Flocker afresh (a move watches the state change), unless made by {@link #snapshot}.
     */
    static final class Datasets {
        private final ClusterClients clients;
        private final Supplier<List<Dataset>> configured;
        private final Supplier<List<DatasetState>> state;
        private final Supplier<List<FlockerNode>> nodes;

        Datasets(ClusterClients clients) {
            this(clients, false);
        }

        private Datasets(ClusterClients clients, boolean once) {
            this.clients = clients;
            this.configured = read(() -> clients.flocker().datasets(), once);
            this.state = read(() -> clients.flocker().stateDatasets(), once);
            this.nodes = read(() -> clients.flocker().nodes(), once);
        }

        /**
         * Reads each of Flocker's lists (configuration, state, nodes) at most once, when first needed: for a report
         * that asks about every dataset at one moment (status, the health report), so its cost does not grow with the
         * number of datasets.
         */
        static Datasets snapshot(ClusterClients clients) {
            return new Datasets(clients, true);
        }

        private static <T> Supplier<T> read(Supplier<T> fresh, boolean once) {
            if (!once) {
                return fresh;
            }
            return new Supplier<>() {
                private T value;

                @Override
                public synchronized T get() {
                    if (value == null) {
                        value = fresh.get();
                    }
                    return value;
                }
            };
        }

        /** Flocker's configured datasets (deleted ones included). */
        List<Dataset> configured() {
            return configured.get();
        }

        String datasetId(String name) {
            return configured.get().stream()
                    .filter(d -> !d.deleted() && name.equals(d.metadata().get("name")))
                    .map(Dataset::datasetId).findFirst()
                    .orElseThrow(() -> new OpsException("Flocker has no dataset named '" + name + "'"));
        }

        String uuidOf(String node) {
            String address = clients.config().nodes().get(node);
            List<FlockerNode> nodes = this.nodes.get();
            List<FlockerNode> byAddress = nodes.stream().filter(n -> n.host() != null && n.host().equals(address)).toList();
            if (byAddress.size() == 1) {
                return byAddress.get(0).uuid();
            }
            // Agents that registered by host name rather than address.
            return nodes.stream().filter(n -> node.equals(n.host())).map(FlockerNode::uuid).findFirst()
                    .orElseThrow(() -> new OpsException("no Flocker agent runs on " + node + " (address " + address
                            + "); Flocker knows " + String.join(", ", nodes.stream().map(FlockerNode::host).toList())));
        }

        String nodeOf(String uuid) {
            if (uuid == null) {
                return "nowhere (in transit)";
            }
            Map<String, String> addresses = clients.config().nodes();
            Optional<FlockerNode> agent = nodes.get().stream().filter(n -> uuid.equals(n.uuid())).findFirst();
            return agent.flatMap(a -> addresses.entrySet().stream()
                            .filter(e -> e.getValue().equals(a.host()) || e.getKey().equals(a.host()))
                            .map(Map.Entry::getKey).findFirst())
                    .orElse("the node with Flocker uuid " + uuid);
        }

        /** The dataset's actual primary (state), or null while it is attached nowhere. */
        String statePrimary(String datasetId) {
            return state.get().stream().filter(s -> datasetId.equals(s.datasetId()))
                    .findFirst().map(DatasetState::primary).orElse(null);
        }
    }

    /** Flocker dataset primary → NODE, done when the state (not just the configuration) shows it there. */
    static final class DatasetPrimary implements Step {
        static final String FROM = "from";
        static final String TO = "to";
        private static final String NOWHERE = "none";

        private final Datasets datasets;
        private final ClusterClients clients;
        private final AppSpec.Dataset dataset;
        private final String node;
        private final Duration timeout;
        private final String appId;
        private final MarathonGate gate;
        /** The dataset's configured primary just before this step asked Flocker to move it (journaled first). */
        private volatile String fromPrimary;

        /** @param appId the app the dataset belongs to: a deployment of it that opsbot did not start is waited for first */
        DatasetPrimary(ClusterClients clients, AppSpec.Dataset dataset, String node, Duration timeout, String appId,
                       MarathonGate gate) {
            this.appId = appId;
            this.gate = gate;
            this.clients = clients;
            this.datasets = new Datasets(clients);
            this.dataset = dataset;
            this.node = node;
            this.timeout = timeout;
        }

        @Override
        public String description() {
            return "move Flocker dataset " + dataset.name() + " to " + node;
        }

        @Override
        public Check check() {
            String id = datasets.datasetId(dataset.name());
            String target = datasets.uuidOf(node);
            String actual = datasets.statePrimary(id);
            if (target.equals(actual)) {
                return Check.inSync("dataset " + dataset.name() + " is already on " + node);
            }
            return Check.drift("dataset " + dataset.name() + ": " + datasets.nodeOf(actual) + " → " + node);
        }

        @Override
        public void apply(StepContext context) throws InterruptedException {
            // the app follows its data in the next step: do not move the data while another tool changes the app
            gate.awaitQuiet(context, appId);
            String id = datasets.datasetId(dataset.name());
            String target = datasets.uuidOf(node);
            String configured = configuredPrimary(id);
            if (target.equals(configured)) {
                // Flocker was already asked: by this step before a crash (or a lost answer), or by someone else
                if (fromPrimary == null || fromPrimary.equals(target)) {
                    context.wroteNothing("Flocker was already asked to move dataset " + dataset.name() + " to " + node
                            + "; only waited for it");
                }
                context.progress(0.2, "Flocker is moving dataset " + dataset.name() + " to " + node);
                return;
            }
            // journaled before the move: the configuration naming the target afterwards is this step's write
            fromPrimary = configured == null ? NOWHERE : configured;
            context.note(FROM, fromPrimary);
            clients.flocker().moveDataset(id, target);
            context.note(TO, target);
            context.progress(0.2, "Flocker is moving dataset " + dataset.name() + " to " + node);
        }

        /** Takes back what an earlier run noted; its move reached Flocker if the configuration names the target. */
        @Override
        public boolean resume(EarlierRun earlier) {
            fromPrimary = earlier.note(FROM).orElse(null);
            if (earlier.note(TO).isPresent()) {
                return true;
            }
            if (fromPrimary == null) {
                return false; // it never got as far as asking Flocker
            }
            String target = datasets.uuidOf(node);
            return !fromPrimary.equals(target) && target.equals(configuredPrimary(datasets.datasetId(dataset.name())));
        }

        /** Where Flocker's configuration (not yet its state) wants the dataset. */
        private String configuredPrimary(String datasetId) {
            return clients.flocker().datasets().stream().filter(d -> datasetId.equals(d.datasetId()))
                    .findFirst().map(Dataset::primary).orElse(null);
        }

        @Override
        public void verify(StepContext context) throws InterruptedException {
            String id = datasets.datasetId(dataset.name());
            String target = datasets.uuidOf(node);
            String said = null;
            while (true) {
                String actual = datasets.statePrimary(id);
                if (target.equals(actual)) {
                    return;
                }
                String where = "dataset " + dataset.name() + " is " + (actual == null ? "in transit" : "still on " + datasets.nodeOf(actual));
                if (!where.equals(said)) {
                    said = where;
                    context.progress(0.5, where);
                }
                if (Waits.nearlyOver(context)) {
                    throw new OpsException("dataset " + dataset.name() + " did not arrive on " + node + " in time: " + where);
                }
                context.checkCancelled();
                Thread.sleep(100);
            }
        }

        @Override
        public Duration timeout() {
            return timeout;
        }
    }

    /** The last check of a move: the app's task runs healthy on NODE and the dataset is attached there. */
    static final class RunsOnNode implements Step {
        private final ClusterClients clients;
        private final Datasets datasets;
        private final AppSpec app;
        private final String node;
        private final Duration timeout;

        RunsOnNode(ClusterClients clients, AppSpec app, String node, Duration timeout) {
            this.clients = clients;
            this.datasets = new Datasets(clients);
            this.app = app;
            this.node = node;
            this.timeout = timeout;
        }

        @Override
        public String description() {
            return "verify " + app.name() + " runs on " + node + " with dataset " + app.dataset().name() + " attached";
        }

        @Override
        public Check check() {
            App running = clients.marathon().app(app.id(), Embed.TASKS, Embed.COUNTS, Embed.DEPLOYMENTS);
            List<Task> here = running.tasks().stream().filter(t -> node.equals(t.host()) && t.isRunning()
                    && (!running.hasHealthChecks() || Boolean.TRUE.equals(t.healthy()))).toList();
            boolean elsewhere = running.tasks().stream().anyMatch(t -> !node.equals(t.host()));
            String primary = datasets.statePrimary(datasets.datasetId(app.dataset().name()));
            boolean attached = datasets.uuidOf(node).equals(primary);
            if (!here.isEmpty() && !elsewhere && attached) {
                return Check.inSync(app.name() + " runs on " + node + " (task " + here.get(0).id() + ") with dataset "
                        + app.dataset().name() + " attached there");
            }
            return Check.drift(app.name() + " tasks: " + String.join(", ", running.tasks().stream()
                    .map(t -> t.host() + " " + t.state()).toList()) + "; dataset on " + datasets.nodeOf(primary));
        }

        @Override
        public void apply(StepContext context) {
            // Nothing to change: the steps before did; verify waits for the task to settle on the node.
        }

        @Override
        public void verify(StepContext context) throws Exception {
            String said = null;
            while (true) {
                Check now = check();
                if (now.isInSync()) {
                    return;
                }
                if (!now.text().equals(said)) {
                    said = now.text();
                    context.progress(0.8, said);
                }
                if (Waits.nearlyOver(context)) {
                    throw new OpsException(app.name() + " is not settled on " + node + " in time: " + now.text());
                }
                context.checkCancelled();
                Thread.sleep(100);
            }
        }

        @Override
        public Duration timeout() {
            return timeout;
        }
    }
    /**
     * The move's Marathon pin (the app follows its data), which says where the data and the app are when it fails:
     * by then Flocker has moved the dataset (the step before), so a failed pin leaves them apart, and "failed" alone
     * would hide that. Its failure ends with what Flocker and Marathon say at that moment, e.g. "Now dataset mongo-data
     * is on node3 and mongo runs on node2: apart. `move mongo node3` again finishes the move (the dataset is already
     * there, so only the pin is made), or `move mongo node2` puts the data back". Everything else is the pin's.
     */
    static final class PinAfterMove implements Step {
        private final Step pin;
        private final ClusterClients clients;
        private final AppSpec app;
        private final String node;

        PinAfterMove(Step pin, ClusterClients clients, AppSpec app, String node) {
            this.pin = pin;
            this.clients = clients;
            this.app = app;
            this.node = node;
        }

        @Override
        public String description() {
            return pin.description();
        }

        @Override
        public Check check() throws Exception {
            return pin.check();
        }

        @Override
        public void apply(StepContext context) throws Exception {
            try {
                pin.apply(context);
            } catch (OpsException failure) {
                throw withWhereTheyAre(failure);
            }
        }

        @Override
        public void verify(StepContext context) throws Exception {
            try {
                pin.verify(context);
            } catch (OpsException failure) {
                throw withWhereTheyAre(failure);
            }
        }

        @Override
        public boolean resume(EarlierRun earlier) throws Exception {
            return pin.resume(earlier);
        }

        @Override
        public Duration timeout() {
            return pin.timeout();
        }

        /** The same failure (transient stays transient: the engine may still retry it), saying where things are. */
        private OpsException withWhereTheyAre(OpsException failure) {
            if (failure instanceof io.opsbot.engine.CancelledException
                    || failure instanceof io.opsbot.engine.JournalUnavailableException) {
                return failure;
            }
            String said = failure.getMessage() + ". " + whereTheyAre();
            if (failure instanceof io.opsbot.engine.TransientException) {
                return new io.opsbot.engine.TransientException(said, failure);
            }
            return new OpsException(said, failure);
        }

        /** Read afresh from Flocker's state and Marathon's tasks; what cannot be read is said so. */
        String whereTheyAre() {
            String data;
            try {
                Datasets fresh = new Datasets(clients);
                data = fresh.nodeOf(fresh.statePrimary(fresh.datasetId(app.dataset().name())));
            } catch (RuntimeException unreadable) {
                data = null;
            }
            List<String> hosts;
            try {
                hosts = clients.marathon().app(app.id(), Embed.TASKS).tasks().stream().map(Task::host).distinct().sorted().toList();
            } catch (RuntimeException unreadable) {
                hosts = null;
            }
            String dataset = "dataset " + app.dataset().name();
            String finish = "`move " + app.name() + " " + node + "` again finishes the move (the dataset is already there, "
                    + "so only the pin is made)";
            if (data == null || hosts == null) {
                return "Where " + (data == null ? dataset : app.name()) + " is now could not be read"
                        + (data == null ? "" : " (" + dataset + " is on " + data + ")")
                        + (hosts == null ? "" : " (" + app.name() + " runs on " + (hosts.isEmpty() ? "no node" : String.join(", ", hosts)) + ")")
                        + "; `status " + app.name() + "` shows it, and " + finish;
            }
            String runs = hosts.isEmpty() ? app.name() + " runs nowhere" : app.name() + " runs on " + String.join(", ", hosts);
            if (hosts.equals(List.of(data))) {
                return "Now " + dataset + " is on " + data + " and " + runs + ": together";
            }
            String back = hosts.size() == 1 && !hosts.get(0).equals(node)
                    ? ", or `move " + app.name() + " " + hosts.get(0) + "` puts the data back" : "";
            return "Now " + dataset + " is on " + data + " and " + runs + ": apart. " + finish + back;
        }
    }
}
