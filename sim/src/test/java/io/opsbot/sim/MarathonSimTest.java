package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarathonSimTest {
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

  static String app(String id, int instances, String image, String extra) {
    return """
        {"id": "%s", "instances": %d, "cpus": 0.1, "mem": 64,
         "container": {"type": "DOCKER", "docker": {"image": "%s", "network": "BRIDGE",
           "portMappings": [{"containerPort": 3000, "hostPort": 0}]}},
         "healthChecks": [{"protocol": "HTTP", "path": "/health", "gracePeriodSeconds": 5, "intervalSeconds": 2}]%s}
        """.formatted(id, instances, image, extra);
  }

  static void awaitNoDeployment(String appId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonNode a = marathon.get("/v2/apps" + appId).json().get("app");
      return a.get("deployments").isEmpty();
    });
  }

  @Test
  void putStartsADeploymentThatEndsWithHealthyTasksAndEmitsEventsInOrder() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    Call stream = marathon.http.newCall(new Request.Builder().url(marathon.base + "/v2/events?event_type=deployment_info"
        + "&event_type=deployment_success&event_type=status_update_event&event_type=health_status_changed_event"
        + "&event_type=api_post_event&event_type=deployment_step_success").header("Accept", "text/event-stream").build());
    Thread reader = new Thread(() -> {
      try (Response r = stream.execute();
           BufferedReader in = new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("data: ")) {
            JsonNode e = Json.MAPPER.readTree(line.substring(6));
            if (e.path("appId").asText("/events-app").equals("/events-app") || e.has("plan") || e.has("id")) {
              events.add(e.get("eventType").asText() + (e.has("taskStatus") ? ":" + e.get("taskStatus").asText() : ""));
            }
          }
        }
      } catch (Exception ignored) {
        // The stream ends when the test cancels it.
      }
    });
    reader.start();
    await().until(() -> events.contains("event_stream_attached"));

    SimClient.Answer put = marathon.put("/v2/apps/events-app", app("/events-app", 2, "node1:5000/nodeapp:1.0", ""));
    assertThat(put.code()).isEqualTo(201);
    assertThat(put.json().get("deploymentId").asText()).isNotBlank();
    assertThat(put.json().get("version").asText()).endsWith("Z");

    awaitNoDeployment("/events-app");
    JsonNode app = marathon.get("/v2/apps/events-app").json().get("app");
    assertThat(app.get("tasksHealthy").asInt()).isEqualTo(2);
    assertThat(app.get("tasks")).allSatisfy(t -> {
      assertThat(t.get("state").asText()).isEqualTo("TASK_RUNNING");
      assertThat(t.get("healthCheckResults").get(0).get("alive").asBoolean()).isTrue();
      assertThat(t.get("ports").get(0).asInt()).isBetween(31000, 32000);
      assertThat(t.has("startedAt")).isTrue();
    });
    await().until(() -> events.contains("deployment_success"));
    stream.cancel();
    List<String> order = new ArrayList<>(events);
    assertThat(order.get(0)).isEqualTo("event_stream_attached");
    assertThat(order.indexOf("api_post_event")).isLessThan(order.indexOf("deployment_info"));
    assertThat(order.indexOf("deployment_info")).isLessThan(order.indexOf("status_update_event:TASK_STAGING"));
    assertThat(order.indexOf("status_update_event:TASK_STAGING")).isLessThan(order.indexOf("status_update_event:TASK_RUNNING"));
    assertThat(order.indexOf("status_update_event:TASK_RUNNING")).isLessThan(order.indexOf("health_status_changed_event"));
    assertThat(order.lastIndexOf("health_status_changed_event")).isLessThan(order.indexOf("deployment_success"));
    assertThat(order).contains("deployment_step_success");
  }

  @Test
  void identicalPutStillStoresANewVersionAndDeployment() {
    marathon.put("/v2/apps/same", app("/same", 1, "node1:5000/nodeapp:1.0", ""));
    awaitNoDeployment("/same");
    JsonNode before = marathon.get("/v2/apps/same/versions").json().get("versions");
    SimClient.Answer again = marathon.put("/v2/apps/same", app("/same", 1, "node1:5000/nodeapp:1.0", ""));
    assertThat(again.code()).isEqualTo(200);
    assertThat(again.json().get("deploymentId").asText()).isNotBlank();
    JsonNode after = marathon.get("/v2/apps/same/versions").json().get("versions");
    assertThat(after.size()).isEqualTo(before.size() + 1);
    assertThat(after.get(0).asText()).isEqualTo(again.json().get("version").asText());
    awaitNoDeployment("/same");
    assertThat(marathon.get("/v2/apps/same/versions/" + after.get(0).asText()).json().get("id").asText()).isEqualTo("/same");
  }

  @Test
  void changeWhileLockedGets409InMarathonsShapeAndForcePasses() {
    marathon.post("/_sim/images/failing", "{\"image\": \"node1:5000/nodeapp:stuck\"}");
    marathon.put("/v2/apps/locked", app("/locked", 1, "node1:5000/nodeapp:stuck", ""));
    SimClient.Answer conflict = marathon.put("/v2/apps/locked", "{\"instances\": 2}");
    assertThat(conflict.code()).isEqualTo(409);
    String deployment = conflict.json().get("deployments").get(0).get("id").asText();
    assertThat(conflict.json().get("message").asText()).isEqualTo("App is locked by one or more deployments. Override "
        + "with the option '?force=true'. View details at '/v2/deployments/" + deployment + "'.");
    assertThat(marathon.delete("/v2/apps/locked").code()).isEqualTo(409);
    SimClient.Answer forced = marathon.put("/v2/apps/locked?force=true",
        app("/locked", 1, "node1:5000/nodeapp:1.0", ""));
    assertThat(forced.code()).isEqualTo(200);
    awaitNoDeployment("/locked");
    assertThat(marathon.get("/v2/apps/locked").json().get("app").get("tasksHealthy").asInt()).isEqualTo(1);
  }

  @Test
  void invalidDefinitionGets422WithPathsAndBadJsonGets400() {
    SimClient.Answer invalid = marathon.put("/v2/apps/bad", app("/bad", -1, "x", ""));
    assertThat(invalid.code()).isEqualTo(422);
    assertThat(invalid.json().get("message").asText()).isEqualTo("Object is not valid");
    assertThat(invalid.json().get("details")).anySatisfy(d -> {
      assertThat(d.get("path").asText()).isEqualTo("/instances");
      assertThat(d.get("errors").get(0).asText()).isEqualTo("got -1, expected 0 or more");
    });
    SimClient.Answer badOp = marathon.post("/v2/apps", app("/badop", 1, "x", ", \"constraints\": [[\"hostname\", \"NEAR\"]]"));
    assertThat(badOp.code()).isEqualTo(422);
    assertThat(badOp.json().get("details").get(0).get("path").asText()).isEqualTo("/constraints(0)");
    SimClient.Answer badId = marathon.post("/v2/apps", app("/Bad_Id", 1, "x", ""));
    assertThat(badId.json().get("details").get(0).get("path").asText()).isEqualTo("/id");
    SimClient.Answer notJson = marathon.put("/v2/apps/bad", "{\"id\": ");
    assertThat(notJson.code()).isEqualTo(400);
    assertThat(notJson.json().get("message").asText()).isEqualTo("Invalid JSON");
    SimClient.Answer wrongType = marathon.put("/v2/apps/bad", "{\"id\": 5, \"cmd\": \"sleep 1\"}");
    assertThat(wrongType.code()).isEqualTo(400);
    assertThat(wrongType.json().get("details").get(0).get("errors").get(0).asText()).isEqualTo("error.expected.jsstring");
    assertThat(marathon.get("/v2/apps/bad").code()).isEqualTo(404);
  }

  @Test
  void constraintsPlaceTasksAndWhatCannotFitWaitsInTheQueue() {
    marathon.put("/v2/apps/pinned", app("/pinned", 2, "node1:5000/nodeapp:1.0", ", \"constraints\": [[\"hostname\", \"CLUSTER\", \"node3\"]]"));
    awaitNoDeployment("/pinned");
    assertThat(marathon.get("/v2/apps/pinned/tasks").json().get("tasks")).allSatisfy(t ->
        assertThat(t.get("host").asText()).isEqualTo("node3"));

    marathon.put("/v2/apps/unique", app("/unique", 4, "node1:5000/nodeapp:1.0", ", \"constraints\": [[\"hostname\", \"UNIQUE\"]]"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        marathon.get("/v2/apps/unique").json().get("app").get("tasksHealthy").asInt() == 3);
    JsonNode queue = marathon.get("/v2/queue").json().get("queue");
    assertThat(queue).anySatisfy(q -> {
      assertThat(q.get("app").get("id").asText()).isEqualTo("/unique");
      assertThat(q.get("count").asInt()).isEqualTo(1);
      assertThat(q.get("processedOffersSummary").get("rejectSummaryLastOffers").toString()).contains("UnfulfilledConstraint");
    });
    assertThat(marathon.get("/v2/deployments").json().toString()).contains("/unique");

    SimClient.Answer huge = marathon.put("/v2/apps/huge", "{\"cmd\": \"sleep 1000\", \"cpus\": 3, \"mem\": 64}");
    assertThat(huge.code()).isEqualTo(201);
    await().until(() -> marathon.get("/v2/queue").json().toString().contains("InsufficientCpus"));
    marathon.put("/v2/apps/unique?force=true", "{\"instances\": 3}");
    awaitNoDeployment("/unique");
    marathon.delete("/v2/apps/huge?force=true");
    marathon.delete("/v2/apps/unique");
    marathon.delete("/v2/apps/pinned");
  }

  @Test
  void failingImageNeverBecomesHealthyAndRollbackRestoresTheOldVersion() {
    marathon.post("/v2/apps", app("/canary", 1, "node1:5000/nodeapp:1.0", ""));
    awaitNoDeployment("/canary");
    marathon.post("/_sim/images/failing", "{\"image\": \"node1:5000/nodeapp:bad\"}");
    SimClient.Answer put = marathon.put("/v2/apps/canary", "{\"container\": {\"type\": \"DOCKER\", \"docker\": "
        + "{\"image\": \"node1:5000/nodeapp:bad\", \"portMappings\": [{\"containerPort\": 3000, \"hostPort\": 0}]}}}");
    String deployment = put.json().get("deploymentId").asText();
    marathon.post("/_sim/time/advance", "{\"seconds\": 60}");
    JsonNode app = marathon.get("/v2/apps/canary").json().get("app");
    assertThat(app.get("deployments").toString()).contains(deployment);
    String badVersion = put.json().get("version").asText();
    assertThat(app.get("lastTaskFailure").get("message").asText()).contains("health checks");
    assertThat(app.get("lastTaskFailure").get("version").asText()).isEqualTo(badVersion);
    assertThat(app.get("tasks")).noneSatisfy(t -> {
      assertThat(t.get("version").asText()).isEqualTo(badVersion);
      assertThat(t.get("healthCheckResults").toString()).contains("\"alive\":true");
    });
    assertThat(app.get("tasks")).anySatisfy(t -> assertThat(t.get("version").asText()).isNotEqualTo(badVersion));

    SimClient.Answer rollback = marathon.delete("/v2/deployments/" + deployment);
    assertThat(rollback.code()).isEqualTo(200);
    assertThat(rollback.json().get("deploymentId").asText()).isNotEqualTo(deployment);
    awaitNoDeployment("/canary");
    JsonNode after = marathon.get("/v2/apps/canary").json().get("app");
    assertThat(after.get("container").get("docker").get("image").asText()).isEqualTo("node1:5000/nodeapp:1.0");
    assertThat(after.get("tasksHealthy").asInt()).isEqualTo(1);
  }

  @Test
  void infoLeaderAndMesosStateAgreeWithMarathonTasks() {
    assertThat(marathon.get("/v2/info").json().get("name").asText()).isEqualTo("marathon");
    assertThat(marathon.get("/v2/leader").json().get("leader").asText()).startsWith("127.0.0.1:");
    SimClient mesos = new SimClient(sim.endpoints().mesosUrl());
    SimClient.Answer state = mesos.get("/master/state");
    assertThat(state.headers().get("X-Opsbot-Sim")).isEqualTo("emulated");
    assertThat(state.json().get("slaves")).hasSize(3);
    JsonNode nodeappTasks = marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks");
    List<String> mesosIds = new ArrayList<>();
    state.json().get("frameworks").get(0).get("tasks").forEach(t -> mesosIds.add(t.get("id").asText()));
    nodeappTasks.forEach(t -> assertThat(mesosIds).contains(t.get("id").asText()));
    assertThat(mesos.get("/master/health").code()).isEqualTo(200);
    assertThat(mesos.get("/metrics/snapshot").json().get("master/slaves_active").asDouble()).isEqualTo(3.0);
  }
}
