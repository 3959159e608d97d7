package io.opsbot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** opsbot.yaml read by SnakeYAML's composer and bound by hand ({@link YamlTree}, {@link ConfigBinder}). */
class ConfigBinderTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = Map.of("PORT", "3000", "ON", "true", "SECRET", "xoxb-very-secret\nx: y",
            "EMPTY", "");

    private OpsbotConfig parse(String yaml) {
        return new ConfigLoader(env::get).parse(yaml, "opsbot.yaml", dir);
    }

    private List<String> problems(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("no problem found in:\n" + yaml);
    }

    @Test
    void everyRecordsSettingsAreTheBindersNamesInTheRecordsOrder() {
        Map<Class<?>, List<String>> bound = Map.ofEntries(
                Map.entry(OpsbotConfig.class, ConfigBinder.TOP), Map.entry(ClusterConfig.class, ConfigBinder.CLUSTER),
                Map.entry(ClusterConfig.Marathon.class, ConfigBinder.MARATHON), Map.entry(ClusterConfig.Mesos.class, ConfigBinder.MESOS),
                Map.entry(ClusterConfig.Flocker.class, ConfigBinder.FLOCKER), Map.entry(ClusterConfig.Registry.class, ConfigBinder.REGISTRY),
                Map.entry(ClusterConfig.Docker.class, ConfigBinder.DOCKER), Map.entry(ClusterConfig.Weave.class, ConfigBinder.WEAVE),
                Map.entry(ClusterConfig.Ssh.class, ConfigBinder.SSH), Map.entry(ClusterConfig.Service.class, ConfigBinder.SERVICE),
                Map.entry(OpsbotConfig.JournalConfig.class, ConfigBinder.JOURNAL),
                Map.entry(OpsbotConfig.EngineConfig.class, ConfigBinder.ENGINE),
                Map.entry(OpsbotConfig.SlackConfig.class, ConfigBinder.SLACK),
                Map.entry(OpsbotConfig.AccessConfig.class, ConfigBinder.ACCESS),
                Map.entry(OpsbotConfig.MetricsConfig.class, ConfigBinder.METRICS),
                Map.entry(OpsbotConfig.AlertsConfig.class, ConfigBinder.ALERTS),
                Map.entry(OpsbotConfig.AppAlerts.class, ConfigBinder.APP_ALERTS), Map.entry(OpsbotConfig.HaConfig.class, ConfigBinder.HA),
                Map.entry(OpsbotConfig.ReportsConfig.class, ConfigBinder.REPORTS),
                Map.entry(OpsbotConfig.ScheduleConfig.class, ConfigBinder.SCHEDULE));
        bound.forEach((type, names) -> assertThat(names).as(type.getSimpleName())
                .containsExactlyElementsOf(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList()));
        // every record of the package is bound: a new one must be added above and to ConfigBinder
        List<Class<?>> records = new java.util.ArrayList<>();
        for (Class<?> outer : List.of(OpsbotConfig.class, ClusterConfig.class)) {
            records.add(outer);
            Arrays.stream(outer.getDeclaredClasses()).filter(Class::isRecord).forEach(records::add);
        }
        assertThat(bound.keySet()).containsExactlyInAnyOrderElementsOf(records);
    }

    @Test
    void everySettingIsBoundToItsRecord() {
        OpsbotConfig c = parse("""
                cluster:
                  emulated: true
                  marathon: { url: "http://m:8080", username: u, password: 12345 }
                  mesos: { urls: [http://a:5050, "http://b:5050"] }
                  registry: { url: http://r:5000 }
                  docker: { host: "unix:///var/run/docker.sock" }
                  weave: { urls: { node1: http://w:6784 } }
                  nodes: { node1: 10.0.0.1 }
                  services:
                    marathon:
                      nodes:
                        - node1
                      unit: marathon
                engine: { lockWait: 1m, stepTimeout: 5m, retries: "3" }
                slack: { mode: http, port: "${PORT}", botToken: xoxb-1, signingSecret: s, path: /x }
                access:
                  roles: { admin: [U1, U2] }
                  channels: { C1: [deploy, status] }
                metrics: { port: 0x10, bind: 127.0.0.1 }
                alerts:
                  enabled: ${ON}
                  apps: { mongo: { channel: C2 } }
                  kinds: { tasks: no, health: yes, agents: 1 }
                reports:
                  schedules:
                    - cron: "0 0 9 * * ?"
                      channel: "#ops"
                """);
        assertThat(c.cluster().isEmulated()).isTrue();
        assertThat(c.cluster().marathon().password()).as("a number where a text belongs is its text").isEqualTo("12345");
        assertThat(c.cluster().mesos().all()).containsExactly("http://a:5050", "http://b:5050");
        assertThat(c.cluster().weave().urls()).containsEntry("node1", "http://w:6784");
        assertThat(c.cluster().services().get("marathon")).isEqualTo(new ClusterConfig.Service(List.of("node1"), "marathon", null));
        assertThat(c.engine().retries()).as("a number written as a text").isEqualTo(3);
        assertThat(c.slack().port()).as("a number from the environment").isEqualTo(3000);
        assertThat(c.access().roles()).containsEntry("admin", List.of("U1", "U2"));
        assertThat(c.access().channels()).containsEntry("C1", List.of("deploy", "status"));
        assertThat(c.metrics().port()).isEqualTo(16);
        assertThat(c.alerts().enabled()).as("a switch from the environment").isTrue();
        assertThat(c.alerts().apps().get("mongo").channel()).isEqualTo("C2");
        assertThat(c.alerts().kinds()).containsEntry("tasks", false).containsEntry("health", true).containsEntry("agents", true);
        assertThat(c.reports().schedulesOrEmpty()).containsExactly(new OpsbotConfig.ScheduleConfig("0 0 9 * * ?", "#ops", null));
    }

    @Test
    void aValueOfTheWrongKindIsNamedWithWhereItIsAndWhatWasExpected() {
        assertThat(problems("""
                cluster:
                  marathon: http://m:8080
                  mesos: { urls: http://a:5050 }
                  nodes: [node1]
                  weave: { url: { a: b } }
                engine: { retries: many }
                metrics: { port: 2.5 }
                alerts: { enabled: maybe, kinds: { tasks: [1] } }
                ha: { id: [a] }
                reports: { schedules: { cron: x } }
                """)).containsExactly(
                "bad value at cluster.marathon: expected a mapping of url, username, password, token, not 'http://m:8080' (line 2)",
                "bad value at cluster.mesos.urls: expected a list (- item, or [a, b]), not 'http://a:5050' (line 3)",
                "bad value at cluster.weave.url: expected a text, not a mapping (line 5)",
                "bad value at cluster.nodes: expected a mapping (name: value), not a list (line 4)",
                "bad value at engine.retries: expected a whole number, not 'many' (line 6)",
                "bad value at metrics.port: expected a whole number, not '2.5' (line 7)",
                "bad value at alerts.enabled: expected true or false, not 'maybe' (line 8)",
                "bad value at alerts.kinds.tasks: expected true or false, not a list (line 8)",
                "bad value at ha.id: expected a text, not a list (line 9)",
                "bad value at reports.schedules: expected a list (- item, or [a, b]), not a mapping (line 10)");
        assertThat(problems("engine: { retries: 99999999999 }\n"))
                .containsExactly("bad value at engine.retries: 99999999999 is out of range (-2147483648 to 2147483647) (line 1)");
    }

    @Test
    void unknownSettingsAreNamedAtEveryDepthWithTheKnownOnes() {
        assertThat(problems("""
                colour: red
                cluster:
                  ssh: { user: u, key: k, prot: 22 }
                  services:
                    marathon: { nodes: [node1], color: red }
                reports:
                  schedules:
                    - { cron: "0 0 9 * * ?", channel: C1, when: now }
                """)).containsExactly(
                "unknown setting 'colour' at colour; known there: [cluster, journal, engine, apps, slack, access, metrics,"
                        + " alerts, ha, reports] (line 1)",
                "unknown setting 'prot' at cluster.ssh.prot; known there: [user, key, knownHosts, port, ports] (line 3)",
                "unknown setting 'color' at cluster.services.marathon.color; known there: [nodes, unit, file] (line 5)",
                "unknown setting 'when' at reports.schedules[0].when; known there: [cron, channel, timeZone] (line 8)");
    }

    @Test
    void emptyEntriesInListsAndMapsAreNamed() {
        assertThat(problems("""
                cluster:
                  nodes: { node1: 10.0.0.1 }
                  ssh: { user: u, key: k, ports: { node1: } }
                  services:
                    marathon: { nodes: [node1, ~, [node2]] }
                    docker:
                """)).containsExactly(
                "bad value at cluster.ssh.ports.node1: expected a whole number, not nothing (line 3)",
                "bad value at cluster.services.marathon.nodes[1]: an empty entry (line 5)",
                "bad value at cluster.services.marathon.nodes[2]: expected a text, not a list (line 5)",
                "cluster.services.docker needs nodes, a unit or a file (line 6)");
        // an address left out is the validator's problem, listed with the others
        assertThatThrownBy(() -> parse("cluster:\n  nodes: { node1: 10.0.0.1, node2: }\n  marathon: { url: x }\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "cluster.nodes.node2 needs an address", "cluster.marathon.url: 'x' is not an http(s) URL"));
    }

    @Test
    void absentAndEmptyValuesAreLeftOut() {
        OpsbotConfig c = parse("""
                cluster:
                  marathon:
                  flocker: ~
                journal: { url: "jdbc:h2:mem:x", password: null, user: "null" }
                slack: { mode: http, botToken: xoxb-1, signingSecret: s, port: "${EMPTY}" }
                reports: { schedules: [] }
                """);
        assertThat(c.cluster().marathon()).isNull();
        assertThat(c.cluster().flocker()).isNull();
        assertThat(c.journal().password()).isNull();
        assertThat(c.journal().user()).as("quoted, null is a text").isEqualTo("null");
        assertThat(c.slack().port()).as("a number set empty").isNull();
        assertThat(c.reports().schedules()).isEmpty();
    }

    @Test
    void emptyFilesAndDocumentsAreTheDefaultConfiguration() {
        for (String empty : List.of("", "\n\n", "# nothing configured\n", "---\n", "~\n")) {
            OpsbotConfig c = parse(empty);
            assertThat(c).as("'%s'", empty).isEqualTo(new ConfigLoader(env::get).parse("", "x", dir));
            assertThat(c.cluster()).isNull();
        }
        assertThat(problems("- a\n- b\n")).containsExactly("the top level must be a mapping (cluster:, journal:, slack: …)");
        assertThat(problems("just words\n")).containsExactly("the top level must be a mapping (cluster:, journal:, slack: …)");
    }

    @Test
    void invalidYamlSaysWhatAndOnWhichLine() {
        assertThat(problems("a: b\n c: d\n")).singleElement().asString()
                .startsWith("not valid YAML: ").contains("mapping values are not allowed here").endsWith("(line 2)");
        assertThat(problems("a: 1\n---\nb: 2\n")).singleElement().asString()
                .as("a second document is not silently ignored").contains("expected a single document").endsWith("(line 2)");
        assertThat(problems("? [a, b]\n: c\n")).containsExactly("not valid YAML: a key must be a plain name, not a list (line 1)");
        assertThat(problems("a: &a\n  b: *a\n")).singleElement().asString().startsWith("not valid YAML: nested more than");
    }

    @Test
    void aSecretFromTheEnvironmentCannotChangeTheStructureNorShowInAMessage() {
        OpsbotConfig c = parse("journal:\n  url: \"jdbc:h2:mem:x\"\n  password: ${SECRET}\n");
        assertThat(c.journal().password()).isEqualTo("xoxb-very-secret\nx: y");
        assertThat(problems("engine:\n  retries: ${SECRET}\n"))
                .containsExactly("bad value at engine.retries: expected a whole number, not the value from the environment (line 2)");
        // substituted in lists and maps too, each unset variable named with where it is
        assertThat(problems("""
                access:
                  roles: { admin: ["${NOT_SET}"] }
                cluster:
                  nodes: { node1: "${ALSO_NOT_SET}" }
                """)).containsExactly(
                "access.roles.admin[0] needs the environment variable NOT_SET, which is not set",
                "cluster.nodes.node1 needs the environment variable ALSO_NOT_SET, which is not set",
                "cluster.nodes.node1 needs an address");
    }

    @Test
    void yamlSwitchesAndNumbersReadAsBefore() {
        assertThat(parse("alerts: { enabled: off }\n").alerts().enabled()).isFalse();
        assertThat(parse("alerts: { enabled: Yes }\n").alerts().enabled()).isTrue();
        assertThat(parse("alerts: { enabled: 'FALSE' }\n").alerts().enabled()).isFalse();
        assertThat(parse("alerts: { enabled: 0 }\n").alerts().enabled()).isFalse();
        assertThat(problems("alerts: { enabled: 'yes' }\n"))
                .as("quoted, yes is a word, as Jackson read it").containsExactly("bad value at alerts.enabled: expected true or false, not 'yes' (line 1)");
        assertThat(parse("cluster: { marathon: { url: http://a:1, token: 0x1F } }\n").cluster().marathon().token())
                .as("a text stays as written").isEqualTo("0x1F");
        assertThat(problems("slack: { mode: http, botToken: xoxb-1, signingSecret: s, port: true }\n"))
                .containsExactly("bad value at slack.port: expected a whole number, not 'true' (line 1)");
    }
}
