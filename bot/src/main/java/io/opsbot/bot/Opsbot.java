package io.opsbot.bot;

import io.opsbot.alerts.AlertService;
import io.opsbot.alerts.AlertSettings;
import io.opsbot.alerts.Leadership;
import io.opsbot.alerts.ZooKeeperLeadership;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.engine.ops.SimControl;
import io.opsbot.bot.metrics.HealthCheck;
import io.opsbot.bot.metrics.OpsHttpEndpoint;
import io.opsbot.bot.metrics.OpsMetrics;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.config.ConfigLoader;
import io.opsbot.config.Durations;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.engine.Deliveries;
import io.opsbot.engine.Engine;
import io.opsbot.engine.EngineSettings;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.JournalTimeouts;
import io.opsbot.engine.Journal;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.RetryPolicy;
import io.opsbot.engine.ops.ClusterClients;
import io.opsbot.engine.ops.ClusterOperations;
import io.opsbot.bot.report.IncidentWhyPart;
import io.opsbot.bot.report.IncidentsSection;
import io.opsbot.bot.report.ReportScheduler;
import io.opsbot.bot.report.ReportService;
import io.opsbot.engine.ops.HealthReporter;
import io.opsbot.engine.ops.WhyReport;
import io.opsbot.health.Section;
import io.opsbot.health.SectionSource;
import java.time.Instant;
import java.time.ZoneId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
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

    /** Asked for when used, after {@link LoggingStart#await()} ({@link #start}): not at class initialisation. */
    private static Logger log() {
        return LoggerHolder.LOG;
    }

    private static final class LoggerHolder {
        static final Logger LOG = LoggerFactory.getLogger(Opsbot.class);
    }
    /** What the report's opsbot section names. */
    static final String VERSION = "0.1.0";

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final OpsbotConfig config;
    private final Dispatcher dispatcher;
    private final CommandHandler handler;
    private int metricsPort = -1;
    private final boolean emulated;
    private final Consumer<ProgressListener> recoverySweep;
    private final List<Outcome> recovered;
    private final AlertService alerts;
    /** On the emulated cluster an incident resolves after this long in good state (60 s on a real one). */
    static final Duration LOCAL_STABLE = Duration.ofSeconds(15);

    private final ReportService reports;
    /** Slack deliveries seen by any replica on this journal, so a retry landing on another replica runs nothing. */
    private final Deliveries deliveries;

    /**
     * @param firstCommand the command this process is started to run ({@code exec}), or null (a chat): what the start
     *                     may prepare ahead of it while the journal opens
     */
    private Opsbot(OpsbotConfig loaded, Path home, Duration misfireThreshold, String firstCommand) {
        // The journal (H2's start, the schema check) opens on a thread of its own while this one reads the catalog and
        // wires the cluster's clients: on two CPUs a one-shot exec waits for the longer of the two, not their sum.
        // Nothing is written to the journal before it is joined below, so the crash contract is unchanged.
        JournalOpening journalOpening = JournalOpening.start(() -> openJournal(loaded, home));
        try {
            OpsbotConfig cfg = loaded;
            AppCatalog catalog;
            CommandParser parser;
            OpsMetrics metrics;
            ClusterClients clients;
            OpsbotConfig.EngineConfig engineConfig;
            ClusterOperations operations;
            boolean journalBefore = false;
            ClusterClients early = null;
            try {
                if (firstCommand != null && cfg.cluster() != null) {
                    // an exec on a configured cluster wires its clients before reading the catalog, so that Flocker's
                    // handshake for a command that surely reads datasets (status, report) begins as soon as it can
                    journalBefore = true;
                    early = own(ClusterClients.connect(cfg.cluster(), DeploymentWatcher.DEFAULT_POLL, ClientMetrics.NOOP));
                    if (readsFlocker(new CommandParser(KnownNames.withDefaultServices(List.of(),
                            cfg.cluster().nodes().keySet(), cfg.cluster().services().keySet()),
                            cfg.cluster().isEmulated()), null, firstCommand)) {
                        early.connectFlockerAhead();
                    }
                    journalBefore = false;
                }
                catalog = AppCatalog.load(appsDir(cfg));
                if (cfg.cluster() == null) {
                    LocalCluster local = own(LocalCluster.start(home, catalog));
                    cfg = cfg.withCluster(local.config());
                }
                this.config = cfg;
                this.emulated = cfg.cluster().isEmulated();
                // what follows was wired after the journal opened: a journal that cannot open still fails the start
                // with its own reason first, as it did when it opened here
                journalBefore = true;
                engineConfig = cfg.engineOrDefaults();
                parser = new CommandParser(KnownNames.withDefaultServices(catalog.names(),
                        cfg.cluster().nodes().keySet(), cfg.cluster().services().keySet()), emulated);
                // Meters only where something reads them: a long-running bot with a metrics section (/metrics). A
                // one-shot exec serves no endpoint (the bot may hold its port) and loads no Micrometer registry.
                metrics = firstCommand != null || cfg.metrics() == null ? null : OpsMetrics.of(parser.grammar());
                clients = early != null ? early : own(ClusterClients.connect(cfg.cluster(), DeploymentWatcher.DEFAULT_POLL,
                        metrics == null ? ClientMetrics.NOOP : metrics.clientMetrics()));
                if (firstCommand != null && readsFlocker(parser, catalog, firstCommand)) {
                    // Flocker's certificates and mutual TLS handshake (0.3-0.5 s of a one-shot status) overlap the
                    // journal's open on a thread of their own instead of following it
                    clients.connectFlockerAhead();
                }
                Duration stepTimeout = Durations.parse(engineConfig.stepTimeout()).orElse(Duration.ofMinutes(10));
                operations = new ClusterOperations(clients, catalog, new ClusterOperations.Settings(stepTimeout,
                        stepTimeout.dividedBy(2), Map.of(), loaded.cluster() == null ? LocalCluster.REGISTRY : null,
                        engineSettings(engineConfig).lockWait()));
            } catch (RuntimeException | Error failed) {
                if (journalBefore) {
                    journalOpening.throwItsFailure(failed);
                }
                throw failed;
            } finally {
                // on every path: a start that fails above still closes the journal with the rest (close() below)
                own(journalOpening::closeIfOpened);
            }
            Clock clock = Clock.systemUTC();
            JdbcJournal journal = journalOpening.join();
            Engine engine = own(new Engine(journal, engineSettings(engineConfig), clock));
            AlertSettings alertSettings = AlertSettings.from(cfg.alerts());
            if (loaded.cluster() == null && loaded.alerts() == null) {
                // the local default is for trying alerts out: poll and resolve sooner than on a real cluster
                alertSettings = alertSettings.withTimes(Duration.ofSeconds(2), LOCAL_STABLE, alertSettings.underReplicatedGrace(),
                        alertSettings.streamGap());
            }
            this.alerts = alertsOn(cfg) ? own(new AlertService(journal.incidents(), alertSettings,
                    leadership(cfg), new AlertService.Sources(clients.marathon(), clients.events(),
                            clients.hasMesos() ? clients.mesos() : null),
                    app -> engine.holderOf("app:/" + app).isPresent(), clock)) : null;
            SimControl sim = emulated && cfg.cluster().marathon() != null ? new SimControl(cfg.cluster().marathon().url()) : null;
            this.reports = own(reports(cfg, home, clients, catalog, operations, journal, clock, misfireThreshold, alerts));
            WhyReport why = new WhyReport(clients, catalog, operations, journal, clock, alerts == null ? List.of()
                    : List.of(new IncidentWhyPart(journal.incidents(), clock, reportZone(cfg), Dispatcher::permalink)));
            this.dispatcher = new Dispatcher(parser, engine, journal, operations, clock, alerts, sim, reports, why);
            this.deliveries = journal.deliveries(SlackBot.RETRY_WINDOW);
            this.handler = metrics == null ? dispatcher : metrics.instrument(dispatcher);
            java.util.function.UnaryOperator<ProgressListener> metered = metrics == null ? told -> told : metrics::steps;
            if (metrics != null) {
                metrics.gauge("opsbot.operations.running", () -> engine.running().size());
            }
            this.recovered = List.copyOf(engine.recover(dispatcher::replan, metered.apply(ProgressListener.NONE)));
            recovered.forEach(o -> log().info("event=recovered op={} title=\"{}\" state={}", o.operationId(), o.title(), o.state()));
            this.recoverySweep = told -> engine.recoverEvery(EngineSettings.DEFAULT_LEASE, dispatcher::replan,
                    metered.apply(told));
            if (metrics != null) {
                OpsHttpEndpoint endpoint = own(OpsHttpEndpoint.start(metrics, cfg.metrics().bindOrDefault(),
                        cfg.metrics().portOrDefault(), Map.of(
                                "journal", () -> {
                                    journal.history(null, 1);
                                    return HealthCheck.Status.up("reachable");
                                },
                                "marathon", () -> HealthCheck.Status.up("leader " + clients.marathon().leader()))));
                log().info("event=metrics-endpoint bind={} port={}", cfg.metrics().bindOrDefault(), endpoint.port());
                metricsPort = endpoint.port();
            }
        } catch (RuntimeException | Error failed) {
            close(); // what was started before the failure (the emulated cluster, the journal) does not outlive it
            throw failed;
        }
    }

    /**
     * Whether {@code text} is a command that reads Flocker's datasets: status of the cluster, of a node or of an app
     * with a dataset, a move, the health report. A text that does not parse reads nothing (its error is the
     * dispatcher's to say). Without the catalog (null, and a parser that knows no app) only what is sure without it
     * counts: status of the whole cluster and the report; a command that names an app or a node waits for the catalog.
     */
    static boolean readsFlocker(CommandParser parser, AppCatalog catalog, String text) {
        io.opsbot.bot.command.Command command;
        try {
            command = parser.parse(text);
        } catch (RuntimeException notACommand) {
            return false;
        }
        if (command instanceof io.opsbot.bot.command.Command.Status status) {
            if (catalog == null) {
                return status.target().isEmpty();
            }
            return status.target().flatMap(catalog::find).map(io.opsbot.catalog.AppSpec::stateful).orElse(true);
        }
        return command instanceof io.opsbot.bot.command.Command.Move
                || command instanceof io.opsbot.bot.command.Command.ReportNow;
    }

    /** Alerts run unless the configuration turns them off; they need Marathon. */
    private static boolean alertsOn(OpsbotConfig cfg) {
        return (cfg.alerts() == null || cfg.alerts().on()) && cfg.cluster().marathon() != null
                && cfg.cluster().marathon().url() != null;
    }

    /** With ha.zookeeper, a leader latch there picks the replica that alerts; without, this process leads. */
    private static Leadership leadership(OpsbotConfig cfg) {
        String id = cfg.ha() != null && cfg.ha().id() != null && !cfg.ha().id().isBlank() ? cfg.ha().id() : replicaId();
        if (cfg.ha() == null || cfg.ha().zookeeper() == null || cfg.ha().zookeeper().isBlank()) {
            return Leadership.solo(id);
        }
        Duration session = Durations.parse(cfg.ha().sessionTimeout()).orElse(ZooKeeperLeadership.DEFAULT_SESSION_TIMEOUT);
        return new ZooKeeperLeadership(cfg.ha().zookeeper(), ZooKeeperLeadership.DEFAULT_PATH, id, session);
    }

    /** host:pid, what status shows of the replica that leads. */
    private static String replicaId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** @param configFile null for the local default */
    public static Opsbot start(Path configFile, Path home) {
        return start(configFile, home, DEFAULT_MISFIRE_THRESHOLD);
    }

    /** A report fire later than this counts as missed (fired once, marked late); tests shorten it. */
    static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofMinutes(1);

    static Opsbot start(Path configFile, Path home, Duration misfireThreshold) {
        return start(configFile, home, misfireThreshold, null);
    }

    /**
     * As {@link #start(Path, Path)}, for a process started to run {@code firstCommand} ({@code exec}): the start
     * prepares what that command needs ahead of it (Flocker's connection, for one that reads datasets).
     */
    public static Opsbot startFor(String firstCommand, Path configFile, Path home) {
        return start(configFile, home, DEFAULT_MISFIRE_THRESHOLD, firstCommand);
    }

    private static Opsbot start(Path configFile, Path home, Duration misfireThreshold, String firstCommand) {
        OpsbotConfig config = configFile == null
                ? OpsbotConfig.empty()
                : new ConfigLoader().load(configFile);
        LoggingStart.await(); // an exec's logging, set up meanwhile, is ready before anything logs
        return new Opsbot(config, home, misfireThreshold, firstCommand);
    }

    /** @param config as loaded; without a cluster section the emulated cluster is started (the local default) */
    public static Opsbot startWith(OpsbotConfig config, Path home) {
        return new Opsbot(config, home, DEFAULT_MISFIRE_THRESHOLD, null);
    }

    /** reports.misfireThreshold when configured (validated before), else {@code fallback}. */
    static Duration misfireThreshold(OpsbotConfig cfg, Duration fallback) {
        OpsbotConfig.ReportsConfig rc = cfg.reports();
        if (rc == null || rc.misfireThreshold() == null) {
            return fallback;
        }
        return io.opsbot.config.Durations.parse(rc.misfireThreshold()).orElse(fallback);
    }

    /** Quartz in the journal's database, the report builder, and the configuration's schedules. */
    private static ReportService reports(OpsbotConfig cfg, Path home, ClusterClients clients, AppCatalog catalog,
                                         ClusterOperations operations, JdbcJournal journal, Clock clock, Duration misfireThreshold,
                                         AlertService alerts) {
        OpsbotConfig.JournalConfig j = cfg.journal();
        // Quartz connects with the journal's bounds too: a hung database must not hold the scheduler's threads either
        JournalTimeouts timeouts = j == null ? JournalTimeouts.DEFAULTS : j.timeouts();
        ReportScheduler.Settings defaults = j == null || j.url() == null
                ? ReportScheduler.Settings.of(timeouts.applyTo(JdbcJournal.h2Url(home.resolve("journal"))), "sa", "")
                : ReportScheduler.Settings.of(JdbcJournal.effectiveUrl(j.url(), timeouts), j.user(), j.password());
        ReportScheduler.Settings settings = new ReportScheduler.Settings(defaults.jdbcUrl(), defaults.user(),
                defaults.password(), defaults.instanceId(), defaults.checkinInterval(), misfireThreshold(cfg, misfireThreshold));
        Instant started = clock.instant();
        IncidentsSection incidents = alerts == null ? null
                : new IncidentsSection(journal.incidents(), clock, Dispatcher::permalink);
        SectionSource self = (since, until) -> {
            List<String> lines = new ArrayList<>(List.of(
                    "version " + VERSION + ", up " + Durations.format(Duration.between(started, clock.instant()).withNanos(0))
                            + ", replica " + settings.instanceId(),
                    alerts == null ? "alerts: off (alerts.enabled: false, or no Marathon configured), so no incidents are recorded"
                            : alerts.leaderLine()));
            if (incidents != null) {
                lines.addAll(incidents.blindSpots(since, until));
            }
            lines.add("scheduled reports: sent once across replicas by Quartz's clustered job store");
            return new SectionSource.Contribution(List.of(new Section("opsbot", "opsbot", lines)), List.of());
        };
        // with alerts off there is no incidents section: the opsbot section says why
        List<SectionSource> sources = alerts == null ? List.of(self) : List.of(incidents, self);
        HealthReporter reporter = new HealthReporter(clients, catalog, operations, journal, clock, sources);
        OpsbotConfig.ReportsConfig rc = cfg.reports();
        ZoneId zone = reportZone(cfg);
        ReportService service = new ReportService(reporter, settings, zone, clock);
        try {
            service.configure(rc == null ? List.of() : rc.schedulesOrEmpty().stream().map(s -> new ReportScheduler.ReportsConfigSchedule(
                    s.cron(), s.channel(), s.timeZone() == null ? zone : ZoneId.of(s.timeZone()))).toList());
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** The time zone reports (and the incident part of why) write times in. */
    private static ZoneId reportZone(OpsbotConfig cfg) {
        OpsbotConfig.ReportsConfig rc = cfg.reports();
        return rc == null || rc.timeZone() == null ? ZoneId.systemDefault() : ZoneId.of(rc.timeZone());
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

    /** The alert service, or empty when alerts are off. Nothing is watched until it is started with a sink. */
    public java.util.Optional<AlertService> alerts() {
        return java.util.Optional.ofNullable(alerts);
    }

    /** Health reports and their schedules; {@link ReportService#connect} starts the schedules. */
    public ReportService reports() {
        return reports;
    }

    /** Chat deliveries shared through the journal's database by every replica on it. */
    public Deliveries deliveries() {
        return deliveries;
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

    private static JdbcJournal openJournal(OpsbotConfig config, Path home) {
        OpsbotConfig.JournalConfig j = config.journal();
        if (j == null || j.url() == null) {
            return JdbcJournal.h2(home.resolve("journal"), j == null ? JournalTimeouts.DEFAULTS : j.timeouts());
        }
        return JdbcJournal.open(j.url(), j.user(), j.password(), j.timeouts());
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
                log().warn("event=close-failed reason=\"{}\"", e.toString());
            }
        }
    }
}
