package io.opsbot.engine.ops;

import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.Engine;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.Operation;
import io.opsbot.engine.Origin;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.StepReport;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** The emulated cluster in-process at a high time scale, with the real clients, the repo's catalog and an engine. */
final class SimCluster implements AutoCloseable {

    static final Path REPO_APPS = Path.of("..", "config", "apps").toAbsolutePath().normalize();
    static final Origin TESTER = new Origin("U-test", "C-test", "test");
    // 50x: a 30 s health-check grace period passes in 0.6 s, so a deploy takes about a second.
    private static final double TIME_SCALE = 50;

    final Sim sim;
    final ClusterClients clients;
    final AppCatalog catalog;
    final ClusterOperations ops;
    final Engine engine;
    private final JdbcJournal journal;
    final List<String> progress = new CopyOnWriteArrayList<>();
    private final OkHttpClient http = new OkHttpClient();

    SimCluster(Path home) {
        this(home, null);
    }

    SimCluster(Path home, java.util.function.UnaryOperator<ClusterConfig> adjust) {
        this(home, adjust, REPO_APPS, settings(Map.of(), "node1:5000"));
    }

    SimCluster(Path home, java.util.function.UnaryOperator<ClusterConfig> adjust, Path appsDir, ClusterOperations.Settings settings) {
        this(home, adjust, appsDir, settings, io.opsbot.cluster.http.HttpClients.READ_TIMEOUT, EngineSettings.defaults());
    }

    /** @param readTimeout the clients' bound on one read; @param engineSettings the engine's retries and lock wait */
    SimCluster(Path home, java.util.function.UnaryOperator<ClusterConfig> adjust, Path appsDir, ClusterOperations.Settings settings,
               Duration readTimeout, EngineSettings engineSettings) {
        sim = Sim.start(new SimOptions(home.resolve("sim"), 0, null, TIME_SCALE, false));
        ClusterConfig config = config(sim.endpoints());
        if (adjust != null) {
            config = adjust.apply(config);
        }
        clients = ClusterClients.connect(config, Duration.ofMillis(200), io.opsbot.cluster.http.ClientMetrics.NOOP, readTimeout);
        catalog = AppCatalog.load(appsDir);
        ops = new ClusterOperations(clients, catalog, settings);
        journal = JdbcJournal.inMemory();
        engine = new Engine(journal, engineSettings, Clock.systemUTC());
    }

    /** Short bounds: a deployment that has not finished in 6 s (5 simulated minutes) has failed. */
    static ClusterOperations.Settings settings(Map<String, String> buildArgs, String imageRegistry) {
        return new ClusterOperations.Settings(Duration.ofSeconds(30), Duration.ofSeconds(6), buildArgs, imageRegistry);
    }

    static ClusterConfig config(SimEndpoints e) {
        Map<String, String> nodes = new TreeMap<>(e.nodeAddresses());
        return new ClusterConfig(
                new ClusterConfig.Marathon(e.marathonUrl(), null, null, null),
                new ClusterConfig.Mesos(e.mesosUrl(), null),
                new ClusterConfig.Flocker(e.flockerUrl(), e.flockerCa().toString(), e.flockerCert().toString(),
                        e.flockerKey().toString()),
                new ClusterConfig.Registry(e.registryUrl()),
                null,
                new ClusterConfig.Weave(null, null, e.weaveUrls()),
                new ClusterConfig.Ssh(e.sshUser(), e.sshKey().toString(), e.sshKnownHosts().toString(), null, e.sshPorts()),
                nodes,
                null,
                true);
    }

    Outcome run(Operation op) {
        return engine.apply(op, TESTER, new ProgressListener() {
            @Override
            public void stepProgress(int index, double fraction, String text) {
                progress.add(text);
            }
        });
    }

    static String details(Outcome outcome) {
        return String.join("\n", outcome.steps().stream().map(StepReport::detail).toList());
    }

    /** GET from the sim's control API (or any Marathon path, outside opsbot's clients), parsed. */
    com.fasterxml.jackson.databind.JsonNode read(String path) throws IOException {
        String url = sim.endpoints().marathonUrl().replaceAll("/+$", "") + path;
        try (Response r = http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            if (!r.isSuccessful()) {
                throw new IOException(path + " answered " + r.code() + ": " + r.body().string());
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body().string());
        }
    }

    /** DELETE on the sim's Marathon (or control API), outside opsbot's clients. */
    /** The engine's journal (in memory). */
    JdbcJournal engineJournal() {
        return journal;
    }

    void delete(String path) throws IOException {
        String url = sim.endpoints().marathonUrl().replaceAll("/+$", "") + path;
        try (Response r = http.newCall(new Request.Builder().url(url).delete().build()).execute()) {
            if (!r.isSuccessful()) {
                throw new IOException(path + " answered " + r.code() + ": " + r.body().string());
            }
        }
    }

    /** POST to the sim's control API, e.g. ("/_sim/images/failing", "{\"image\": ...}"). */
    void control(String path, String json) throws IOException {
        String url = sim.endpoints().marathonUrl().replaceAll("/+$", "") + path;
        try (Response r = http.newCall(new Request.Builder().url(url)
                .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute()) {
            if (!r.isSuccessful()) {
                throw new IOException(path + " answered " + r.code() + ": " + r.body().string());
            }
        }
    }

    @Override
    public void close() {
        engine.close();
        clients.close();
        sim.close();
    }
}
