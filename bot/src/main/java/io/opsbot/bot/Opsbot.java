package io.opsbot.bot;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.metrics.HealthCheck;
import io.opsbot.bot.metrics.OpsHttpEndpoint;
import io.opsbot.bot.metrics.OpsMetrics;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.config.ConfigLoader;
import io.opsbot.config.Durations;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.Engine;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.Journal;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.RetryPolicy;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.ClusterOperations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole object graph, wired by hand: configuration → journal, engine, cluster clients, app catalog,
 * command parser → the dispatcher every chat adapter calls. With no configuration it starts the emulated
 * cluster in-process (the local default).
 */
public final class Opsbot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Opsbot.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final OpsbotConfig config;
    private final Dispatcher dispatcher;
    private final CommandHandler handler;
    private int metricsPort = -1;
    private final boolean emulated;
    private final Consumer<ProgressListener> recoverySweep;
    private final List<Outcome> recovered;

    private Opsbot(OpsbotConfig loaded, Path home) {
        OpsbotConfig cfg = loaded;
        AppCatalog catalog = AppCatalog.load(appsDir(cfg));
        if (cfg.cluster() == null) {
            LocalCluster local = own(LocalCluster.start(home, catalog));
            cfg = cfg.withCluster(local.config());
        }
        this.config = cfg;
        this.emulated = cfg.cluster().isEmulated();
        Clock clock = Clock.systemUTC();
        Journal journal = own(openJournal(cfg, home));
        OpsbotConfig.EngineConfig engineConfig = cfg.engineOrDefaults();
        Engine engine = own(new Engine(journal, engineSettings(engineConfig), clock));
        CommandParser parser = new CommandParser(KnownNames.withDefaultServices(catalog.names(),
                cfg.cluster().nodes().keySet(), cfg.cluster().services().keySet()));
        OpsMetrics metrics = OpsMetrics.of(parser.grammar());
        ClusterClients clients = own(ClusterClients.connect(cfg.cluster(), DeploymentWatcher.DEFAULT_POLL,
                metrics.clientMetrics()));
        Duration stepTimeout = Durations.parse(engineConfig.stepTimeout()).orElse(Duration.ofMinutes(10));
        ClusterOperations operations = new ClusterOperations(clients, catalog, new ClusterOperations.Settings(stepTimeout,
                stepTimeout.dividedBy(2), Map.of(), loaded.cluster() == null ? LocalCluster.REGISTRY : null));
        this.dispatcher = new Dispatcher(parser, engine, journal, operations, clock);
        this.handler = metrics.instrument(dispatcher);
        metrics.gauge("opsbot.operations.running", () -> engine.running().size());
        this.recovered = List.copyOf(engine.recover(dispatcher::replan, metrics.steps(ProgressListener.NONE)));
        recovered.forEach(o -> log.info("event=recovered op={} title=\"{}\" state={}", o.operationId(), o.title(), o.state()));
        this.recoverySweep = told -> engine.recoverEvery(EngineSettings.DEFAULT_LEASE, dispatcher::replan,
                metrics.steps(told));
        if (cfg.metrics() != null) {
            OpsHttpEndpoint endpoint = own(OpsHttpEndpoint.start(metrics, cfg.metrics().bindOrDefault(),
                    cfg.metrics().portOrDefault(), Map.of(
                            "journal", () -> {
                                journal.history(null, 1);
                                return HealthCheck.Status.up("reachable");
                            },
                            "marathon", () -> HealthCheck.Status.up("leader " + clients.marathon().leader()))));
            log.info("event=metrics-endpoint bind={} port={}", cfg.metrics().bindOrDefault(), endpoint.port());
            metricsPort = endpoint.port();
        }
    }

    /** @param configFile null for the local default */
    public static Opsbot start(Path configFile, Path home) {
        OpsbotConfig config = configFile == null
                ? OpsbotConfig.empty()
                : new ConfigLoader().load(configFile);
        return new Opsbot(config, home);
    }

    /**
     * For a bot that keeps running (console, Slack): another process sharing the journal may die meanwhile, and
     * its operations are then taken over here. Not for `exec`, which would only cut such a takeover short.
     */
    public void keepRecovering() {
        recoverySweep.accept(ProgressListener.NONE);
    }

    /** As {@link #keepRecovering()}, and tells {@code recovered} how each operation taken over ended (the console says it). */
    public void keepRecovering(Consumer<Outcome> recovered) {
        recoverySweep.accept(new ProgressListener() {
            @Override
            public void finished(Outcome outcome) {
                recovered.accept(outcome);
            }
        });
    }

    /** What the engine finished at start that an earlier run left running (a crash, a Ctrl-C that quit at once). */
    public List<Outcome> recoveredAtStart() {
        return recovered;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Where /metrics and /health are served, or -1 when the configuration has no metrics section. */
    public int metricsPort() {
        return metricsPort;
    }

    /** The dispatcher with metrics around it: what chat adapters call. */
    public CommandHandler handler() {
        return handler;
    }

    public OpsbotConfig config() {
        return config;
    }

    public boolean emulated() {
        return emulated;
    }

    private static Journal openJournal(OpsbotConfig config, Path home) {
        OpsbotConfig.JournalConfig j = config.journal();
        if (j == null || j.url() == null) {
            return JdbcJournal.h2(home.resolve("journal"));
        }
        return JdbcJournal.open(j.url(), j.user(), j.password());
    }

    private static EngineSettings engineSettings(OpsbotConfig.EngineConfig e) {
        EngineSettings defaults = EngineSettings.defaults();
        Duration lockWait = Durations.parse(e.lockWait()).orElse(defaults.lockWait());
        RetryPolicy retry = e.retries() == null ? defaults.retry()
                : new RetryPolicy(e.retries(), defaults.retry().initialBackoff(), defaults.retry().maxBackoff());
        return new EngineSettings(lockWait, retry);
    }

    /** The app catalog: configured, or $OPSBOT_APPS (the launcher sets it), or ./config/apps. */
    static Path appsDir(OpsbotConfig config) {
        if (config.apps() != null) {
            return Path.of(config.apps());
        }
        String env = System.getenv("OPSBOT_APPS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path here = Path.of("config", "apps");
        return Files.isDirectory(here) ? here : Path.of("..", "config", "apps");
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                log.warn("event=close-failed reason=\"{}\"", e.toString());
            }
        }
    }
}
