package io.opsbot.config;

import io.opsbot.config.YamlTree.Mapping;
import io.opsbot.config.YamlTree.Scalar;
import io.opsbot.config.YamlTree.Sequence;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Binds opsbot.yaml's tree ({@link YamlTree}, {@code ${VAR}}s already substituted) onto the configuration's records,
 * by hand: one method per record, each naming its settings in the record's order. Every problem is collected, each
 * with where it is ({@code cluster.marathon.url}, {@code reports.schedules[0].cron}) and its line: an unknown setting
 * with the settings known there, a value of the wrong kind (a list where a text belongs, a word where a number does).
 *
 * <p>Values are read as Jackson's data binding read them before: a text setting takes any scalar as written, a
 * number or a switch also takes its text ({@code port: "3000"}, {@code enabled: ${ALERTS_ON:-true}}), an empty value
 * is absent. Unlike Jackson it lists every problem, not the first, and a fraction for a whole number is refused
 * instead of cut off. {@code ConfigBinderTest} checks each record's list of settings against its components.
 */
final class ConfigBinder {

    static final List<String> TOP = List.of("cluster", "journal", "engine", "apps", "slack", "access", "metrics",
            "alerts", "ha", "reports");
    static final List<String> CLUSTER = List.of("marathon", "mesos", "flocker", "registry", "docker", "weave", "ssh",
            "nodes", "services", "emulated");
    static final List<String> MARATHON = List.of("url", "username", "password", "token");
    static final List<String> MESOS = List.of("url", "urls");
    static final List<String> FLOCKER = List.of("url", "ca", "cert", "key");
    static final List<String> REGISTRY = List.of("url");
    static final List<String> DOCKER = List.of("host");
    static final List<String> WEAVE = List.of("via", "url", "urls");
    static final List<String> SSH = List.of("user", "key", "knownHosts", "port", "ports");
    static final List<String> SERVICE = List.of("nodes", "unit", "file");
    static final List<String> JOURNAL = List.of("url", "user", "password", "connectTimeout", "socketTimeout");
    static final List<String> ENGINE = List.of("lockWait", "stepTimeout", "retries");
    static final List<String> SLACK = List.of("mode", "port", "botToken", "appToken", "signingSecret", "apiUrl", "path");
    static final List<String> ACCESS = List.of("roles", "channels", "confirmationTimeout");
    static final List<String> METRICS = List.of("port", "bind");
    static final List<String> ALERTS = List.of("enabled", "channel", "apps", "kinds", "poll", "stable",
            "underReplicatedAfter", "stuckAfter", "reopenWithin", "streamGap");
    static final List<String> APP_ALERTS = List.of("channel");
    static final List<String> HA = List.of("zookeeper", "sessionTimeout", "id");
    static final List<String> REPORTS = List.of("timeZone", "schedules", "misfireThreshold");
    static final List<String> SCHEDULE = List.of("cron", "channel", "timeZone");

    /** YAML 1.1's words for true, as SnakeYAML types a plain scalar (and Jackson's YAML parser read it). */
    private static final Set<String> YAML_TRUE = Set.of("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON");

    private final List<String> problems;

    /** @param problems where every problem found is added */
    ConfigBinder(List<String> problems) {
        this.problems = problems;
    }

    /** The configuration; its fields that could not be bound are null, and each is in the problems. */
    OpsbotConfig bind(Mapping root) {
        Section s = new Section(root, "", TOP);
        return new OpsbotConfig(s.record("cluster", CLUSTER, this::cluster), s.record("journal", JOURNAL, this::journal),
                s.record("engine", ENGINE, c -> new OpsbotConfig.EngineConfig(c.text("lockWait"), c.text("stepTimeout"),
                        c.integer("retries"))),
                s.text("apps"), s.record("slack", SLACK, this::slack), s.record("access", ACCESS, this::access),
                s.record("metrics", METRICS, c -> new OpsbotConfig.MetricsConfig(c.integer("port"), c.text("bind"))),
                s.record("alerts", ALERTS, this::alerts),
                s.record("ha", HA, c -> new OpsbotConfig.HaConfig(c.text("zookeeper"), c.text("sessionTimeout"), c.text("id"))),
                s.record("reports", REPORTS, this::reports));
    }

    /** Read in the record's order, so that its problems are listed in that order too. */
    private ClusterConfig cluster(Section c) {
        ClusterConfig.Marathon marathon = c.record("marathon", MARATHON, s -> new ClusterConfig.Marathon(s.text("url"),
                s.text("username"), s.text("password"), s.text("token")));
        ClusterConfig.Mesos mesos = c.record("mesos", MESOS, s -> new ClusterConfig.Mesos(s.text("url"), s.textList("urls")));
        ClusterConfig.Flocker flocker = c.record("flocker", FLOCKER, s -> new ClusterConfig.Flocker(s.text("url"),
                s.text("ca"), s.text("cert"), s.text("key")));
        ClusterConfig.Registry registry = c.record("registry", REGISTRY, s -> new ClusterConfig.Registry(s.text("url")));
        ClusterConfig.Docker docker = c.record("docker", DOCKER, s -> new ClusterConfig.Docker(s.text("host")));
        ClusterConfig.Weave weave = c.record("weave", WEAVE, s -> new ClusterConfig.Weave(s.text("via"), s.text("url"),
                s.map("urls", this::text)));
        ClusterConfig.Ssh ssh = c.record("ssh", SSH, s -> new ClusterConfig.Ssh(s.text("user"), s.text("key"),
                s.text("knownHosts"), s.integer("port"), s.map("ports", this::requiredInteger)));
        Map<String, String> nodes = c.map("nodes", (value, where) -> {
            // an address left empty is the validator's "needs an address", listed with the other problems
            String address = text(value, where);
            return address == null ? "" : address;
        });
        Map<String, ClusterConfig.Service> services = c.map("services", (value, where) -> {
            ClusterConfig.Service service = record(value, where, SERVICE, s -> new ClusterConfig.Service(s.textList("nodes"),
                    s.text("unit"), s.text("file")));
            if (service == null && absent(value)) {
                problems.add(where + " needs nodes, a unit or a file" + at(value));
            }
            return service;
        });
        // ClusterConfig copies both maps, and Map.copyOf refuses nulls: each null was reported above
        return new ClusterConfig(marathon, mesos, flocker, registry, docker, weave, ssh,
                nodes == null ? null : withoutNulls(nodes), services == null ? null : withoutNulls(services),
                c.bool("emulated"));
    }

    private OpsbotConfig.JournalConfig journal(Section s) {
        return new OpsbotConfig.JournalConfig(s.text("url"), s.text("user"), s.text("password"), s.text("connectTimeout"),
                s.text("socketTimeout"));
    }

    private OpsbotConfig.SlackConfig slack(Section s) {
        return new OpsbotConfig.SlackConfig(s.text("mode"), s.integer("port"), s.text("botToken"), s.text("appToken"),
                s.text("signingSecret"), s.text("apiUrl"), s.text("path"));
    }

    private OpsbotConfig.AccessConfig access(Section s) {
        return new OpsbotConfig.AccessConfig(s.map("roles", this::textList), s.map("channels", this::textList),
                s.text("confirmationTimeout"));
    }

    private OpsbotConfig.AlertsConfig alerts(Section s) {
        return new OpsbotConfig.AlertsConfig(s.bool("enabled"), s.text("channel"),
                s.map("apps", (value, where) -> record(value, where, APP_ALERTS, a -> new OpsbotConfig.AppAlerts(a.text("channel")))),
                s.map("kinds", this::requiredBool), s.text("poll"), s.text("stable"), s.text("underReplicatedAfter"),
                s.text("stuckAfter"), s.text("reopenWithin"), s.text("streamGap"));
    }

    private OpsbotConfig.ReportsConfig reports(Section s) {
        return new OpsbotConfig.ReportsConfig(s.text("timeZone"), s.list("schedules", (value, where) -> record(value, where,
                SCHEDULE, c -> new OpsbotConfig.ScheduleConfig(c.text("cron"), c.text("channel"), c.text("timeZone")))),
                s.text("misfireThreshold"));
    }

    /** One mapping being bound: its settings are read by name; a name not in {@code known} is reported once. */
    private final class Section {
        private final Mapping mapping;
        private final String path;

        Section(Mapping mapping, String path, List<String> known) {
            this.mapping = mapping;
            this.path = path;
            mapping.entries().forEach((key, value) -> {
                if (!known.contains(key)) {
                    problems.add("unknown setting '" + key + "' at " + child(key) + "; known there: " + known + at(value));
                }
            });
        }

        private String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private YamlTree value(String key) {
            return mapping.entries().get(key);
        }

        String text(String key) {
            return ConfigBinder.this.text(value(key), child(key));
        }

        Integer integer(String key) {
            return ConfigBinder.this.integer(value(key), child(key));
        }

        Boolean bool(String key) {
            return ConfigBinder.this.bool(value(key), child(key));
        }

        List<String> textList(String key) {
            return ConfigBinder.this.textList(value(key), child(key));
        }

        <T> T record(String key, List<String> known, java.util.function.Function<Section, T> bind) {
            return ConfigBinder.this.record(value(key), child(key), known, bind);
        }

        <T> Map<String, T> map(String key, BiFunction<YamlTree, String, T> values) {
            return ConfigBinder.this.map(value(key), child(key), values);
        }

        <T> List<T> list(String key, BiFunction<YamlTree, String, T> items) {
            return ConfigBinder.this.list(value(key), child(key), items);
        }
    }

    private static boolean absent(YamlTree value) {
        return value == null || value instanceof Scalar s && s.isNull();
    }

    private void bad(String where, String expected, YamlTree value) {
        problems.add("bad value at " + where + ": expected " + expected + ", not " + YamlTree.describe(value) + at(value));
    }

    private static String at(YamlTree value) {
        return value == null || value.line() <= 0 ? "" : " (line " + value.line() + ")";
    }

    private <T> T record(YamlTree value, String where, List<String> known, java.util.function.Function<Section, T> bind) {
        if (absent(value)) {
            return null;
        }
        if (!(value instanceof Mapping mapping)) {
            bad(where, "a mapping of " + String.join(", ", known), value);
            return null;
        }
        return bind.apply(new Section(mapping, where, known));
    }

    /** Any scalar, as written: {@code password: 12345} is the text "12345". */
    String text(YamlTree value, String where) {
        if (absent(value)) {
            return null;
        }
        if (!(value instanceof Scalar scalar)) {
            bad(where, "a text", value);
            return null;
        }
        return scalar.text();
    }

    private Integer integer(YamlTree value, String where) {
        if (absent(value)) {
            return null;
        }
        if (!(value instanceof Scalar scalar) || scalar.kind() == YamlTree.Kind.BOOL) {
            bad(where, "a whole number", value);
            return null;
        }
        String text = scalar.text().trim();
        if (text.isEmpty()) {
            return null; // port: ${SLACK_PORT} with the variable set empty: absent, as before
        }
        long n;
        try {
            n = text.startsWith("0x") && scalar.kind() == YamlTree.Kind.INT
                    ? Long.parseLong(text.substring(2).replace("_", ""), 16)
                    : Long.parseLong(scalar.kind() == YamlTree.Kind.INT ? text.replace("_", "") : text);
        } catch (NumberFormatException e) {
            bad(where, "a whole number", value);
            return null;
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            problems.add("bad value at " + where + ": " + (scalar.substituted() ? "the value from the environment" : n)
                    + " is out of range (" + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ")" + at(value));
            return null;
        }
        return (int) n;
    }

    private Integer requiredInteger(YamlTree value, String where) {
        if (absent(value)) {
            bad(where, "a whole number", value);
            return null;
        }
        return integer(value, where);
    }

    /** true or false; YAML's plain yes/no/on/off too, and a number (0 is false), as Jackson read them. */
    private Boolean bool(YamlTree value, String where) {
        if (absent(value)) {
            return null;
        }
        if (value instanceof Scalar scalar) {
            String text = scalar.text().trim();
            switch (scalar.kind()) {
                case BOOL:
                    return YAML_TRUE.contains(text);
                case INT:
                    return !text.replace("_", "").matches("[-+]?0+");
                case TEXT:
                    if (text.isEmpty()) {
                        return null;
                    }
                    String lower = text.toLowerCase(Locale.ROOT);
                    if (lower.equals("true") || lower.equals("false")) {
                        return lower.equals("true");
                    }
                    break;
                default:
                    break;
            }
        }
        bad(where, "true or false", value);
        return null;
    }

    private Boolean requiredBool(YamlTree value, String where) {
        if (absent(value)) {
            bad(where, "true or false", value);
            return null;
        }
        return bool(value, where);
    }

    private List<String> textList(YamlTree value, String where) {
        List<String> items = list(value, where, (item, at) -> {
            if (absent(item)) {
                problems.add("bad value at " + at + ": an empty entry" + at(item));
                return null;
            }
            return text(item, at);
        });
        return items == null ? null : withoutNulls(items);
    }

    /** A list; an item that is absent or could not be bound is null in it (its problem is reported). */
    private <T> List<T> list(YamlTree value, String where, BiFunction<YamlTree, String, T> items) {
        if (absent(value)) {
            return null;
        }
        if (!(value instanceof Sequence sequence)) {
            bad(where, "a list (- item, or [a, b])", value);
            return null;
        }
        List<T> out = new ArrayList<>(sequence.items().size());
        for (int i = 0; i < sequence.items().size(); i++) {
            out.add(items.apply(sequence.items().get(i), where + "[" + i + "]"));
        }
        return Collections.unmodifiableList(out);
    }

    /** A mapping of names to values; a value that is absent or could not be bound is null in it. */
    private <T> Map<String, T> map(YamlTree value, String where, BiFunction<YamlTree, String, T> values) {
        if (absent(value)) {
            return null;
        }
        if (!(value instanceof Mapping mapping)) {
            bad(where, "a mapping (name: value)", value);
            return null;
        }
        Map<String, T> out = new LinkedHashMap<>();
        mapping.entries().forEach((key, v) -> out.put(key, values.apply(v, where + "." + key)));
        return Collections.unmodifiableMap(out);
    }

    /** For the records that copy their collections (List.copyOf refuses nulls): the nulls were reported already. */
    private static <T> List<T> withoutNulls(List<T> list) {
        return list.stream().filter(java.util.Objects::nonNull).toList();
    }

    private static <T> Map<String, T> withoutNulls(Map<String, T> map) {
        Map<String, T> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }
}
