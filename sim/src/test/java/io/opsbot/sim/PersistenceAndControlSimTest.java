package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceAndControlSimTest {
  @TempDir
  Path home;

  @Test
  void stateSurvivesARestartAndAnInFlightDeploymentFinishesAfterIt() throws Exception {
    String version;
    String deploymentId;
    try (Sim first = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 1, false))) {
      SimClient marathon = new SimClient(first.endpoints().marathonUrl());
      SimClient.Answer put = marathon.put("/v2/apps/nodeapp", "{\"instances\": 3}");
      version = put.json().get("version").asText();
      deploymentId = put.json().get("deploymentId").asText();
      assertThat(marathon.get("/v2/deployments").text()).contains(deploymentId);
    }
    assertThat(Files.readString(home.resolve("state.json"))).contains(deploymentId);
    try (Sim second = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(second.endpoints().marathonUrl());
      JsonNode app = marathon.get("/v2/apps/nodeapp").json().get("app");
      assertThat(app.get("instances").asInt()).isEqualTo(3);
      assertThat(marathon.get("/v2/apps/nodeapp/versions").json().get("versions").get(0).asText()).isEqualTo(version);
      await().atMost(Duration.ofSeconds(10)).until(() -> marathon.get("/v2/deployments").json().isEmpty());
      assertThat(marathon.get("/v2/apps/nodeapp").json().get("app").get("tasksHealthy").asInt()).isEqualTo(3);
    }
    try (Sim third = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, true))) {
      SimClient marathon = new SimClient(third.endpoints().marathonUrl());
      assertThat(marathon.get("/v2/apps/nodeapp").json().get("app").get("instances").asInt()).isEqualTo(2);
    }
  }

  @Test
  void timestampsAreNeverAheadOfTheWallClockNorGoBackAcrossARestartWhileChangesStillRunFast() {
    long latestShown;
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 50, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      // at 50x nodeapp's staging and 30 s health check grace take well under a second each
      SimClient.Answer put = marathon.put("/v2/apps/nodeapp", "{\"instances\": 3}");
      String deploymentId = put.json().get("deploymentId").asText();
      await().atMost(Duration.ofSeconds(20)).until(() -> !marathon.get("/v2/deployments").text().contains(deploymentId)
          && marathon.get("/v2/apps/nodeapp").json().get("app").get("tasksHealthy").asInt() == 3);

      long wall = System.currentTimeMillis();
      assertThat(sim.clock().millis()).as("the emulated clock").isLessThanOrEqualTo(wall);
      java.util.List<Long> shown = new java.util.ArrayList<>();
      marathon.get("/v2/apps/nodeapp/versions").json().get("versions").forEach(v -> shown.add(millis(v.asText())));
      marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks").forEach(t -> {
        shown.add(millis(t.get("stagedAt").asText()));
        shown.add(millis(t.get("startedAt").asText()));
      });
      assertThat(shown).hasSizeGreaterThan(6).allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(wall));
      assertThat(millis(put.json().get("version").asText())).isLessThanOrEqualTo(wall);
      latestShown = Math.max(shown.stream().mapToLong(Long::longValue).max().orElseThrow(), sim.clock().millis());
    }
    try (Sim again = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 50, false))) {
      assertThat(again.clock().millis()).as("after a restart").isGreaterThanOrEqualTo(latestShown)
          .isLessThanOrEqualTo(System.currentTimeMillis());
    }
  }

  private static long millis(String iso) {
    return java.time.Instant.parse(iso).toEpochMilli();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void injectedFaultsAnswerTheGivenStatusThenStop() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"PUT\",\"pathPrefix\":\"/v2/apps\",\"count\":2,\"status\":503}");
      assertThat(marathon.put("/v2/apps/nginx", "{\"instances\": 1}").code()).isEqualTo(503);
      assertThat(marathon.get("/v2/apps/nginx").code()).isEqualTo(200);
      assertThat(marathon.put("/v2/apps/nginx", "{\"instances\": 1}").code()).isEqualTo(503);
      assertThat(marathon.put("/v2/apps/nginx", "{\"instances\": 1}").code()).isEqualTo(200);
      JsonNode endpoints = marathon.get("/_sim/endpoints").json();
      assertThat(endpoints.get("flockerCa").asText()).endsWith("cluster.crt");
      assertThat(endpoints.get("sshPorts").size()).isEqualTo(3);
      assertThat(sim.describe()).contains("marathon", "flocker", "weave", "ssh");
    }
  }

  @Test
  void agentDownLosesItsTasksWhichAreRescheduledElsewhere() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      JsonNode tasks = marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks");
      String host = tasks.get(0).get("host").asText();
      marathon.post("/_sim/agents/" + host + "/down", "");
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        JsonNode now = marathon.get("/v2/apps/nodeapp").json().get("app");
        return now.get("tasksHealthy").asInt() == 2
            && !now.get("tasks").toString().contains("\"host\":\"" + host + "\"");
      });
      JsonNode mesos = new SimClient(sim.endpoints().mesosUrl()).get("/master/state").json();
      assertThat(mesos.get("frameworks").get(0).get("completed_tasks").toString()).contains("TASK_LOST");
      marathon.post("/_sim/agents/" + host + "/up", "");
      String victim = marathon.get("/v2/apps/nodeapp/tasks").json().get("tasks").get(0).get("id").asText();
      assertThat(marathon.post("/_sim/tasks/" + victim + "/kill", "").code()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        JsonNode now = marathon.get("/v2/apps/nodeapp").json().get("app");
        return now.get("tasksHealthy").asInt() == 2 && !now.get("tasks").toString().contains(victim);
      });
    }
  }
}
