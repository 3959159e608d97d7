package io.opsbot.config;

import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.OpsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a parsed configuration and lists every problem, so a user fixes them all in one go. */
final class ConfigValidator {

    private static final Set<String> SLACK_MODES = Set.of("socket", "http");
    /** An absolute path of URL-safe segments: what Slack's request URL field and the HTTP server both accept. */
    private static final Pattern SLACK_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+/?");
    private static final Set<String> ROLES = Set.of("viewer", "operator", "admin");

    private final Path baseDir;

    ConfigValidator(Path baseDir) {
        this.baseDir = baseDir;
    }

    List<String> problems(OpsbotConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.cluster() != null) {
            cluster(config.cluster(), problems);
        }
        if (config.journal() != null && config.journal().url() != null && !config.journal().url().startsWith("jdbc:")) {
            problems.add("journal.url must be a JDBC URL (jdbc:h2:file:… or jdbc:postgresql://…), not '"
                    + config.journal().url() + "'");
        } else if (config.journal() != null && config.journal().url() != null) {
            JdbcJournal.crashSafetyProblem(config.journal().url()).ifPresent(problems::add);
        }
        if (config.journal() != null) {
            journalTimeout("journal.connectTimeout", config.journal().connectTimeout(), problems);
            journalTimeout("journal.socketTimeout", config.journal().socketTimeout(), problems);
        }
        if (config.engine() != null) {
            duration("engine.lockWait", config.engine().lockWait(), problems);
            duration("engine.stepTimeout", config.engine().stepTimeout(), problems);
            if (config.engine().retries() != null && (config.engine().retries() < 1 || config.engine().retries() > 10)) {
                problems.add("engine.retries must be from 1 to 10, not " + config.engine().retries());
            }
        }
        if (config.reports() != null) {
            reports(config.reports(), problems);
        }
        if (config.slack() != null) {
            slack(config.slack(), problems);
        }
        if (config.access() != null) {
            if (config.access().roles() != null) {
                for (String role : config.access().roles().keySet()) {
                    if (!ROLES.contains(role)) {
                        problems.add("access.roles." + role + " is not a role; roles are viewer, operator, admin");
                    }
                }
            }
            duration("access.confirmationTimeout", config.access().confirmationTimeout(), problems);
        }
        if (config.metrics() != null && config.metrics().port() != null
                && (config.metrics().port() < 0 || config.metrics().port() > 65535)) {
            problems.add("metrics.port must be from 0 to 65535, not " + config.metrics().port());
        }
        if (config.alerts() != null) {
            alerts(config.alerts(), problems);
        }
        if (config.ha() != null) {
            if (config.ha().zookeeper() == null || config.ha().zookeeper().isBlank()) {
                problems.add("ha.zookeeper is missing: the ZooKeeper ensemble as host:port[,host:port], e.g. node1:2181");
            } else if (!config.ha().zookeeper().matches("[A-Za-z0-9._-]+:\\d+(,[A-Za-z0-9._-]+:\\d+)*(/[A-Za-z0-9._/-]*)?")) {
                problems.add("ha.zookeeper must be host:port[,host:port…], e.g. node1:2181, not '" + config.ha().zookeeper() + "'");
            }
            duration("ha.sessionTimeout", config.ha().sessionTimeout(), problems);
        }
        if (config.apps() != null && !Files.isDirectory(resolve(config.apps()))) {
            problems.add("apps: no folder " + resolve(config.apps()));
        }
        return problems;
    }

    private static final Set<String> ALERT_KINDS = Set.of("deployments", "tasks", "health", "replicas", "agents", "opsbot");

    private static void alerts(OpsbotConfig.AlertsConfig a, List<String> problems) {
        duration("alerts.poll", a.poll(), problems);
        duration("alerts.stable", a.stable(), problems);
        duration("alerts.underReplicatedAfter", a.underReplicatedAfter(), problems);
        duration("alerts.stuckAfter", a.stuckAfter(), problems);
        duration("alerts.reopenWithin", a.reopenWithin(), problems);
        duration("alerts.streamGap", a.streamGap(), problems);
        if (a.kinds() != null) {
            for (String kind : a.kinds().keySet()) {
                if (!ALERT_KINDS.contains(kind)) {
                    problems.add("alerts.kinds." + kind + " is not a kind of alert; kinds are " + String.join(", ",
                            new java.util.TreeSet<>(ALERT_KINDS)));
                }
            }
        }
        if (a.apps() != null) {
            a.apps().forEach((app, routing) -> {
                if (routing == null || routing.channel() == null || routing.channel().isBlank()) {
                    problems.add("alerts.apps." + app + ".channel is missing");
                }
            });
        }
    }

    private void cluster(ClusterConfig c, List<String> problems) {
        if (c.marathon() != null) {
            url("cluster.marathon.url", c.marathon().url(), problems);
            if (c.marathon().token() != null && c.marathon().username() != null) {
                problems.add("cluster.marathon: give either username/password or token, not both");
            }
        }
        if (c.mesos() != null) {
            if (c.mesos().all().isEmpty()) {
                problems.add("cluster.mesos needs url or urls");
            }
            c.mesos().all().forEach(u -> url("cluster.mesos", u, problems));
        }
        if (c.flocker() != null) {
            url("cluster.flocker.url", c.flocker().url(), problems);
            if (c.flocker().url() != null && !c.flocker().url().startsWith("https:")) {
                problems.add("cluster.flocker.url must be https: the control service requires TLS with a client certificate");
            }
            file("cluster.flocker.ca", c.flocker().ca(), problems);
            file("cluster.flocker.cert", c.flocker().cert(), problems);
            file("cluster.flocker.key", c.flocker().key(), problems);
        }
        if (c.registry() != null) {
            url("cluster.registry.url", c.registry().url(), problems);
        }
        if (c.weave() != null) {
            if (!c.weave().viaSsh() && c.weave().url() == null && (c.weave().urls() == null || c.weave().urls().isEmpty())) {
                problems.add("cluster.weave needs 'via: ssh', a url, or urls per node");
            }
            if (c.weave().url() != null) {
                url("cluster.weave.url", c.weave().url(), problems);
            }
            if (c.weave().viaSsh() && c.ssh() == null) {
                problems.add("cluster.weave.via is ssh but cluster.ssh is not configured");
            }
        }
        if (c.ssh() != null) {
            if (c.ssh().user() == null || c.ssh().user().isBlank()) {
                problems.add("cluster.ssh.user is required");
            }
            file("cluster.ssh.key", c.ssh().key(), problems);
        }
        for (Map.Entry<String, String> node : c.nodes().entrySet()) {
            if (!node.getKey().matches("[a-z0-9][a-z0-9-]{0,62}")) {
                problems.add("cluster.nodes: '" + node.getKey() + "' is not a valid node name (lower-case letters, digits, dashes)");
            }
            if (node.getValue() == null || node.getValue().isBlank()) {
                problems.add("cluster.nodes." + node.getKey() + " needs an address");
            }
        }
        c.services().forEach((name, service) -> service(name, service, c.nodes().keySet(), problems));
    }

    /** One entry of cluster.services: its nodes are cluster nodes; a unit or an absolute log file, not both. */
    private static void service(String name, ClusterConfig.Service s, Set<String> nodes, List<String> problems) {
        String where = "cluster.services." + name;
        if (!name.matches("[a-z0-9][a-z0-9@._-]{0,99}")) {
            problems.add("cluster.services: '" + name + "' is not a valid service name (lower-case letters, digits, . _ @ -)");
        }
        if (s == null) {
            problems.add(where + " needs nodes, a unit or a file");
            return;
        }
        if (s.nodes() != null) {
            if (s.nodes().isEmpty()) {
                problems.add(where + ".nodes is empty; leave it out for the default nodes");
            }
            s.nodes().stream().filter(n -> !nodes.contains(n)).forEach(n -> problems.add(where + ".nodes: '" + n
                    + "' is not in cluster.nodes (" + String.join(", ", new java.util.TreeSet<>(nodes)) + ")"));
        }
        if (s.unit() != null && s.file() != null) {
            problems.add(where + ": give unit or file, not both");
        }
        if (s.unit() != null) {
            check(where + ".unit", () -> RemoteCommand.unit(s.unit()), problems);
        }
        if (s.file() != null) {
            int slash = s.file().lastIndexOf('/');
            if (!s.file().startsWith("/") || slash == s.file().length() - 1) {
                problems.add(where + ".file must be an absolute path to a file, not '" + s.file() + "'");
            } else {
                check(where + ".file", () -> RemoteCommand.path(slash == 0 ? "/" : s.file().substring(0, slash),
                        s.file().substring(slash + 1)), problems);
            }
        }
    }

    private static void check(String where, Runnable validation, List<String> problems) {
        try {
            validation.run();
        } catch (OpsException e) {
            problems.add(where + ": " + e.getMessage());
        }
    }

    private void slack(OpsbotConfig.SlackConfig s, List<String> problems) {
        String mode = s.mode() == null ? "socket" : s.mode();
        if (!SLACK_MODES.contains(mode)) {
            problems.add("slack.mode must be socket or http, not '" + mode + "'");
        }
        if (blank(s.botToken())) {
            problems.add("slack.botToken is required (e.g. botToken: ${SLACK_BOT_TOKEN})");
        } else if (!s.botToken().startsWith("xoxb-")) {
            problems.add("slack.botToken should be a bot token starting with xoxb-");
        }
        if ("socket".equals(mode) && blank(s.appToken())) {
            problems.add("slack.appToken is required in socket mode (an app-level token, xapp-…)");
        }
        if ("http".equals(mode) && blank(s.signingSecret())) {
            problems.add("slack.signingSecret is required in http mode");
        }
        if (s.apiUrl() != null) {
            url("slack.apiUrl", s.apiUrl(), problems);
        }
        if (s.path() != null && !SLACK_PATH.matcher(s.path()).matches()) {
            problems.add("slack.path must be an absolute URL path such as /slack/events, not '" + s.path() + "'");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static void url(String where, String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(where + " is required");
        } else if (!ConfigLoader.isHttpUrl(value)) {
            problems.add(where + ": '" + value + "' is not an http(s) URL");
        }
    }

    private static void duration(String where, String value, List<String> problems) {
        if (value != null && Durations.parse(value).isEmpty()) {
            problems.add(where + ": '" + value + "' is not a duration; write e.g. 30s, 2m, 1h");
        }
    }

    /** A journal bound: a duration of at least 1s (PostgreSQL counts them in whole seconds; 0 would mean no bound). */
    private static void journalTimeout(String where, String value, List<String> problems) {
        if (value == null) {
            return;
        }
        var parsed = Durations.parse(value);
        if (parsed.isEmpty()) {
            duration(where, value, problems);
        } else if (parsed.get().toMillis() < 1000 || parsed.get().toHours() > 1) {
            problems.add(where + ": '" + value + "' is out of range; write a duration from 1s to 1h (e.g. 30s)");
        }
    }

    private void file(String where, String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(where + " is required");
        } else if (!Files.isReadable(resolve(value))) {
            problems.add(where + ": cannot read " + resolve(value));
        }
    }

    Path resolve(String path) {
        return resolvePath(baseDir, path);
    }

    /** Expands a leading ~ and takes relative paths from the configuration file's folder. */
    static Path resolvePath(Path baseDir, String path) {
        String expanded = path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
        Path p = Path.of(expanded);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    private static void reports(OpsbotConfig.ReportsConfig reports, List<String> problems) {
        zone(reports.timeZone(), "reports.timeZone", problems);
        if (reports.misfireThreshold() != null) {
            java.util.Optional<java.time.Duration> misfire = Durations.parse(reports.misfireThreshold());
            if (misfire.isEmpty() || misfire.get().isNegative() || misfire.get().isZero()) {
                problems.add("reports.misfireThreshold '" + reports.misfireThreshold()
                        + "' is not a positive duration such as \"1m\" or \"30s\"");
            }
        }
        List<OpsbotConfig.ScheduleConfig> schedules = reports.schedulesOrEmpty();
        for (int i = 0; i < schedules.size(); i++) {
            OpsbotConfig.ScheduleConfig s = schedules.get(i);
            String where = "reports.schedules[" + i + "]";
            if (s == null || s.cron() == null || s.cron().isBlank()) {
                problems.add(where + ".cron is required: a Quartz cron expression such as \"0 0 9 * * ?\" (09:00 every day)");
            } else if (s.cron().strip().split("\\s+").length < 6) {
                problems.add(where + ".cron '" + s.cron() + "' is not a Quartz cron expression: six or seven fields, seconds first");
            }
            if (s != null && (s.channel() == null || s.channel().isBlank())) {
                problems.add(where + ".channel is required, e.g. \"#ops\"");
            }
            if (s != null) {
                zone(s.timeZone(), where + ".timeZone", problems);
            }
        }
    }

    private static void zone(String zone, String where, List<String> problems) {
        if (zone == null) {
            return;
        }
        try {
            java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            problems.add(where + " '" + zone + "' is not a time zone; use a name such as Europe/Paris or UTC");
        }
    }
}
