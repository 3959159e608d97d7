package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedSimTest {
  @TempDir
  Path home;

  @Test
  void seedAddsRunningAppsOverNewAgentsAndRefusesTooMuch() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      int appsBefore = marathon.get("/v2/apps").json().get("apps").size();
      int agentsBefore = new SimClient(sim.endpoints().mesosUrl()).get("/master/state").json().get("slaves").size();

      SimClient.Answer seeded = marathon.post("/_sim/seed", "{\"agents\": 20, \"apps\": 50}");
      assertThat(seeded.code()).isEqualTo(200);
      assertThat(seeded.json().get("tasks").asInt()).isEqualTo(100);

      JsonNode apps = marathon.get("/v2/apps").json().get("apps");
      assertThat(apps.size()).isEqualTo(appsBefore + 50);
      JsonNode one = marathon.get("/v2/apps/scale/team07/app0007").json().get("app");
      assertThat(one.get("tasksRunning").asInt()).isEqualTo(2);
      assertThat(one.get("tasksHealthy").asInt()).isEqualTo(2);
      assertThat(marathon.get("/v2/deployments").json().size()).as("created running, no deployment").isZero();
      JsonNode slaves = new SimClient(sim.endpoints().mesosUrl()).get("/master/state").json().get("slaves");
      assertThat(slaves.size()).isEqualTo(agentsBefore + 20);
      assertThat(slaves.toString()).contains("scale-agent0020");

      SimClient.Answer tooMany = marathon.post("/_sim/seed", "{\"agents\": 1, \"apps\": 5001}");
      assertThat(tooMany.code()).isEqualTo(422);
      assertThat(tooMany.text()).contains("apps must be between 0 and 5000");
      assertThat(marathon.post("/_sim/seed", "{\"agents\": 1001, \"apps\": 1}").text())
          .contains("agents must be between 1 and 1000");
      assertThat(marathon.post("/_sim/agents/scale-agent0003/down", "").code()).isEqualTo(200);
    }
    try (Sim again = Sim.start(new SimOptions(home, 0, null, 100, false))) {
      JsonNode slaves = new SimClient(again.endpoints().mesosUrl()).get("/master/state").json().get("slaves");
      assertThat(slaves.toString()).as("seeded agents survive a restart").contains("scale-agent0020");
      assertThat(new SimClient(again.endpoints().marathonUrl()).get("/v2/apps/scale/team10/app0050").code()).isEqualTo(200);
    }
  }

  @Test
  void seedMakesAsManyInstancesAsAskedAndRefusesTooMany() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      SimClient.Answer seeded = marathon.post("/_sim/seed", "{\"agents\": 10, \"apps\": 20, \"instances\": 10}");
      assertThat(seeded.code()).as(seeded.text()).isEqualTo(200);
      assertThat(seeded.json().get("tasks").asInt()).isEqualTo(200);
      JsonNode one = marathon.get("/v2/apps/scale/team03/app0003").json().get("app");
      assertThat(one.get("instances").asInt()).isEqualTo(10);
      assertThat(one.get("tasksHealthy").asInt()).isEqualTo(10);
      SimClient.Answer tooMany = marathon.post("/_sim/seed", "{\"agents\": 1, \"apps\": 1, \"instances\": 51}");
      assertThat(tooMany.code()).isEqualTo(422);
      assertThat(tooMany.text()).contains("instances must be between 1 and 50");
    }
  }
}
