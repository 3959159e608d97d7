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

/** The launch queue says what cannot be placed and why (Marathon 1.4+), back-off delays, lastTaskFailure. */
class LaunchQueueSimTest {
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

  static JsonNode queueEntry(String appId, String query) {
    for (JsonNode e : marathon.get("/v2/queue" + query).json().get("queue")) {
      if (e.get("app").get("id").asText().equals(appId)) {
        return e;
      }
    }
    return null;
  }

  static JsonNode step(JsonNode summary, String list, String reason) {
    for (JsonNode s : summary.get(list)) {
      if (s.get("reason").asText().equals(reason)) {
        return s;
      }
    }
    throw new AssertionError("no " + reason + " in " + summary);
  }

  @Test
  void anAppAskingForMoreCpuThanAnyAgentHasWaitsAndTheQueueSaysWhy() {
    SimClient.Answer put = marathon.put("/v2/apps/big-cpu", "{\"cmd\": \"sleep 1000\", \"cpus\": 3, \"mem\": 64}");
    assertThat(put.code()).isEqualTo(201);
    String deployment = put.json().get("deploymentId").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode e = queueEntry("/big-cpu", "");
      return e != null && e.get("processedOffersSummary").get("processedOffersCount").asInt() >= 6;
    });
    JsonNode e = queueEntry("/big-cpu", "");
    assertThat(e.get("count").asInt()).isEqualTo(1);
    assertThat(e.get("delay").get("overdue").asBoolean()).isTrue();
    assertThat(e.get("delay").get("timeLeftSeconds").asInt()).isZero();
    assertThat(e.get("since").asText()).endsWith("Z");
    assertThat(e.has("lastUnusedOffers")).isFalse();
    JsonNode summary = e.get("processedOffersSummary");
    assertThat(summary.get("unusedOffersCount").asInt()).isEqualTo(summary.get("processedOffersCount").asInt());
    assertThat(summary.get("lastUnusedOfferAt").asText()).endsWith("Z");
    assertThat(summary.has("lastUsedOfferAt")).isFalse();
    // The last offer of each of the three agents, declined for CPU: the funnel passes all three down to it.
    JsonNode cpus = step(summary, "rejectSummaryLastOffers", "InsufficientCpus");
    assertThat(cpus.get("declined").asInt()).isEqualTo(3);
    assertThat(cpus.get("processed").asInt()).isEqualTo(3);
    assertThat(step(summary, "rejectSummaryLastOffers", "UnfulfilledConstraint").get("declined").asInt()).isZero();
    assertThat(step(summary, "rejectSummaryLastOffers", "InsufficientMemory").get("processed").asInt()).isZero();
    JsonNode attempt = step(summary, "rejectSummaryLaunchAttempt", "InsufficientCpus");
    assertThat(attempt.get("declined").asInt()).isEqualTo(attempt.get("processed").asInt()).isGreaterThanOrEqualTo(6);

    JsonNode embedded = queueEntry("/big-cpu", "?embed=lastUnusedOffers");
    assertThat(embedded.get("lastUnusedOffers")).hasSize(3).allSatisfy(u -> {
      assertThat(u.get("reason").toString()).contains("InsufficientCpus");
      assertThat(u.get("offer").get("agentId").asText()).isNotBlank();
      assertThat(u.get("offer").get("resources").get(0).get("name").asText()).isEqualTo("cpus");
      assertThat(u.get("offer").get("resources").get(0).get("scalar").asDouble()).isLessThan(3);
    });
    assertThat(marathon.get("/v2/deployments").json().toString()).contains(deployment);
    assertThat(marathon.delete("/v2/apps/big-cpu?force=true").code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> queueEntry("/big-cpu", "") == null);
  }

  @Test
  void memoryConstraintsAndTakenHostPortsAreReasonsToo() {
    marathon.put("/v2/apps/big-mem", "{\"cmd\": \"sleep 1000\", \"cpus\": 0.01, \"mem\": 4096}");
    marathon.put("/v2/apps/nowhere", "{\"cmd\": \"sleep 1000\", \"cpus\": 0.01, \"mem\": 16, "
        + "\"constraints\": [[\"hostname\", \"CLUSTER\", \"node9\"]]}");
    marathon.put("/v2/apps/fixed-port", "{\"cpus\": 0.01, \"mem\": 16, \"instances\": 4, \"container\": {\"type\": "
        + "\"DOCKER\", \"docker\": {\"image\": \"node1:5000/nginx:1.0\", \"network\": \"BRIDGE\", \"portMappings\": "
        + "[{\"containerPort\": 80, \"hostPort\": 31777}]}}}");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<JsonNode> es = new ArrayList<>();
      for (String id : List.of("/big-mem", "/nowhere", "/fixed-port")) {
        JsonNode e = queueEntry(id, "");
        if (e == null || e.get("processedOffersSummary").get("processedOffersCount").asInt() < 3) {
          return false;
        }
        es.add(e);
      }
      // the first round's offers all go to fixed-port's first three tasks; the ports are refused from the next one on
      return step(queueEntry("/fixed-port", "").get("processedOffersSummary"), "rejectSummaryLaunchAttempt",
          "InsufficientPorts").get("declined").asInt() >= 3;
    });
    assertThat(step(queueEntry("/big-mem", "").get("processedOffersSummary"), "rejectSummaryLastOffers",
        "InsufficientMemory").get("declined").asInt()).isEqualTo(3);
    assertThat(step(queueEntry("/nowhere", "").get("processedOffersSummary"), "rejectSummaryLastOffers",
        "UnfulfilledConstraint").get("declined").asInt()).isEqualTo(3);
    JsonNode ports = queueEntry("/fixed-port", "");
    assertThat(ports.get("count").asInt()).isEqualTo(1);
    assertThat(step(ports.get("processedOffersSummary"), "rejectSummaryLaunchAttempt", "InsufficientPorts")
        .get("declined").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(ports.get("processedOffersSummary").get("lastUsedOfferAt").asText()).endsWith("Z");
    assertThat(marathon.get("/v2/apps/fixed-port/tasks").json().get("tasks")).hasSize(3)
        .allSatisfy(t -> assertThat(t.get("ports").get(0).asInt()).isEqualTo(31777));

    marathon.put("/v2/apps/fixed-port?force=true", "{\"instances\": 3}");
    await().atMost(Duration.ofSeconds(30)).until(() -> queueEntry("/fixed-port", "") == null
        && marathon.get("/v2/apps/fixed-port").json().get("app").get("deployments").isEmpty());
    for (String id : List.of("/big-mem", "/nowhere", "/fixed-port")) {
      marathon.delete("/v2/apps" + id + "?force=true");
    }
  }

  @Test
  void aCrashingAppIsBackedOffAndDeletingTheDelayLaunchesAtOnce() {
    marathon.post("/_sim/images/failing", "{\"image\": \"node1:5000/crash:1\"}");
    marathon.put("/v2/apps/crashy", "{\"cpus\": 0.01, \"mem\": 16, \"backoffSeconds\": 600, \"container\": "
        + "{\"type\": \"DOCKER\", \"docker\": {\"image\": \"node1:5000/crash:1\"}}}");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode e = queueEntry("/crashy", "");
      return e != null && !e.get("delay").get("overdue").asBoolean();
    });
    JsonNode delay = queueEntry("/crashy", "").get("delay");
    assertThat(delay.get("timeLeftSeconds").asLong()).isBetween(1L, 600L);

    JsonNode app = marathon.get("/v2/apps?embed=apps.lastTaskFailure&id=crashy").json().get("apps").get(0);
    JsonNode failure = app.get("lastTaskFailure");
    assertThat(failure.get("state").asText()).isEqualTo("TASK_FAILED");
    assertThat(failure.get("message").asText()).isEqualTo("Container exited with status 1");
    assertThat(failure.get("appId").asText()).isEqualTo("/crashy");
    assertThat(failure.get("taskId").asText()).startsWith("crashy.");
    assertThat(failure.get("version").asText()).isEqualTo(app.get("version").asText());
    assertThat(marathon.get("/v2/apps").json().get("apps").get(0).has("lastTaskFailure")).isFalse();
    assertThat(marathon.get("/v2/apps/crashy").json().get("app").get("lastTaskFailure").get("taskId").asText())
        .isEqualTo(failure.get("taskId").asText());

    SimClient.Answer reset = marathon.delete("/v2/queue/crashy/delay");
    assertThat(reset.code()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(30)).until(() ->
        marathon.get("/v2/apps/crashy").json().get("app").get("tasks").size() == 1);
    marathon.delete("/v2/apps/crashy?force=true");

    SimClient.Answer notQueued = marathon.delete("/v2/queue/nginx/delay");
    assertThat(notQueued.code()).isEqualTo(404);
    assertThat(notQueued.json().get("message").asText()).isEqualTo("Application /nginx not found in tasks queue.");
  }

  @Test
  void tasksCarryTheirHealthCheckResults() {
    JsonNode tasks = marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks");
    assertThat(tasks).isNotEmpty().allSatisfy(t -> {
      JsonNode r = t.get("healthCheckResults").get(0);
      assertThat(r.get("alive").asBoolean()).isTrue();
      assertThat(r.get("consecutiveFailures").asInt()).isZero();
      assertThat(r.get("taskId").asText()).isEqualTo(t.get("id").asText());
      assertThat(r.get("lastSuccess").asText()).endsWith("Z");
      assertThat(r.get("lastFailure").isNull()).isTrue();
    });
  }
}
