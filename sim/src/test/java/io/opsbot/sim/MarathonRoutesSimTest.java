package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Marathon v2 routes over raw HTTP: path ids, task kills, rollback by version, bulk PUT, groups, subscriptions. */
class MarathonRoutesSimTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir
  static Path home;
  static Sim sim;
  static SimClient marathon;

  @BeforeAll
  static void start() {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false));
    marathon = new SimClient(sim.endpoints().marathonUrl());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static String app(String id, int instances, String image) {
    return """
        {"id": "%s", "instances": %d, "cpus": 0.01, "mem": 16,
         "container": {"type": "DOCKER", "docker": {"image": "%s", "network": "BRIDGE",
           "portMappings": [{"containerPort": 80, "hostPort": 0}]}}}
        """.formatted(id, instances, image);
  }

  static JsonNode getApp(String id) {
    return marathon.get("/v2/apps" + id).json().get("app");
  }

  static boolean settledAt(String id, int running) {
    JsonNode a = getApp(id);
    return a != null && a.get("deployments").isEmpty() && a.get("tasksRunning").asInt() == running;
  }

  @Test
  void pathIdsAreNormalizedAndReservedLastSegmentsRefused() {
    SimClient.Answer put = marathon.put("/v2/apps//paths//web/", app("ignored", 1, "node1:5000/nginx:1.0"));
    assertThat(put.code()).isEqualTo(201);
    assertThat(put.headers().get("Location")).isEqualTo("/v2/apps/paths/web");
    assertThat(marathon.get("/v2/apps/paths/./web").json().get("app").get("id").asText()).isEqualTo("/paths/web");
    assertThat(marathon.get("/v2/apps//paths/web").code()).isEqualTo(200);
    SimClient.Answer relative = marathon.post("/v2/apps", app("paths/other/../api", 0, "node1:5000/nginx:1.0"));
    assertThat(relative.code()).isEqualTo(201);
    assertThat(relative.json().get("id").asText()).isEqualTo("/paths/api");
    for (String reserved : List.of("/paths/tasks", "restart", "/a/versions")) {
      SimClient.Answer refused = marathon.post("/v2/apps", app(reserved, 1, "node1:5000/nginx:1.0"));
      assertThat(refused.code()).isEqualTo(422);
      assertThat(refused.json().get("details").get(0).get("path").asText()).isEqualTo("/id");
      assertThat(refused.json().get("details").get(0).get("errors").get(0).asText())
          .isEqualTo("must not end with any of the following reserved keywords: restart, tasks, versions, ., ..");
    }
    assertThat(marathon.get("/v2/apps/paths/*").json().get("*")).extracting(a -> a.get("id").asText())
        .containsExactlyInAnyOrder("/paths/web", "/paths/api");
    await().atMost(CONVERGE).until(() -> settledAt("/paths/web", 1));
  }

  @Test
  void aPutOfAVersionPutsThatDefinitionBack() {
    marathon.put("/v2/apps/rolling", app("/rolling", 1, "node1:5000/nginx:1.0"));
    await().atMost(CONVERGE).until(() -> settledAt("/rolling", 1));
    String first = getApp("/rolling").get("version").asText();
    marathon.put("/v2/apps/rolling", "{\"instances\": 2, \"container\": {\"type\": \"DOCKER\", \"docker\": "
        + "{\"image\": \"node1:5000/nginx:2.0\", \"portMappings\": [{\"containerPort\": 80, \"hostPort\": 0}]}}}");
    await().atMost(CONVERGE).until(() -> settledAt("/rolling", 2));

    SimClient.Answer back = marathon.put("/v2/apps/rolling", "{\"version\": \"" + first + "\"}");
    assertThat(back.code()).isEqualTo(200);
    assertThat(back.headers().get("Marathon-Deployment-Id")).isEqualTo(back.json().get("deploymentId").asText());
    assertThat(back.json().get("version").asText()).isNotEqualTo(first);
    await().atMost(CONVERGE).until(() -> settledAt("/rolling", 1));
    JsonNode now = getApp("/rolling");
    assertThat(now.get("container").get("docker").get("image").asText()).isEqualTo("node1:5000/nginx:1.0");
    assertThat(now.get("tasks")).allSatisfy(t -> assertThat(t.get("version").asText()).isNotEqualTo(first));
    assertThat(marathon.get("/v2/apps/rolling/versions").json().get("versions")).hasSize(3);

    SimClient.Answer missing = marathon.put("/v2/apps/rolling", "{\"version\": \"2001-01-01T00:00:00.000Z\"}");
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.json().get("message").asText())
        .isEqualTo("App '/rolling' does not exist in version 2001-01-01T00:00:00.000Z");
    SimClient.Answer mixed = marathon.put("/v2/apps/rolling", "{\"version\": \"" + first + "\", \"cpus\": 1}");
    assertThat(mixed.code()).isEqualTo(422);
    assertThat(mixed.json().get("details").get(0).get("errors").get(0).asText())
        .isEqualTo("The 'version' field may only be combined with the 'id' field.");
  }

  @Test
  void severalAppsPutAtOnceAreOneDeployment() {
    // /bulk/b asks for more CPU than any agent has: the deployment waits, so it can be looked at.
    SimClient.Answer bulk = marathon.put("/v2/apps", "[" + app("/bulk/a", 1, "node1:5000/nginx:1.0") + ","
        + "{\"id\": \"/bulk/b\", \"cmd\": \"sleep 1000\", \"cpus\": 5, \"mem\": 16, \"instances\": 2}]");
    assertThat(bulk.code()).isEqualTo(200);
    String id = bulk.json().get("deploymentId").asText();
    assertThat(bulk.headers().get("Marathon-Deployment-Id")).isEqualTo(id);
    await().atMost(CONVERGE).until(() -> getApp("/bulk/a").get("tasksRunning").asInt() == 1);
    JsonNode deployment = null;
    for (JsonNode d : marathon.get("/v2/deployments").json()) {
      if (d.get("id").asText().equals(id)) {
        deployment = d;
      }
    }
    assertThat(deployment).isNotNull();
    assertThat(deployment.get("affectedApps")).extracting(JsonNode::asText).containsExactlyInAnyOrder("/bulk/a", "/bulk/b");
    assertThat(getApp("/bulk/a").get("version").asText()).isEqualTo(getApp("/bulk/b").get("version").asText());

    SimClient.Answer locked = marathon.put("/v2/apps", "[{\"id\": \"/bulk/b\", \"cpus\": 0.01}]");
    assertThat(locked.code()).isEqualTo(409);
    SimClient.Answer fixed = marathon.put("/v2/apps?force=true", "[{\"id\": \"/bulk/b\", \"cpus\": 0.01}]");
    assertThat(fixed.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> settledAt("/bulk/a", 1) && settledAt("/bulk/b", 2));
    assertThat(marathon.get("/v2/deployments").text()).doesNotContain(id);

    SimClient.Answer noId = marathon.put("/v2/apps", "[{\"instances\": 1}]");
    assertThat(noId.code()).isEqualTo(400);
    assertThat(marathon.put("/v2/apps", "{\"id\": \"/x\"}").code()).isEqualTo(400);
  }

  @Test
  void tasksAreKilledAndReplacedOrScaledAwayAndBadKillsAreRefused() {
    marathon.put("/v2/apps/killme", app("/killme", 3, "node1:5000/nginx:1.0"));
    await().atMost(CONVERGE).until(() -> settledAt("/killme", 3));
    List<String> ids = new ArrayList<>();
    marathon.get("/v2/apps/killme/tasks").json().get("tasks").forEach(t -> ids.add(t.get("id").asText()));

    SimClient.Answer bulk = marathon.post("/v2/tasks/delete", "{\"ids\": [\"" + ids.get(0) + "\"]}");
    assertThat(bulk.code()).isEqualTo(200);
    assertThat(bulk.json().get("tasks").get(0).get("id").asText()).isEqualTo(ids.get(0));
    await().atMost(CONVERGE).until(() -> settledAt("/killme", 3)
        && !marathon.get("/v2/apps/killme/tasks").text().contains(ids.get(0)));

    SimClient.Answer scaled = marathon.delete("/v2/apps/killme/tasks/" + ids.get(1) + "?scale=true");
    assertThat(scaled.code()).isEqualTo(200);
    assertThat(scaled.json().get("deploymentId").asText()).isNotBlank();
    await().atMost(CONVERGE).until(() -> settledAt("/killme", 2));
    assertThat(getApp("/killme").get("instances").asInt()).isEqualTo(2);

    SimClient.Answer both = marathon.delete("/v2/apps/killme/tasks?scale=true&wipe=true");
    assertThat(both.code()).isEqualTo(400);
    assertThat(both.json().get("message").asText()).isEqualTo("You cannot use scale and wipe at the same time.");
    SimClient.Answer unknown = marathon.delete("/v2/apps/killme/tasks/killme.nope");
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.json().get("message").asText()).isEqualTo("Task 'killme.nope' does not exist");
    assertThat(marathon.delete("/v2/apps/nope/tasks").code()).isEqualTo(404);

    SimClient.Answer all = marathon.delete("/v2/apps/killme/tasks?scale=true");
    assertThat(all.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> settledAt("/killme", 0));
    assertThat(getApp("/killme").get("instances").asInt()).isZero();
    assertThat(marathon.get("/v2/apps/killme").code()).isEqualTo(200);
  }

  @Test
  void groupsAreCreatedScaledRolledBackAndDeletedWithTheirApps() {
    String body = """
        {"id": "/shop", "apps": [%s],
         "groups": [{"id": "db", "apps": [%s]}]}
        """.formatted(app("web", 1, "node1:5000/nginx:1.0"), app("/shop/db/cache", 1, "node1:5000/nginx:1.0"));
    SimClient.Answer created = marathon.post("/v2/groups", body);
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.headers().get("Location")).isEqualTo("/v2/groups/shop");
    assertThat(created.headers().get("Marathon-Deployment-Id")).isEqualTo(created.json().get("deploymentId").asText());
    await().atMost(CONVERGE).until(() -> settledAt("/shop/web", 1) && settledAt("/shop/db/cache", 1));
    String firstVersion = created.json().get("version").asText();

    JsonNode shop = marathon.get("/v2/groups/shop").json();
    assertThat(shop.get("apps")).extracting(a -> a.get("id").asText()).containsExactly("/shop/web");
    assertThat(shop.get("groups").get(0).get("id").asText()).isEqualTo("/shop/db");
    assertThat(shop.get("groups").get(0).get("apps").get(0).get("id").asText()).isEqualTo("/shop/db/cache");
    JsonNode root = marathon.get("/v2/groups").json();
    assertThat(root.get("id").asText()).isEqualTo("/");
    assertThat(root.get("apps")).extracting(a -> a.get("id").asText()).contains("/nginx", "/nodeapp");
    assertThat(root.get("groups")).extracting(g -> g.get("id").asText()).contains("/shop");
    assertThat(marathon.get("/v2/groups/shop?embed=group.apps.tasks").json().get("apps").get(0).get("tasks")).hasSize(1);

    SimClient.Answer again = marathon.post("/v2/groups", "{\"id\": \"/shop\"}");
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.json().get("message").asText()).isEqualTo("Group /shop is already created. Use PUT to change this group.");

    SimClient.Answer doubled = marathon.put("/v2/groups/shop", "{\"scaleBy\": 2}");
    assertThat(doubled.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> settledAt("/shop/web", 2) && settledAt("/shop/db/cache", 2));
    assertThat(marathon.get("/v2/groups/shop/versions").json()).extracting(JsonNode::asText).contains(firstVersion);

    SimClient.Answer back = marathon.put("/v2/groups/shop", "{\"version\": \"" + firstVersion + "\"}");
    assertThat(back.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> settledAt("/shop/web", 1) && settledAt("/shop/db/cache", 1));

    SimClient.Answer onlyWeb = marathon.put("/v2/groups/shop/db", "{\"apps\": []}");
    assertThat(onlyWeb.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> marathon.get("/v2/apps/shop/db/cache").code() == 404);
    assertThat(marathon.get("/v2/groups/shop/db").code()).isEqualTo(200); // created explicitly: stays, empty

    // PATCH changes a top-level group's settings only: no deployment, the apps keep running
    SimClient.Answer patched = marathon.patch("/v2/groups/shop", "{\"enforceRole\": true}");
    assertThat(patched.code()).isEqualTo(200);
    assertThat(patched.headers().get("Marathon-Deployment-Id")).isNull();
    assertThat(marathon.get("/v2/groups/shop").json().get("enforceRole").asBoolean()).isTrue();
    assertThat(marathon.patch("/v2/groups/shop", "{}").code()).isEqualTo(200);
    assertThat(marathon.get("/v2/groups/shop").json().has("enforceRole")).isFalse();
    SimClient.Answer nested = marathon.patch("/v2/groups/shop/db", "{\"enforceRole\": true}");
    assertThat(nested.code()).isEqualTo(422);
    assertThat(nested.json().get("details").get(0).get("errors").get(0).asText()).isEqualTo("Path needs to be top-level");
    assertThat(marathon.patch("/v2/groups/nowhere", "{\"enforceRole\": true}").code()).isEqualTo(404);

    SimClient.Answer deleted = marathon.delete("/v2/groups/shop");
    assertThat(deleted.code()).isEqualTo(200);
    await().atMost(CONVERGE).until(() -> marathon.get("/v2/tasks").json().get("tasks").findValuesAsText("appId")
        .stream().noneMatch(a -> a.startsWith("/shop/")));
    SimClient.Answer gone = marathon.get("/v2/groups/shop");
    assertThat(gone.code()).isEqualTo(404);
    assertThat(gone.json().get("message").asText()).isEqualTo("Group '/shop' does not exist");
    assertThat(marathon.get("/v2/apps/shop/web").code()).isEqualTo(404);
  }

  @Test
  void theTaskListFiltersByStatusAndSpeaksPlainText() {
    JsonNode running = marathon.get("/v2/tasks?status=running").json().get("tasks");
    assertThat(running).isNotEmpty().allSatisfy(t -> assertThat(t.get("state").asText()).isEqualTo("TASK_RUNNING"));
    assertThat(marathon.get("/v2/tasks?status[]=staging&status[]=killing").json().get("tasks"))
        .allSatisfy(t -> assertThat(t.get("state").asText()).isIn("TASK_STAGING", "TASK_KILLING"));
    SimClient.Answer plain = marathon.call(new okhttp3.Request.Builder().url(marathon.base + "/v2/tasks")
        .header("Accept", "text/plain").build());
    assertThat(plain.headers().get("Content-Type")).startsWith("text/plain");
    JsonNode nodeapp = marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks");
    String line = plain.text().lines().filter(l -> l.startsWith("nodeapp\t")).findFirst().orElseThrow();
    nodeapp.forEach(t -> assertThat(line).contains("\t" + t.get("host").asText() + ":" + t.get("ports").get(0).asInt()));
  }

  @Test
  void subscriptionsLeaderAndMetricsAnswerAsMarathonDoes() {
    SimClient.Answer noUrl = marathon.post("/v2/eventSubscriptions", "");
    assertThat(noUrl.code()).isEqualTo(422);
    assertThat(noUrl.json().get("details").get(0).get("path").asText()).isEqualTo("/callbackUrl");
    SimClient.Answer sub = marathon.post("/v2/eventSubscriptions?callbackUrl=http://127.0.0.1:9/hook", "");
    assertThat(sub.code()).isEqualTo(200);
    assertThat(marathon.get("/v2/info").json().get("event_subscriber").get("http_endpoints").toString())
        .contains("http://127.0.0.1:9/hook");
    assertThat(marathon.delete("/v2/eventSubscriptions?callbackUrl=http://127.0.0.1:9/hook").json()
        .get("eventType").asText()).isEqualTo("unsubscribe_event");
    assertThat(marathon.get("/v2/eventSubscriptions").json().get("callbackUrls")).isEmpty();

    SimClient.Answer abdicate = marathon.delete("/v2/leader");
    assertThat(abdicate.code()).isEqualTo(200);
    assertThat(abdicate.json().get("message").asText()).isEqualTo("Leadership abdicated");
    assertThat(marathon.get("/v2/leader").json().get("leader").asText()).startsWith("127.0.0.1:");
    JsonNode metrics = marathon.get("/metrics").json();
    assertThat(metrics.get("gauges").get("marathon.apps.active.gauge").get("value").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(metrics.has("counters") && metrics.has("timers") && metrics.has("meters")).isTrue();
    assertThat(marathon.get("/ping").text()).isEqualTo("pong");

    SimClient.Answer quieter = marathon.post("/logging", "{\"logger\": \"mesosphere.marathon\", \"level\": \"warn\"}");
    assertThat(quieter.code()).isEqualTo(200);
    assertThat(marathon.get("/logging").json().get("mesosphere.marathon").asText()).isEqualTo("warn");
    assertThat(marathon.post("/logging", "{\"logger\": \"x\", \"level\": \"loud\"}").code()).isEqualTo(422);
  }
}
