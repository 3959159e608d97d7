package io.opsbot.config;

/**
 * The whole configuration, as {@code config/opsbot.yaml} has it. Sections that are absent are null; the
 * local default fills in the cluster (pointing at the emulator) and the journal. Bound from YAML by hand
 * ({@link ConfigBinder}): a component added to one of these records needs its name there too.
 */
public record OpsbotConfig(ClusterConfig cluster, JournalConfig journal, EngineConfig engine, String apps,
                           SlackConfig slack, AccessConfig access, MetricsConfig metrics, AlertsConfig alerts,
                           HaConfig ha, ReportsConfig reports) {

    public OpsbotConfig(ClusterConfig cluster, JournalConfig journal, EngineConfig engine, String apps,
                        SlackConfig slack, AccessConfig access, MetricsConfig metrics) {
        this(cluster, journal, engine, apps, slack, access, metrics, null, null, null);
    }

    /** No configuration at all: the local default. */
    public static OpsbotConfig empty() {
        return new OpsbotConfig(null, null, null, null, null, null, null);
    }

    public OpsbotConfig withCluster(ClusterConfig newCluster) {
        return new OpsbotConfig(newCluster, journal, engine, apps, slack, access, metrics, alerts, ha, reports);
    }

    public OpsbotConfig withJournal(JournalConfig newJournal) {
        return new OpsbotConfig(cluster, newJournal, engine, apps, slack, access, metrics, alerts, ha, reports);
    }

    public OpsbotConfig withAlerts(AlertsConfig newAlerts) {
        return new OpsbotConfig(cluster, journal, engine, apps, slack, access, metrics, newAlerts, ha, reports);
    }

    public OpsbotConfig withHa(HaConfig newHa) {
        return new OpsbotConfig(cluster, journal, engine, apps, slack, access, metrics, alerts, newHa, reports);
    }

    public OpsbotConfig withSlack(SlackConfig newSlack, AccessConfig newAccess) {
        return new OpsbotConfig(cluster, journal, engine, apps, newSlack, newAccess, metrics, alerts, ha, reports);
    }

    public OpsbotConfig withReports(ReportsConfig newReports) {
        return new OpsbotConfig(cluster, journal, engine, apps, slack, access, metrics, alerts, ha, newReports);
    }

    public EngineConfig engineOrDefaults() {
        return engine == null ? EngineConfig.DEFAULTS : engine;
    }

    /**
     * Scheduled health reports: {@code timeZone} is the default zone of report times and cron expressions (default:
     * the system's); each schedule sends a report to its channel on a Quartz cron expression. {@code misfireThreshold}
     * (a duration such as "1m", default 1m): a fire later than this counts as missed and is sent once, marked late.
     */
    public record ReportsConfig(String timeZone, java.util.List<ScheduleConfig> schedules, String misfireThreshold) {
        public java.util.List<ScheduleConfig> schedulesOrEmpty() {
            return schedules == null ? java.util.List.of() : schedules;
        }
    }

    /** One configured report schedule; {@code timeZone} overrides reports.timeZone. */
    public record ScheduleConfig(String cron, String channel, String timeZone) {}

    /**
     * The journal's JDBC settings. {@code url} defaults to an H2 file under $OPSBOT_HOME. {@code connectTimeout}
     * (default 10s) bounds opening a connection, {@code socketTimeout} (default 30s) waiting for any answer of the
     * database: a database that hangs fails the journal call instead of holding it for ever.
     */
    public record JournalConfig(String url, String user, String password, String connectTimeout, String socketTimeout) {
        public JournalConfig(String url, String user, String password) {
            this(url, user, password, null, null);
        }

        /** The configured bounds, each defaulted; an unreadable one (the validator reports it) is the default. */
        public io.opsbot.engine.JournalTimeouts timeouts() {
            io.opsbot.engine.JournalTimeouts d = io.opsbot.engine.JournalTimeouts.DEFAULTS;
            java.time.Duration connect = Durations.parse(connectTimeout).filter(t -> t.toMillis() >= 1000).orElse(d.connect());
            java.time.Duration answer = Durations.parse(socketTimeout).filter(t -> t.toMillis() >= 1000).orElse(d.answer());
            return new io.opsbot.engine.JournalTimeouts(connect, answer);
        }

        @Override
        public String toString() {
            return "JournalConfig[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "<hidden>")
                    + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout + "]";
        }
    }

    /** Engine bounds as durations like "2m", "30s". */
    public record EngineConfig(String lockWait, String stepTimeout, Integer retries) {
        public static final EngineConfig DEFAULTS = new EngineConfig("2m", "10m", 4);
    }

    /** Slack transport settings. {@code path} is where HTTP mode takes Slack's requests (default /slack/events). */
    public record SlackConfig(String mode, Integer port, String botToken, String appToken, String signingSecret,
                              String apiUrl, String path) {
        public static final String DEFAULT_PATH = "/slack/events";

        public SlackConfig(String mode, Integer port, String botToken, String appToken, String signingSecret, String apiUrl) {
            this(mode, port, botToken, appToken, signingSecret, apiUrl, null);
        }

        public String pathOrDefault() {
            return path == null || path.isBlank() ? DEFAULT_PATH : path.trim();
        }

        @Override
        public String toString() {
            return "SlackConfig[mode=" + mode + ", port=" + port + ", path=" + path + ", apiUrl=" + apiUrl + ", tokens=<hidden>]";
        }
    }

    /** Who may do what: user ids per role, optional per-channel command allowlists. */
    public record AccessConfig(java.util.Map<String, java.util.List<String>> roles,
                               java.util.Map<String, java.util.List<String>> channels,
                               String confirmationTimeout) {}

    /** The /metrics (Prometheus) and /health endpoint; absent: not served. */
    public record MetricsConfig(Integer port, String bind) {
        public int portOrDefault() {
            return port == null ? 9404 : port;
        }

        public String bindOrDefault() {
            return bind == null || bind.isBlank() ? "127.0.0.1" : bind;
        }
    }

    /**
     * Alerts: where they go and which kinds are on. Durations like "10s", "2m".
     *
     * @param channel     the Slack channel id alerts are posted in (absent: console only, Slack posts none)
     * @param apps        per-app overrides: { nodeapp: { channel: C0NODEAPP } }
     * @param kinds       kinds on or off: deployments, tasks, health, replicas, agents, opsbot (all on by default)
     * @param enabled     false turns alerts off altogether (default on)
     */
    public record AlertsConfig(Boolean enabled, String channel, java.util.Map<String, AppAlerts> apps,
                               java.util.Map<String, Boolean> kinds, String poll, String stable,
                               String underReplicatedAfter, String stuckAfter, String reopenWithin,
                               String streamGap) {
        public boolean on() {
            return enabled == null || enabled;
        }
    }

    /** One app's alert routing. */
    public record AppAlerts(String channel) {}

    /**
     * Several replicas: the ZooKeeper ensemble whose leader latch picks the one that watches and posts alerts
     * ("node1:2181"); absent, the single process leads.
     */
    public record HaConfig(String zookeeper, String sessionTimeout, String id) {}
}
