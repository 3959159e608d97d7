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
  void simulatedTimeRunsFastOnlyWhileTheClusterChangesAndOtherwiseKeepsToTheWallClock() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 50, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      // at rest: simulated time is real time, whatever the scale
      long restStart = sim.clock().millis();
      long wallStart = System.currentTimeMillis();
      sleep(1_000);
      long restDrift = sim.clock().millis() - System.currentTimeMillis();
      assertThat(sim.clock().millis() - restStart).isLessThan(System.currentTimeMillis() - wallStart + 1_000);
      assertThat(Math.abs(restDrift)).isLessThan(1_000);

      // a deployment runs at 50x: it is over in well under its simulated duration
      String deploymentId = marathon.put("/v2/apps/nodeapp", "{\"instances\": 3}").json().get("deploymentId").asText();
      long deployStart = sim.clock().millis();
      await().atMost(Duration.ofSeconds(10)).until(() -> !marathon.get("/v2/deployments").text().contains(deploymentId));
      long simulated = sim.clock().millis() - deployStart;
      assertThat(simulated).as("simulated milliseconds the deployment took").isGreaterThan(2_000);

      // at rest again, ahead of the wall clock: it waits for the wall clock (which it then follows, as above)
      await().atMost(Duration.ofSeconds(10)).until(() -> marathon.get("/v2/apps/nodeapp").json().get("app").get("tasksHealthy").asInt() == 3);
      long aheadAtRest = sim.clock().millis();
      assertThat(aheadAtRest).isGreaterThan(System.currentTimeMillis() + 2_000);
      sleep(500);
      assertThat(sim.clock().millis()).isEqualTo(aheadAtRest);
    }
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
