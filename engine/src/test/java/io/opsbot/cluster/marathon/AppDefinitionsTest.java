package io.opsbot.cluster.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppDefinitionsTest {

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** What we render from the app template: terse, relying on Marathon's defaults. */
    static final String DESIRED = """
            {"id": "nodeapp", "instances": 2, "cpus": 0.5, "mem": 256,
             "container": {"type": "DOCKER", "docker": {"image": "reg/nodeapp:a1", "network": "BRIDGE"}},
             "env": {"NODE_ENV": "production"},
             "healthChecks": [{"path": "/health", "gracePeriodSeconds": 30}],
             "constraints": [["hostname", "UNIQUE"], ["hostname", "LIKE", "node[23]"]]}""";

    /** What Marathon answers for the same app: every default spelled out, server fields, other number forms. */
    static final String RUNNING = """
            {"id": "/nodeapp", "cmd": null, "args": null, "user": null, "env": {"NODE_ENV": "production"},
             "instances": 2, "cpus": 0.5, "mem": 256.0, "disk": 0.0, "gpus": 0, "executor": "",
             "constraints": [["hostname", "LIKE", "node[23]"], ["hostname", "UNIQUE"]],
             "uris": [], "fetch": [], "storeUrls": [], "backoffSeconds": 1, "backoffFactor": 1.15,
             "maxLaunchDelaySeconds": 3600, "requirePorts": false, "killSelection": "YOUNGEST_FIRST",
             "container": {"type": "DOCKER", "volumes": [],
               "docker": {"image": "reg/nodeapp:a1", "network": "BRIDGE", "privileged": false, "parameters": [],
                          "forcePullImage": false}},
             "healthChecks": [{"path": "/health", "protocol": "HTTP", "portIndex": 0, "gracePeriodSeconds": 30,
               "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3, "ignoreHttp1xx": false,
               "delaySeconds": 15}],
             "readinessChecks": [], "dependencies": [], "labels": {},
             "upgradeStrategy": {"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0},
             "portDefinitions": [{"port": 10000, "protocol": "tcp", "labels": {}}],
             "unreachableStrategy": {"inactiveAfterSeconds": 300, "expungeAfterSeconds": 600},
             "version": "2026-11-20T10:00:00.000Z",
             "versionInfo": {"lastScalingAt": "2026-11-20T10:00:00.000Z", "lastConfigChangeAt": "2026-11-19T09:00:00.000Z"},
             "tasksStaged": 0, "tasksRunning": 2, "tasksHealthy": 2, "tasksUnhealthy": 0,
             "deployments": [], "tasks": [], "lastTaskFailure": null}""";

    @Test
    void renderedAndRunningDefinitionsOfTheSameAppAreEqual() {
        assertThat(AppDefinitions.diff(json(DESIRED), json(RUNNING))).isEmpty();
    }

    @Test
    void normalizationFillsDefaultsAndRemovesServerFields() {
        JsonNode normalized = AppDefinitions.normalize(json("{\"id\": \"x\", \"cpus\": 1.0, \"tasksRunning\": 3, \"version\": \"v\", \"cmd\": null}"));

        assertThat(normalized.get("id").asText()).isEqualTo("/x");
        assertThat(normalized.get("cpus")).isEqualTo(normalized.get("instances"));
        assertThat(normalized.get("mem").asInt()).isEqualTo(128);
        assertThat(normalized.get("disk").asInt()).isZero();
        assertThat(normalized.get("constraints")).isEmpty();
        assertThat(normalized.get("env").isObject()).isTrue();
        assertThat(normalized.get("upgradeStrategy")).isEqualTo(json("{\"minimumHealthCapacity\": 1, \"maximumOverCapacity\": 1}"));
        assertThat(normalized.get("backoffSeconds").asInt()).isEqualTo(1);
        assertThat(normalized.has("tasksRunning")).isFalse();
        assertThat(normalized.has("version")).isFalse();
        assertThat(normalized.has("cmd")).isFalse();
    }

    @Test
    void changesAreListedReadably() {
        String changed = DESIRED.replace("\"instances\": 2", "\"instances\": 3").replace("nodeapp:a1", "nodeapp:b2");

        List<FieldChange> changes = AppDefinitions.diff(json(changed), json(RUNNING));

        assertThat(changes).extracting(FieldChange::toString).containsExactly(
                "container.docker.image: reg/nodeapp:a1 → reg/nodeapp:b2",
                "instances: 2 → 3");
    }

    @Test
    void handEditsInTheUiShowUpAsDrift() {
        // Someone scaled to 5, pinned it to node3 and added a label in the Marathon UI.
        String edited = RUNNING.replace("\"instances\": 2", "\"instances\": 5")
                .replace("\"constraints\": [[\"hostname\", \"LIKE\", \"node[23]\"], [\"hostname\", \"UNIQUE\"]]",
                        "\"constraints\": [[\"hostname\", \"CLUSTER\", \"node3\"]]")
                .replace("\"labels\": {}", "\"labels\": {\"owner\": \"bob\"}");

        List<FieldChange> changes = AppDefinitions.diff(json(DESIRED), json(edited));

        assertThat(changes).extracting(FieldChange::toString).containsExactly(
                "constraints: [[\"hostname\",\"CLUSTER\",\"node3\"]] → [[\"hostname\",\"LIKE\",\"node[23]\"],[\"hostname\",\"UNIQUE\"]]",
                "instances: 5 → 2",
                "labels.owner: bob → (none)");
    }

    @Test
    void defaultsOnOneSideOnlyAreNotAChange() {
        assertThat(AppDefinitions.diff(json("{\"id\": \"/a\"}"),
                json("{\"id\": \"/a\", \"cpus\": 1, \"mem\": 128.0, \"instances\": 1, \"upgradeStrategy\": {\"minimumHealthCapacity\": 1}}")))
                .isEmpty();
        assertThat(AppDefinitions.diff(json("{\"id\": \"/a\", \"cpus\": 0.25}"), json("{\"id\": \"/a\"}")))
                .extracting(FieldChange::toString).containsExactly("cpus: 1 → 0.25");
    }

    @Test
    void maxLaunchDelayLeftOutIsSatisfiedByEitherMarathonReleasesDefault() {
        JsonNode desired = json("{\"id\": \"/a\"}");

        assertThat(AppDefinitions.diff(desired, json("{\"id\": \"/a\", \"maxLaunchDelaySeconds\": 3600}"))).isEmpty();
        assertThat(AppDefinitions.diff(desired, json("{\"id\": \"/a\", \"maxLaunchDelaySeconds\": 300}"))).isEmpty();
        assertThat(AppDefinitions.diff(desired, json("{\"id\": \"/a\", \"maxLaunchDelaySeconds\": 120}")))
                .extracting(FieldChange::toString).containsExactly("maxLaunchDelaySeconds: 120 → 3600");
        // Stated in the definition, it is compared like any other field.
        assertThat(AppDefinitions.diff(json("{\"id\": \"/a\", \"maxLaunchDelaySeconds\": 3600}"),
                json("{\"id\": \"/a\", \"maxLaunchDelaySeconds\": 300}")))
                .extracting(FieldChange::toString).containsExactly("maxLaunchDelaySeconds: 300 → 3600");
    }

    @Test
    void httpOnlyFieldsOnTcpAndCommandHealthChecksAreNotAChange() {
        // Desired check → what a Marathon release reports for it.
        java.util.Map<String, String> reports = java.util.Map.of(
                "{\"protocol\": \"TCP\"}", "{\"protocol\": \"TCP\", \"ignoreHttp1xx\": false}",
                "{\"protocol\": \"MESOS_TCP\"}", "{\"protocol\": \"MESOS_TCP\", \"ignoreHttp1xx\": true, \"path\": \"/\"}",
                "{\"protocol\": \"COMMAND\", \"command\": {\"value\": \"true\"}}",
                "{\"protocol\": \"COMMAND\", \"command\": {\"value\": \"true\"}, \"ignoreHttp1xx\": false}");
        reports.forEach((desired, reported) ->
                assertThat(AppDefinitions.diff(json("{\"id\": \"/a\", \"healthChecks\": [" + desired + "]}"),
                        json("{\"id\": \"/a\", \"healthChecks\": [" + reported + "]}"))).as(reported).isEmpty());
        // On an HTTP check ignoreHttp1xx matters.
        assertThat(AppDefinitions.diff(json("{\"id\": \"/a\", \"healthChecks\": [{\"protocol\": \"HTTP\"}]}"),
                json("{\"id\": \"/a\", \"healthChecks\": [{\"protocol\": \"HTTP\", \"ignoreHttp1xx\": true}]}")))
                .singleElement().asString().startsWith("healthChecks").contains("ignoreHttp1xx");
    }

    @Test
    void envValueChangesAndRemovalsAreReportedPerKey() {
        List<FieldChange> changes = AppDefinitions.diff(json("{\"id\": \"/a\", \"env\": {\"A\": \"1\"}}"),
                json("{\"id\": \"/a\", \"env\": {\"A\": \"2\", \"B\": \"x\"}}"));

        assertThat(changes).containsExactly(new FieldChange("env.A", "2", "1"), new FieldChange("env.B", "x", "(none)"));
    }

    @Test
    void normalizeDoesNotChangeItsArgument() {
        JsonNode original = json(DESIRED);
        JsonNode copy = original.deepCopy();

        AppDefinitions.normalize(original);

        assertThat(original).isEqualTo(copy);
    }
}
