package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestCountsSimTest {
  @TempDir
  Path home;

  @Test
  void everyApiRequestIsCountedAsAReadOrAWriteButTheControlApiIsNot() {
    try (Sim sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false))) {
      SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
      SimClient mesos = new SimClient(sim.endpoints().mesosUrl());
      JsonNode before = marathon.get("/_sim/requests").json();
      assertThat(before.get("total").asLong()).isZero();

      marathon.get("/v2/apps");
      marathon.get("/v2/apps/nodeapp");
      mesos.get("/master/state");
      assertThat(marathon.post("/v2/apps/nodeapp/restart", "{}").code()).isEqualTo(200);
      assertThat(marathon.post("/v2/apps/nosuchapp/restart", "{}").code()).as("a refused write counts too").isEqualTo(404);

      JsonNode after = marathon.get("/_sim/requests").json();
      assertThat(after.get("reads").asLong()).isEqualTo(3);
      assertThat(after.get("writes").asLong()).isEqualTo(2);
      assertThat(after.get("total").asLong()).isEqualTo(5);
      assertThat(after.at("/byService/marathon/GET").asLong()).isEqualTo(2);
      assertThat(after.at("/byService/marathon/POST").asLong()).isEqualTo(2);
      assertThat(after.at("/byService/mesos/GET").asLong()).isEqualTo(1);
    }
  }
}
