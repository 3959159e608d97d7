package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Mesos master's endpoints in 1.x shape, and an agent that goes away: inactive, then unreachable and gone. */
class MesosSimTest {
  @TempDir
  Path home;
  Sim sim;
  SimClient marathon;
  SimClient mesos;

  @BeforeEach
  void start() {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false));
    marathon = new SimClient(sim.endpoints().marathonUrl());
    mesos = new SimClient(sim.endpoints().mesosUrl());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  static JsonNode agent(JsonNode slaves, String hostname) {
    for (JsonNode a : slaves) {
      if (a.get("hostname").asText().equals(hostname)) {
        return a;
      }
    }
    return null;
  }

  @Test
  void everyEndpointAnswersInMesosShapeUnderBothPaths() throws java.io.IOException {
    JsonNode slaves = mesos.get("/master/slaves").json();
    assertThat(slaves.get("slaves")).hasSize(3);
    assertThat(slaves.get("recovered_slaves")).isEmpty();
    assertThat(mesos.get("/slaves").json().get("slaves").findValuesAsText("id"))
        .isEqualTo(slaves.get("slaves").findValuesAsText("id"));
    assertThat(mesos.get("/slaves").json().get("slaves").get(0).get("registered_time"))
        .isEqualTo(slaves.get("slaves").get(0).get("registered_time"));
    JsonNode node2 = agent(slaves.get("slaves"), "node2");
    assertThat(node2.get("active").asBoolean()).isTrue();
    assertThat(node2.get("resources").get("cpus").asDouble()).isEqualTo(2.0);
    assertThat(node2.get("used_resources").get("mem").asDouble()).isGreaterThanOrEqualTo(512.0); // mongo runs there
    assertThat(node2.get("offered_resources").get("cpus").asDouble()).isZero();
    assertThat(node2.has("unreserved_resources") && node2.has("reserved_resources")).isTrue();

    JsonNode frameworks = mesos.get("/master/frameworks").json().get("frameworks");
    assertThat(frameworks).hasSize(1);
    assertThat(frameworks.get(0).get("name").asText()).isEqualTo("marathon");
    assertThat(frameworks.get(0).get("id").asText()).isEqualTo(marathon.get("/v2/info").json().get("frameworkId").asText());
    assertThat(frameworks.get(0).get("tasks")).hasSize(4);

    JsonNode tasks = mesos.get("/master/tasks?limit=2&order=asc").json().get("tasks");
    assertThat(tasks).hasSize(2);
    String one = tasks.get(0).get("id").asText();
    assertThat(mesos.get("/tasks?task_id=" + one).json().get("tasks")).hasSize(1);

    JsonNode summary = mesos.get("/state-summary").json();
    assertThat(summary.get("slaves")).hasSize(3);
    assertThat(summary.get("frameworks").get(0).get("TASK_RUNNING").asInt()).isEqualTo(4);
    assertThat(agent(summary.get("slaves"), "node2").get("framework_ids").get(0).asText())
        .isEqualTo(frameworks.get(0).get("id").asText());
    assertThat(mesos.get("/master/state-summary").code()).isEqualTo(200);

    JsonNode state = mesos.get("/master/state").json();
    assertThat(state.get("activated_slaves").asInt()).isEqualTo(3);
    assertThat(state.get("unreachable_slaves").asInt()).isZero();
    assertThat(state.get("leader_info").get("hostname").asText()).isEqualTo("node1");
    okhttp3.OkHttpClient noFollow = mesos.http.newBuilder().followRedirects(false).build();
    try (okhttp3.Response redirect = noFollow.newCall(new okhttp3.Request.Builder()
        .url(mesos.base + "/master/redirect").build()).execute()) {
      assertThat(redirect.code()).isEqualTo(307);
      assertThat("http:" + redirect.header("Location")).isEqualTo(mesos.base);
    }
    assertThat(mesos.get("/health").code()).isEqualTo(200);
    assertThat(mesos.get("/master/health").code()).isEqualTo(200);
  }

  @Test
  void anAppWaitingForOffersHasTheAgentsResourcesOffered() {
    marathon.put("/v2/apps/greedy", "{\"cmd\": \"sleep 1000\", \"cpus\": 5, \"mem\": 16}");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        agent(mesos.get("/master/slaves").json().get("slaves"), "node3").get("offered_resources").get("cpus").asDouble() > 0);
    marathon.delete("/v2/apps/greedy?force=true");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        agent(mesos.get("/master/slaves").json().get("slaves"), "node3").get("offered_resources").get("cpus").asDouble() == 0);
  }

  @Test
  void anAgentThatGoesAwayTurnsInactiveThenUnreachableAndComesBack() {
    marathon.post("/_sim/agents/node3/down", "{}");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode node3 = agent(mesos.get("/master/slaves").json().get("slaves"), "node3");
      return node3 != null && !node3.get("active").asBoolean();
    });
    JsonNode metrics = mesos.get("/metrics/snapshot").json();
    assertThat(metrics.get("master/slaves_active").asDouble()).isEqualTo(2.0);
    assertThat(metrics.get("master/slaves_disconnected").asDouble()).isEqualTo(1.0);
    assertThat(mesos.get("/master/state").json().get("deactivated_slaves").asInt()).isEqualTo(1);

    marathon.post("/_sim/time/advance", "{\"seconds\": 80}");
    JsonNode state = mesos.get("/master/state").json();
    assertThat(agent(state.get("slaves"), "node3")).isNull();
    assertThat(state.get("unreachable_slaves").asInt()).isEqualTo(1);
    assertThat(mesos.get("/metrics/snapshot").json().get("master/slaves_unreachable").asDouble()).isEqualTo(1.0);
    assertThat(mesos.get("/state-summary").json().get("slaves")).hasSize(2);

    marathon.post("/_sim/agents/node3/up", "{}");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode node3 = agent(mesos.get("/master/slaves").json().get("slaves"), "node3");
      return node3 != null && node3.get("active").asBoolean();
    });
    assertThat(mesos.get("/master/state").json().get("unreachable_slaves").asInt()).isZero();
  }
}
