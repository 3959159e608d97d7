package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /_sim/faults: each kind of fault, its phases, and the counts GET /_sim/faults keeps of those that fired. */
class FaultInjectionSimTest {
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

  @BeforeEach
  void reset() {
    marathon.post("/_sim/reset", "");
  }

  private static long injected() {
    return marathon.get("/_sim/faults").json().get("total").asLong();
  }

  private static long writes() {
    return marathon.get("/_sim/writes").json().get("total").asLong();
  }

  private static int instances(String app) {
    return marathon.get("/v2/apps/" + app).json().get("app").get("instances").asInt();
  }

  @Test
  void aDroppedRequestIsNeverHandledAndTheClientSeesTheConnectionClose() throws IOException {
    long before = injected();
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"PUT\",\"pathPrefix\":\"/v2/apps/nginx\",\"kind\":\"drop\"}");
    // OkHttp's own silent repeat of a request on a closed connection would hide the drop
    OkHttpClient once = marathon.http.newBuilder().retryOnConnectionFailure(false).build();
    okhttp3.Request put = new okhttp3.Request.Builder().url(sim.endpoints().marathonUrl() + "/v2/apps/nginx")
        .put(okhttp3.RequestBody.create("{\"instances\": 2}", SimClient.JSON)).build();

    assertThatThrownBy(() -> once.newCall(put).execute().close()).isInstanceOf(IOException.class);

    assertThat(instances("nginx")).isEqualTo(1);
    assertThat(injected()).isEqualTo(before + 1);
    assertThat(marathon.put("/v2/apps/nginx", "{\"instances\": 2}").code()).isEqualTo(200);
  }

  @Test
  void aLostAnswerKeepsTheWriteButAnswersTheStatus() {
    long writes = writes();
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"PUT\",\"kind\":\"lose-answer\"}");

    SimClient.Answer answer = marathon.put("/v2/apps/nginx", "{\"instances\": 2}");

    assertThat(answer.code()).isEqualTo(503);
    assertThat(instances("nginx")).isEqualTo(2);
    assertThat(writes()).isEqualTo(writes + 1);
  }

  @Test
  void aHangHoldsTheRequestThenClosesWithoutHandlingIt() {
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"PUT\",\"kind\":\"hang\",\"hangMillis\":3000}");
    OkHttpClient shortRead = marathon.http.newBuilder().readTimeout(Duration.ofMillis(300)).build();
    okhttp3.Request put = new okhttp3.Request.Builder().url(sim.endpoints().marathonUrl() + "/v2/apps/nginx")
        .put(okhttp3.RequestBody.create("{\"instances\": 3}", SimClient.JSON)).build();

    assertThatThrownBy(() -> shortRead.newCall(put).execute().close()).isInstanceOf(java.net.SocketTimeoutException.class);

    assertThat(instances("nginx")).isEqualTo(1);
  }

  @Test
  void phasesSeparateThePlanningReadsTheWriteAndTheWatchingReads() {
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"GET\",\"pathPrefix\":\"/v2/apps\",\"status\":503,\"count\":100,\"phase\":\"verify\"}");
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"method\":\"GET\",\"pathPrefix\":\"/v2/deployments\",\"status\":502,\"count\":100,\"phase\":\"plan\"}");

    // before any write: reads of apps pass, reads of deployments fail
    assertThat(marathon.get("/v2/apps/nginx").code()).isEqualTo(200);
    assertThat(marathon.get("/v2/deployments").code()).isEqualTo(502);
    assertThat(marathon.put("/v2/apps/nginx", "{\"instances\": 2}").code()).isEqualTo(200);
    // after it: the other way round
    assertThat(marathon.get("/v2/apps/nginx").code()).isEqualTo(503);
    assertThat(marathon.get("/v2/deployments").code()).isEqualTo(200);

    marathon.delete("/_sim/faults");
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"status\":500,\"phase\":\"apply\",\"count\":1}");
    assertThat(marathon.get("/v2/apps/nginx").code()).isEqualTo(200);
    assertThat(marathon.put("/v2/apps/nginx?force=true", "{\"instances\": 1}").code()).isEqualTo(500);
    assertThat(marathon.put("/v2/apps/nginx?force=true", "{\"instances\": 1}").code()).isEqualTo(200);
  }

  @Test
  void aPathPatternNarrowsTheFaultAndTheListingShowsArmedFaultsAndCounts() {
    marathon.post("/_sim/faults", "{\"service\":\"marathon\",\"pathPattern\":\"^/v2/apps/nodeapp$\",\"status\":503,\"count\":2}");

    assertThat(marathon.get("/v2/apps/nginx").code()).isEqualTo(200);
    assertThat(marathon.get("/v2/apps/nodeapp/versions").code()).isEqualTo(200);
    assertThat(marathon.get("/v2/apps/nodeapp").code()).isEqualTo(503);

    JsonNode listing = marathon.get("/_sim/faults").json();
    assertThat(listing.get("armed")).hasSize(1);
    assertThat(listing.get("armed").get(0).get("remaining").asInt()).isEqualTo(1);
    assertThat(listing.get("armed").get(0).get("kind").asText()).isEqualTo("status");
    assertThat(listing.get("injected").get("marathon").get("status").asLong()).isPositive();
  }

  @Test
  void badFaultsAreRefusedWithTheReason() {
    assertThat(marathon.post("/_sim/faults", "{\"kind\":\"explode\"}").text()).contains("kind must be one of");
    assertThat(marathon.post("/_sim/faults", "{\"service\":\"zookeeper\",\"status\":503}").text())
        .contains("service must be one of");
    assertThat(marathon.post("/_sim/faults", "{\"kind\":\"status\"}").text()).contains("needs a status");
    assertThat(marathon.post("/_sim/faults", "{\"status\":503,\"phase\":\"later\"}").code()).isEqualTo(422);
    assertThat(marathon.post("/_sim/faults", "{\"kind\":\"refuse-login\"}").text()).contains("for service ssh");
    assertThat(marathon.post("/_sim/faults", "{\"status\":503,\"pathPattern\":\"([\"}").text()).contains("pathPattern");
    assertThat(marathon.get("/_sim/faults").json().get("armed")).isEmpty();
  }

  @Test
  void sshRefusesTheLoginsItIsToldToOnTheNodeItIsToldTo() throws IOException {
    long before = injected();
    marathon.post("/_sim/faults", "{\"service\":\"ssh\",\"node\":\"node2\",\"kind\":\"refuse-login\",\"count\":1}");

    login("node1");
    assertThatThrownBy(() -> login("node2")).isInstanceOf(UserAuthException.class);
    login("node2");

    assertThat(injected()).isEqualTo(before + 1);
    marathon.post("/_sim/faults", "{\"service\":\"ssh\",\"kind\":\"drop\"}");
    // sshj reports a connection closed during the login as an auth failure caused by the broken transport
    assertThatThrownBy(() -> login("node3")).isInstanceOf(IOException.class)
        .hasRootCauseInstanceOf(net.schmizz.sshj.transport.TransportException.class);
  }

  @Test
  void aDroppedEventStreamIsCountedWhenItCloses() {
    long before = injected();
    marathon.post("/_sim/faults", "{\"kind\":\"drop-stream\",\"count\":1}");
    // no stream was open: the next one to attach is closed right after, and counted then
    assertThat(injected()).isEqualTo(before);
    okhttp3.Request events = new okhttp3.Request.Builder().url(sim.endpoints().marathonUrl() + "/v2/events")
        .header("Accept", "text/event-stream").build();
    try (okhttp3.Response r = marathon.http.newCall(events).execute()) {
      assertThat(r.body().string()).contains("event_stream_attached");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(injected()).isEqualTo(before + 1);
  }

  private static void login(String node) throws IOException {
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(new PromiscuousVerifier());
      ssh.connect("127.0.0.1", sim.endpoints().sshPorts().get(node));
      ssh.authPublickey(sim.endpoints().sshUser(), ssh.loadKeys(sim.endpoints().sshKey().toString()));
    }
  }
}
