package io.opsbot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = Map.of("SLACK_BOT_TOKEN", "xoxb-secret-1", "SLACK_APP_TOKEN", "xapp-secret-2",
            "QUOTED", "a\": b, {c}");

    private OpsbotConfig parse(String yaml) {
        return new ConfigLoader(env::get).parse(yaml, "opsbot.yaml", dir);
    }

    @Test
    void theShippedConfigurationParsesWhenItsFilesExist() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        for (String f : new String[] {"cluster.crt", "user-opsbot.crt", "user-opsbot.key", "id_rsa"}) {
            Files.writeString(etc.resolve(f), "x");
        }
        Files.createDirectories(dir.resolve("apps"));
        String shipped = Files.readString(Path.of("../config/opsbot.example.yaml"))
                .replace("/etc/flocker/", etc + "/")
                .replace("~/.ssh/id_rsa", etc.resolve("id_rsa").toString());
        OpsbotConfig config = parse(shipped);
        assertThat(config.cluster().marathon().url()).isEqualTo("http://192.168.50.11:8080");
        assertThat(config.cluster().nodes()).containsKeys("node1", "node2", "node3");
        assertThat(config.cluster().weave().viaSsh()).isTrue();
        assertThat(config.apps()).isEqualTo(dir.resolve("apps").toString());
    }

    @Test
    void environmentVariablesAreSubstitutedInsideValuesWithoutChangingTheStructure() {
        OpsbotConfig config = parse("""
                slack:
                  mode: socket
                  botToken: ${SLACK_BOT_TOKEN}
                  appToken: ${SLACK_APP_TOKEN}
                  apiUrl: ${SLACK_API:-http://127.0.0.1:9999/api/}
                journal:
                  url: "jdbc:h2:mem:x"
                  password: ${QUOTED}
                """);
        assertThat(config.slack().botToken()).isEqualTo("xoxb-secret-1");
        assertThat(config.slack().apiUrl()).isEqualTo("http://127.0.0.1:9999/api/");
        assertThat(config.journal().password()).isEqualTo("a\": b, {c}");
        assertThat(config.slack().toString()).doesNotContain("secret");
    }

    @Test
    void alertsAndHaAreReadIntoTheirSettings() {
        OpsbotConfig config = parse("""
                alerts:
                  channel: C0ALERTS
                  apps: { mongo: { channel: C0DATA } }
                  kinds: { replicas: false }
                  stable: 30s
                ha: { zookeeper: "node1:2181", id: mgmt-a }
                """);
        io.opsbot.alerts.AlertSettings settings = io.opsbot.alerts.AlertSettings.from(config.alerts());
        assertThat(settings.channelFor("nodeapp")).isEqualTo("C0ALERTS");
        assertThat(settings.channelFor("mongo")).isEqualTo("C0DATA");
        assertThat(settings.enabled(io.opsbot.alerts.IncidentKind.UNDER_REPLICATED)).isFalse();
        assertThat(settings.enabled(io.opsbot.alerts.IncidentKind.TASK_FAILURES)).isTrue();
        assertThat(settings.stable()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(settings.poll()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(config.ha().zookeeper()).isEqualTo("node1:2181");
        assertThat(config.ha().id()).isEqualTo("mgmt-a");
    }

    @Test
    void badAlertsAndHaSettingsAreListedAtOnce() {
        assertThatThrownBy(() -> parse("""
                alerts:
                  stable: soon
                  kinds: { noise: false }
                  apps: { mongo: {} }
                ha: { zookeeper: "node1" }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.stable: 'soon' is not a duration")
                .hasMessageContaining("alerts.kinds.noise is not a kind of alert; kinds are agents, deployments, health, opsbot, replicas, tasks")
                .hasMessageContaining("alerts.apps.mongo.channel is missing")
                .hasMessageContaining("ha.zookeeper must be host:port");
    }

    @Test
    void theReportsMisfireThresholdIsReadAndABadOneIsNamed() {
        assertThat(parse("reports:\n  misfireThreshold: 2m\n").reports().misfireThreshold()).isEqualTo("2m");
        assertThat(parse("reports:\n  timeZone: UTC\n").reports().misfireThreshold()).isNull();
        assertThatThrownBy(() -> parse("reports:\n  misfireThreshold: later\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("reports.misfireThreshold 'later' is not a positive duration such as \"1m\" or \"30s\"");
        assertThatThrownBy(() -> parse("reports:\n  misfireThreshold: 0s\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("reports.misfireThreshold '0s' is not a positive duration");
    }

    @Test
    void everyProblemIsListedAtOnce() {
        assertThatThrownBy(() -> parse("""
                cluster:
                  marathon: { url: "node1:8080" }
                  flocker: { url: "http://node1:4523", ca: missing.crt }
                  nodes: { Node_1: "" }
                engine: { lockWait: soon, retries: 0 }
                slack: { mode: carrier-pigeon, botToken: "${NOT_SET}", path: "slack events?" }
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.marathon.url: 'node1:8080' is not an http(s) URL")
                .hasMessageContaining("cluster.flocker.url must be https")
                .hasMessageContaining("cluster.flocker.ca: cannot read")
                .hasMessageContaining("cluster.flocker.cert is required")
                .hasMessageContaining("'Node_1' is not a valid node name")
                .hasMessageContaining("engine.lockWait: 'soon' is not a duration")
                .hasMessageContaining("engine.retries must be from 1 to 10")
                .hasMessageContaining("slack.mode must be socket or http")
                .hasMessageContaining("slack.botToken needs the environment variable NOT_SET")
                .hasMessageContaining("slack.path must be an absolute URL path such as /slack/events, not 'slack events?'")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(10));
    }

    @Test
    void aServiceInventoryIsReadWithNodesUnitOrLogFile() {
        OpsbotConfig config = parse("""
                cluster:
                  nodes: { node1: 10.0.0.1, node2: 10.0.0.2 }
                  services:
                    marathon: { nodes: [node1], file: /var/log/marathon/marathon.log }
                    mesos-slave: { unit: mesos-agent }
                """);

        assertThat(config.cluster().services()).containsOnly(
                Map.entry("marathon", new ClusterConfig.Service(java.util.List.of("node1"), null, "/var/log/marathon/marathon.log")),
                Map.entry("mesos-slave", new ClusterConfig.Service(null, "mesos-agent", null)));
        assertThat(parse("cluster:\n  nodes: { node1: 10.0.0.1 }\n").cluster().services()).isEmpty();
    }

    @Test
    void everyInventoryProblemIsListed() {
        assertThatThrownBy(() -> parse("""
                cluster:
                  nodes: { node1: 10.0.0.1, node2: 10.0.0.2 }
                  services:
                    marathon: { nodes: [node1, node9], unit: marathon, file: /var/log/marathon.log }
                    zookeeper: { file: "log/zookeeper.log" }
                    docker: { file: "/var/log/../../etc/shadow" }
                    weave: { unit: "weave; reboot" }
                    flocker: { nodes: [] }
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.services.marathon.nodes: 'node9' is not in cluster.nodes (node1, node2)")
                .hasMessageContaining("cluster.services.marathon: give unit or file, not both")
                .hasMessageContaining("cluster.services.zookeeper.file must be an absolute path to a file, not 'log/zookeeper.log'")
                .hasMessageContaining("cluster.services.docker.file: '/var/log/../../etc' is not an allowed log directory")
                .hasMessageContaining("cluster.services.weave.unit: 'weave; reboot' is not a valid systemd unit name")
                .hasMessageContaining("cluster.services.flocker.nodes is empty")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(6));
    }

    /** The example file's commented slack section, uncommented as the README tells, in the given mode. */
    private Path exampleWithSlack(String mode) throws Exception {
        String example = Files.readString(Path.of("../config/opsbot.example.yaml"));
        int start = example.indexOf("# slack:");
        int end = example.indexOf("# access:");
        assertThat(start).as("the example has a commented slack section").isPositive();
        String slack = example.substring(start, end).replaceAll("(?m)^# ?", "")
                .replace("mode: socket", "mode: " + mode);
        Path file = dir.resolve("opsbot-" + mode + ".yaml");
        Files.writeString(file, "journal: { url: \"jdbc:h2:mem:x\" }\n" + slack);
        return file;
    }

    @Test
    void socketModeNeedsOnlyTheBotAndAppTokensNotTheSigningSecret() throws Exception {
        Path file = exampleWithSlack("socket");
        OpsbotConfig config = new ConfigLoader(Map.of("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xapp-2")::get)
                .load(file);
        assertThat(config.slack().botToken()).isEqualTo("xoxb-1");
        assertThat(config.slack().appToken()).isEqualTo("xapp-2");
        assertThat(config.slack().signingSecret()).isNull();

        assertThatThrownBy(() -> new ConfigLoader(Map.of("SLACK_BOT_TOKEN", "xoxb-1")::get).load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("slack.appToken needs the environment variable SLACK_APP_TOKEN")
                .hasMessageNotContaining("SLACK_SIGNING_SECRET");
    }

    @Test
    void httpModeNeedsOnlyTheBotTokenAndSigningSecretNotTheAppToken() throws Exception {
        Path file = exampleWithSlack("http");
        OpsbotConfig config = new ConfigLoader(Map.of("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_SIGNING_SECRET", "s3")::get)
                .load(file);
        assertThat(config.slack().mode()).isEqualTo("http");
        assertThat(config.slack().signingSecret()).isEqualTo("s3");
        assertThat(config.slack().appToken()).isNull();

        assertThatThrownBy(() -> new ConfigLoader(Map.of("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xapp-2")::get)
                .load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("slack.signingSecret needs the environment variable SLACK_SIGNING_SECRET")
                .hasMessageNotContaining("SLACK_APP_TOKEN");
    }

    @Test
    void theModeItselfMayComeFromTheEnvironmentAndDecidesWhichSecretsAreRequired() {
        OpsbotConfig config = new ConfigLoader(Map.of("MODE", "http", "BOT", "xoxb-1", "SECRET", "s3")::get).parse("""
                slack:
                  mode: ${MODE:-socket}
                  botToken: ${BOT}
                  appToken: ${APP}
                  signingSecret: ${SECRET}
                  port: ${SLACK_PORT:-3000}
                """, "opsbot.yaml", dir);
        assertThat(config.slack().signingSecret()).isEqualTo("s3");
        assertThat(config.slack().appToken()).isNull();
        // an inactive setting whose variable IS set stays as written (nothing is silently changed)
        OpsbotConfig socket = new ConfigLoader(Map.of("BOT", "xoxb-1", "APP", "xapp-2", "SECRET", "s3")::get).parse(
                "slack: { botToken: '${BOT}', appToken: '${APP}', signingSecret: '${SECRET}' }", "opsbot.yaml", dir);
        assertThat(socket.slack().signingSecret()).isEqualTo("s3");
    }

    @Test
    void anUnknownSettingIsNamedWithWhereItIs() {
        assertThatThrownBy(() -> parse("cluster:\n  marathon: { url: http://a:8080, passwd: x }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'passwd' at cluster.marathon.passwd");
    }

    @Test
    void aJournalUrlThatWouldLoseCommitsInACrashIsRefusedAtStart() {
        assertThatThrownBy(() -> parse("journal:\n  url: \"jdbc:h2:file:/var/lib/opsbot/journal;WRITE_DELAY=500\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("journal.url sets WRITE_DELAY=500")
                .hasMessageContaining("Remove it (opsbot sets WRITE_DELAY=0)");
        assertThat(parse("journal:\n  url: jdbc:h2:file:/var/lib/opsbot/journal\n").journal().url())
                .isEqualTo("jdbc:h2:file:/var/lib/opsbot/journal");
    }

    @Test
    void badYamlSaysWhere() {
        assertThatThrownBy(() -> parse("cluster: [\n  nope"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void anEmptyFileIsTheDefaultConfiguration() {
        OpsbotConfig config = parse("");
        assertThat(config.cluster()).isNull();
        assertThat(config.engineOrDefaults().lockWait()).isEqualTo("2m");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(Durations.parse("15m")).contains(java.time.Duration.ofMinutes(15));
        assertThat(Durations.parse(" 2H ")).contains(java.time.Duration.ofHours(2));
        assertThat(Durations.parse("500ms")).contains(java.time.Duration.ofMillis(500));
        assertThat(Durations.parse("15 minutes")).isEmpty();
        assertThat(Durations.parse("-1m")).isEmpty();
        assertThat(Durations.format(java.time.Duration.ofSeconds(90))).isEqualTo("1m30s");
    }
}
