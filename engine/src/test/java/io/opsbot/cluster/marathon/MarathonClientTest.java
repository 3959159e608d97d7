package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.testing.Responses.json;
import static io.opsbot.cluster.testing.Responses.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MarathonClientTest {

    static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    /** An app as GET /v2/apps/{id}?embed=app.tasks&embed=app.lastTaskFailure answers it (Marathon 1.x). */
    static final String NODEAPP = """
            {"app": {
              "id": "/nodeapp", "cmd": null, "args": null, "user": null, "env": {"NODE_ENV": "production"},
              "instances": 2, "cpus": 0.5, "mem": 256.0, "disk": 0.0, "gpus": 0, "executor": "",
              "constraints": [["hostname", "UNIQUE"]], "uris": [], "fetch": [], "storeUrls": [],
              "backoffSeconds": 1, "backoffFactor": 1.15, "maxLaunchDelaySeconds": 3600,
              "container": {"type": "DOCKER", "volumes": [],
                "docker": {"image": "registry.local:5000/nodeapp:a1", "network": "BRIDGE",
                  "portMappings": [{"containerPort": 3000, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}],
                  "privileged": false, "parameters": [], "forcePullImage": false}},
              "healthChecks": [{"path": "/health", "protocol": "HTTP", "portIndex": 0, "gracePeriodSeconds": 30,
                "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3, "ignoreHttp1xx": false}],
              "readinessChecks": [], "dependencies": [],
              "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.5},
              "labels": {"team": "web"}, "ipAddress": null,
              "version": "2026-11-20T10:00:00.000Z",
              "versionInfo": {"lastScalingAt": "2026-11-20T10:00:00.000Z", "lastConfigChangeAt": "2026-11-19T09:00:00.000Z"},
              "residency": null, "secrets": {}, "taskKillGracePeriodSeconds": null, "unreachableStrategy": {"inactiveAfterSeconds": 300, "expungeAfterSeconds": 600},
              "killSelection": "YOUNGEST_FIRST",
              "tasksStaged": 0, "tasksRunning": 2, "tasksHealthy": 2, "tasksUnhealthy": 0,
              "deployments": [{"id": "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43"}],
              "tasks": [
                {"id": "nodeapp.1f0c2b7e-aa11-11ee-9f3a-0242ac110002", "slaveId": "c1c0e3b2-S1", "host": "node2",
                 "state": "TASK_RUNNING", "startedAt": "2026-11-20T10:00:05.000Z", "stagedAt": "2026-11-20T10:00:01.000Z",
                 "ports": [31001], "version": "2026-11-19T09:00:00.000Z", "ipAddresses": [{"ipAddress": "10.32.0.2", "protocol": "IPv4"}],
                 "appId": "/nodeapp",
                 "healthCheckResults": [{"alive": true, "consecutiveFailures": 0, "firstSuccess": "2026-11-20T10:00:20.000Z",
                   "lastFailure": null, "lastSuccess": "2026-11-20T10:05:20.000Z", "lastFailureCause": null,
                   "taskId": "nodeapp.1f0c2b7e-aa11-11ee-9f3a-0242ac110002"}]},
                {"id": "nodeapp.2a7d9c10-aa11-11ee-9f3a-0242ac110002", "slaveId": "c1c0e3b2-S2", "host": "node3",
                 "state": "TASK_RUNNING", "startedAt": "2026-11-20T10:00:06.000Z", "stagedAt": "2026-11-20T10:00:01.000Z",
                 "ports": [31002], "version": "2026-11-19T09:00:00.000Z", "appId": "/nodeapp",
                 "healthCheckResults": [{"alive": false, "consecutiveFailures": 2, "taskId": "nodeapp.2a7d9c10-aa11-11ee-9f3a-0242ac110002"}]}
              ],
              "lastTaskFailure": {"appId": "/nodeapp", "host": "node3", "message": "Container exited with status 1",
                "state": "TASK_FAILED", "taskId": "nodeapp.0b9c-old", "timestamp": "2026-11-20T09:59:00.000Z",
                "version": "2026-11-19T09:00:00.000Z", "slaveId": "c1c0e3b2-S2"}
            }}""";

    MockWebServer server = new MockWebServer();
    MarathonClient marathon;

    @BeforeEach
    void start() throws IOException {
        server.start();
        marathon = new MarathonClient(server.url("/").toString(), Auth.bearer("tok"), HttpClients.createShared(),
                ClientMetrics.NOOP, FAST);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsAnAppWithEmbedsIntoTypedFieldsAndKeepsTheRawJson() throws Exception {
        server.enqueue(json(200, NODEAPP));

        App app = marathon.app("nodeapp", Embed.TASKS, Embed.LAST_TASK_FAILURE);

        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v2/apps/nodeapp");
        assertThat(request.getUrl().queryParameterValues("embed")).containsExactly("app.tasks", "app.lastTaskFailure");
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer tok");

        assertThat(app.id()).isEqualTo("/nodeapp");
        assertThat(app.instances()).isEqualTo(2);
        assertThat(app.cpus()).isEqualTo(0.5);
        assertThat(app.mem()).isEqualTo(256.0);
        assertThat(app.image()).isEqualTo("registry.local:5000/nodeapp:a1");
        assertThat(app.constraints()).containsExactly(List.of("hostname", "UNIQUE"));
        assertThat(app.env()).isEqualTo(Map.of("NODE_ENV", "production"));
        assertThat(app.labels()).isEqualTo(Map.of("team", "web"));
        assertThat(app.healthChecks()).singleElement().satisfies(h -> {
            assertThat(h.path()).isEqualTo("/health");
            assertThat(h.gracePeriodSeconds()).isEqualTo(30);
        });
        assertThat(app.upgradeStrategy()).isEqualTo(new UpgradeStrategy(0.5, 0.5));
        assertThat(app.version()).isEqualTo("2026-11-20T10:00:00.000Z");
        assertThat(app.lastConfigChangeAt()).isEqualTo("2026-11-19T09:00:00.000Z");
        assertThat(app.tasksRunning()).isEqualTo(2);
        assertThat(app.tasksHealthy()).isEqualTo(2);
        assertThat(app.deployments()).containsExactly("5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43");
        assertThat(app.tasks()).extracting(Task::host, Task::healthy).containsExactly(
                org.assertj.core.groups.Tuple.tuple("node2", true), org.assertj.core.groups.Tuple.tuple("node3", false));
        assertThat(app.lastTaskFailure().message()).isEqualTo("Container exited with status 1");
        // Fields the record does not model survive for a read-modify-write PUT.
        assertThat(app.raw().path("unreachableStrategy").path("expungeAfterSeconds").asInt()).isEqualTo(600);
    }

    @Test
    void toleratesMissingOptionalFieldsNullsAndUnknownFields() {
        server.enqueue(json(200, """
                {"app": {"id": "/mongo", "instances": null, "container": null, "env": null, "labels": {"a": null},
                 "someFutureField": {"x": [1, 2]}, "healthChecks": null, "tasks": [null]}}"""));

        App app = marathon.app("/mongo");

        assertThat(app.instances()).isEqualTo(1);
        assertThat(app.cpus()).isEqualTo(1.0);
        assertThat(app.mem()).isEqualTo(128.0);
        assertThat(app.image()).isNull();
        assertThat(app.env()).isEmpty();
        assertThat(app.labels()).isEmpty();
        assertThat(app.tasks()).isEmpty();
        assertThat(app.lastTaskFailure()).isNull();
        assertThat(app.upgradeStrategy()).isEqualTo(UpgradeStrategy.DEFAULT);
    }

    @Test
    void listsAppsWithEmbeds() throws Exception {
        server.enqueue(json(200, "{\"apps\": [" + Json.MAPPER.readTree(NODEAPP).get("app") + ", {\"id\": \"/nginx\", \"instances\": 1}]}"));

        List<App> apps = marathon.apps(Embed.COUNTS, Embed.DEPLOYMENTS);

        RecordedRequest request = server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/v2/apps?embed=app.counts&embed=app.deployments");
        assertThat(apps).extracting(App::id).containsExactly("/nodeapp", "/nginx");
    }

    @Test
    void updateSendsTheWholeDefinitionWithForceOnlyWhenAsked() throws Exception {
        server.enqueue(json(200, "{\"version\": \"2026-11-20T11:00:00.000Z\", \"deploymentId\": \"dep-1\"}"));
        server.enqueue(json(200, "{\"version\": \"2026-11-20T11:01:00.000Z\", \"deploymentId\": \"dep-2\"}"));
        JsonNode definition = Json.MAPPER.readTree("{\"id\": \"nodeapp\", \"instances\": 3, \"unknownKept\": true}");

        DeploymentRef first = marathon.updateApp("nodeapp", definition, false);
        DeploymentRef second = marathon.updateApp("/nodeapp", definition, true);

        RecordedRequest plain = server.takeRequest();
        assertThat(plain.getMethod()).isEqualTo("PUT");
        assertThat(plain.getTarget()).isEqualTo("/v2/apps/nodeapp");
        assertThat(Json.MAPPER.readTree(plain.getBody().utf8()))
                .isEqualTo(Json.MAPPER.readTree("{\"id\": \"/nodeapp\", \"instances\": 3, \"unknownKept\": true}"));
        assertThat(plain.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/apps/nodeapp?force=true");
        assertThat(first).isEqualTo(new DeploymentRef("dep-1", "2026-11-20T11:00:00.000Z"));
        assertThat(second.deploymentId()).isEqualTo("dep-2");
    }

    @Test
    void scaleSendsOnlyInstances() throws Exception {
        server.enqueue(json(200, "{\"version\": \"v\", \"deploymentId\": \"dep-3\"}"));

        assertThat(marathon.scale("/nodeapp", 3, false).deploymentId()).isEqualTo("dep-3");

        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("PUT");
        assertThat(request.getTarget()).isEqualTo("/v2/apps/nodeapp");
        assertThat(request.getBody().utf8()).isEqualTo("{\"instances\":3}");
    }

    @Test
    void createRestartDeleteAndNestedIdsUseTheDocumentedPaths() throws Exception {
        server.enqueue(json(201, "{\"id\": \"/web/nginx\", \"instances\": 1, \"deployments\": [{\"id\": \"dep-c\"}], \"version\": \"v1\"}"));
        server.enqueue(json(200, "{\"version\": \"v2\", \"deploymentId\": \"dep-r\"}"));
        server.enqueue(json(200, "{\"version\": \"v3\", \"deploymentId\": \"dep-d\"}"));

        App created = marathon.createApp(Json.MAPPER.readTree("{\"id\": \"web/nginx\", \"cpus\": 0.1}"));
        DeploymentRef restarted = marathon.restart("web/nginx", true);
        DeploymentRef deleted = marathon.deleteApp("/web/nginx", false);

        RecordedRequest create = server.takeRequest();
        assertThat(create.getMethod()).isEqualTo("POST");
        assertThat(create.getTarget()).isEqualTo("/v2/apps");
        assertThat(Json.MAPPER.readTree(create.getBody().utf8()).get("id").asText()).isEqualTo("/web/nginx");
        RecordedRequest restart = server.takeRequest();
        assertThat(restart.getMethod()).isEqualTo("POST");
        assertThat(restart.getTarget()).isEqualTo("/v2/apps/web/nginx/restart?force=true");
        RecordedRequest delete = server.takeRequest();
        assertThat(delete.getMethod()).isEqualTo("DELETE");
        assertThat(delete.getTarget()).isEqualTo("/v2/apps/web/nginx");
        assertThat(created.deployments()).containsExactly("dep-c");
        assertThat(restarted.deploymentId()).isEqualTo("dep-r");
        assertThat(deleted.deploymentId()).isEqualTo("dep-d");
    }

    @Test
    void versionsAndOneVersion() throws Exception {
        server.enqueue(json(200, "{\"versions\": [\"2026-11-20T10:00:00.000Z\", \"2026-11-19T09:00:00.000Z\"]}"));
        server.enqueue(json(200, "{\"id\": \"/nodeapp\", \"instances\": 2, \"container\": {\"docker\": {\"image\": \"reg/nodeapp:old\"}}, \"version\": \"2026-11-19T09:00:00.000Z\"}"));

        assertThat(marathon.versions("nodeapp")).containsExactly("2026-11-20T10:00:00.000Z", "2026-11-19T09:00:00.000Z");
        App old = marathon.version("nodeapp", "2026-11-19T09:00:00.000Z");

        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/apps/nodeapp/versions");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/apps/nodeapp/versions/2026-11-19T09:00:00.000Z");
        assertThat(old.image()).isEqualTo("reg/nodeapp:old");
    }

    @Test
    void deploymentsReadBothActionSpellingsAndRollbackOrCancel() throws Exception {
        server.enqueue(json(200, """
                [{"id": "97c136bf-5a28-4821-9d94-480d9fbb01c8", "version": "2015-09-30T09:09:17.614Z",
                  "affectedApps": ["/foo"], "affectedPods": [],
                  "steps": [{"actions": [{"action": "ScaleApplication", "app": "/foo"}]}],
                  "currentActions": [{"action": "ScaleApplication", "app": "/foo", "readinessCheckResults": {}}],
                  "currentStep": 1, "totalSteps": 1},
                 {"id": "old-shape", "version": "2015-01-01T00:00:00.000Z", "affectedApps": ["/bar"],
                  "currentActions": [{"type": "RestartApplication", "app": "/bar"}], "currentStep": 2, "totalSteps": 3}]"""));
        server.enqueue(json(200, "{\"deploymentId\": \"rollback-1\", \"version\": \"2015-09-30T10:00:00.000Z\"}"));
        server.enqueue(status(202));

        List<Deployment> deployments = marathon.deployments();
        DeploymentRef rollback = marathon.rollbackDeployment("97c136bf-5a28-4821-9d94-480d9fbb01c8");
        marathon.cancelDeployment("old-shape");

        assertThat(deployments).extracting(Deployment::currentActions).containsExactly(
                List.of(new DeploymentAction("ScaleApplication", "/foo")),
                List.of(new DeploymentAction("RestartApplication", "/bar")));
        assertThat(deployments.get(1).affects("/bar")).isTrue();
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/deployments");
        RecordedRequest rollbackRequest = server.takeRequest();
        assertThat(rollbackRequest.getMethod()).isEqualTo("DELETE");
        assertThat(rollbackRequest.getTarget()).isEqualTo("/v2/deployments/97c136bf-5a28-4821-9d94-480d9fbb01c8");
        assertThat(rollback.deploymentId()).isEqualTo("rollback-1");
        RecordedRequest cancel = server.takeRequest();
        assertThat(cancel.getMethod()).isEqualTo("DELETE");
        assertThat(cancel.getTarget()).isEqualTo("/v2/deployments/old-shape?force=true");
    }

    @Test
    void tasksQueueInfoAndLeader() throws Exception {
        String tasks = """
                {"tasks": [{"appId": "/minecraft/survival-world", "host": "srv7.hw.ca1.mesosphere.com",
                  "id": "minecraft_survival-world.instance-564bd685", "ports": [31756], "slaveId": "agent0",
                  "stagedAt": "2015-08-26T20:23:39.463Z", "startedAt": "2015-08-26T20:23:44.678Z",
                  "version": "2015-04-17T04:00:14.171Z", "state": "TASK_STAGING", "region": "primary"}]}""";
        server.enqueue(json(200, tasks));
        server.enqueue(json(200, tasks));
        server.enqueue(json(200, """
                {"queue": [{"app": {"id": "/tools/datadog-agent", "instances": 5}, "count": 1,
                  "delay": {"timeLeftSeconds": 0, "overdue": true}, "since": "2016-02-28T16:41:41.090Z"}]}"""));
        server.enqueue(json(200, """
                {"name": "marathon", "version": "1.4.2", "elected": true, "leader": "node1:8080",
                 "frameworkId": "20150714-191408-4163031306-5050-1590-0000",
                 "marathon_config": {"master": "zk://node1:2181/mesos"}, "http_config": {"http_port": 8080}}"""));
        server.enqueue(json(200, "{\"leader\": \"node1:8080\"}"));

        assertThat(marathon.tasks()).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo("TASK_STAGING");
            assertThat(t.isRunning()).isFalse();
            assertThat(t.ports()).containsExactly(31756);
            assertThat(t.healthy()).isNull();
        });
        assertThat(marathon.appTasks("minecraft/survival-world")).hasSize(1);
        assertThat(marathon.queue()).containsExactly(new QueueItem("/tools/datadog-agent", 1, true, 0,
                "2016-02-28T16:41:41.090Z", 0, 0, java.util.List.of(), java.util.List.of()));
        assertThat(marathon.info()).isEqualTo(new MarathonInfo("marathon", "1.4.2", "node1:8080",
                "20150714-191408-4163031306-5050-1590-0000", true));
        assertThat(marathon.leader()).isEqualTo("node1:8080");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/tasks");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/apps/minecraft/survival-world/tasks");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/queue");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/info");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/leader");
    }

    // ---- errors ---------------------------------------------------------------------------------------

    @Test
    void conflictBecomesAppLockedWithTheBlockingDeploymentIds() {
        server.enqueue(json(409, """
                {"message": "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
                 "deployments": [{"id": "97c136bf-5a28-4821-9d94-480d9fbb01c8"}]}"""));

        assertThatThrownBy(() -> marathon.scale("nodeapp", 3, false))
                .isInstanceOfSatisfying(AppLockedException.class, e -> {
                    assertThat(e.deploymentIds()).containsExactly("97c136bf-5a28-4821-9d94-480d9fbb01c8");
                    assertThat(e.appId()).isEqualTo("/nodeapp");
                    assertThat(e.marathonMessage()).startsWith("App is locked by one or more deployments.");
                })
                .hasMessage("app /nodeapp is locked by deployment 97c136bf-5a28-4821-9d94-480d9fbb01c8; "
                        + "wait for it to finish or cancel it");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void unprocessableBecomesValidationWithFieldMessages() {
        server.enqueue(json(422, """
                {"message": "Object is not valid", "details": [{"path": "/upgradeStrategy/minimumHealthCapacity",
                 "errors": ["is greater than 1"]}]}"""));

        assertThatThrownBy(() -> marathon.updateApp("nodeapp", Json.MAPPER.createObjectNode(), false))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.fieldErrors())
                        .containsExactly(new FieldError("/upgradeStrategy/minimumHealthCapacity", List.of("is greater than 1"))))
                .hasMessage("Marathon rejected app /nodeapp: Object is not valid — "
                        + "/upgradeStrategy/minimumHealthCapacity: is greater than 1");
    }

    @Test
    void olderValidationShapeWithAttributeAndErrorIsReadToo() {
        server.enqueue(json(422, """
                {"message": "Bean is not valid", "errors": [{"attribute": "id", "error": "path contains invalid characters"}]}"""));

        assertThatThrownBy(() -> marathon.updateApp("nodeapp", Json.MAPPER.createObjectNode(), false))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Marathon rejected app /nodeapp: Bean is not valid — id: path contains invalid characters");
    }

    @Test
    void badRequestCarriesInvalidJsonDetails() {
        server.enqueue(json(400, """
                {"message": "Invalid JSON", "details": [{"path": "/id", "errors": ["error.expected.jsstring"]}]}"""));

        assertThatThrownBy(() -> marathon.createApp(Json.MAPPER.createObjectNode().put("id", "x")))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("Marathon could not read app /x: Invalid JSON — /id: error.expected.jsstring");
    }

    @Test
    void notFoundNamesTheApp() {
        server.enqueue(json(404, "{\"message\": \"App '/x' does not exist\"}"));

        assertThatThrownBy(() -> marathon.app("x")).isInstanceOf(NotFoundException.class)
                .hasMessage("no app /x in Marathon");
    }

    @Test
    void findAppIsEmptyWhenAbsent() {
        server.enqueue(json(404, "{\"message\": \"App '/x' does not exist\"}"));

        assertThat(marathon.findApp("x")).isEmpty();
    }

    @Test
    void unauthorizedAndForbiddenAreAuthErrorsWithoutRetry() {
        server.enqueue(json(401, "{\"message\": \"Invalid username or password.\"}"));
        server.enqueue(json(403, "{\"message\": \"Not Authorized to perform this action!\"}"));

        assertThatThrownBy(() -> marathon.apps()).isInstanceOfSatisfying(AuthException.class,
                e -> assertThat(e.status()).isEqualTo(401)).hasMessageContaining("refused the credentials (401 Unauthorized)");
        assertThatThrownBy(() -> marathon.apps()).isInstanceOf(AuthException.class).hasMessageContaining("403 Forbidden");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void serverErrorsAreTransientAfterRetriesForGetsAndAtOnceForPuts() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(503, "{\"message\": \"Leader election in progress\"}"));
        }
        server.enqueue(json(500, "<html>oops</html>"));

        assertThatThrownBy(() -> marathon.apps()).isInstanceOf(TransientException.class)
                .hasMessageContaining("Marathon at ").hasMessageContaining("GET /v2/apps (HTTP 503: Leader election in progress)");
        assertThatThrownBy(() -> marathon.scale("nodeapp", 1, false)).isInstanceOf(TransientException.class)
                .hasMessageContaining("HTTP 500");
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void hostileAppIdsNeverReachThePath() {
        for (String hostile : List.of("../v2/deployments", "nodeapp?force=true", "Nodeapp", "a b", "nodeapp;rm", "", "a//b")) {
            assertThatThrownBy(() -> marathon.app(hostile)).isInstanceOf(OpsException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void truncatedJsonIsAClearError() {
        server.enqueue(json(200, "{\"apps\": [{\"id\": \"/nodeapp\""));

        assertThatThrownBy(() -> marathon.apps()).isInstanceOf(OpsException.class)
                .hasMessageContaining("answered GET /v2/apps with malformed JSON");
    }
}
