package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /_sim/writes: the cluster's own record of every write it accepted, for counting against the bot's journal. */
class WriteLogSimTest {
  @TempDir
  Path home;

  @Test
  void everyMarathonWriteIsListedWithItsVersionAndDeploymentAndAfterNarrowsIt() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 50, true))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      long before = marathon.get("/_sim/writes").json().get("total").asLong();

      JsonNode scale = marathon.put("/v2/apps/nodeapp", "{\"instances\": 3}").json();
      JsonNode restart = marathon.post("/v2/apps/nginx/restart", "{}").json();

      JsonNode log = marathon.get("/_sim/writes?after=" + before).json();
      assertThat(log.get("total").asLong()).isEqualTo(before + 2);
      JsonNode writes = log.get("writes");
      assertThat(writes).hasSize(2);
      assertThat(writes.get(0).get("kind").asText()).isEqualTo("marathon");
      assertThat(writes.get(0).get("target").asText()).isEqualTo("/nodeapp");
      assertThat(writes.get(0).get("version").asText()).isEqualTo(scale.get("version").asText());
      assertThat(writes.get(0).get("deploymentId").asText()).isEqualTo(scale.get("deploymentId").asText());
      assertThat(writes.get(1).get("target").asText()).isEqualTo("/nginx");
      assertThat(writes.get(1).get("steps").asText()).contains("RestartApplication");
      assertThat(writes.get(1).get("deploymentId").asText()).isEqualTo(restart.get("deploymentId").asText());
      assertThat(writes.get(1).get("seq").asLong()).isEqualTo(before + 2);

      assertThat(marathon.get("/_sim/writes?after=x").code()).isEqualTo(400);
    }
  }
}
