package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlockerSimTest {
  @TempDir
  static Path home;
  static Sim sim;
  static SimClient control;

  @BeforeAll
  static void start() throws IOException {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 1, false));
    SimEndpoints e = sim.endpoints();
    HeldCertificate user = HeldCertificate.decode(Files.readString(e.flockerCert()) + Files.readString(e.flockerKey()));
    HandshakeCertificates tls = new HandshakeCertificates.Builder()
        .addTrustedCertificate(Certificates.decodeCertificatePem(Files.readString(e.flockerCa())))
        .heldCertificate(user).build();
    control = new SimClient(e.marathonUrl());
    clientWith(tls);
  }

  static OkHttpClient withCert;

  static void clientWith(HandshakeCertificates tls) {
    withCert = new OkHttpClient.Builder().sslSocketFactory(tls.sslSocketFactory(), tls.trustManager()).build();
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static SimClient.Answer call(Request r) {
    try (okhttp3.Response resp = withCert.newCall(r).execute()) {
      String text = resp.body().string();
      return new SimClient.Answer(resp.code(), text.isEmpty() ? null : Json.MAPPER.readTree(text), text, resp.headers());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void certificatesAreFlockerShapedPemFiles() throws IOException {
    assertThat(Files.readString(sim.endpoints().flockerKey())).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Certificates.decodeCertificatePem(Files.readString(sim.endpoints().flockerCert()))
        .getSubjectX500Principal().getName()).contains("CN=user-opsbot");
  }

  @Test
  void clientWithoutCertificateIsRejectedAtTheHandshake() throws IOException {
    HandshakeCertificates trustOnly = new HandshakeCertificates.Builder()
        .addTrustedCertificate(Certificates.decodeCertificatePem(Files.readString(sim.endpoints().flockerCa()))).build();
    OkHttpClient noCert = new OkHttpClient.Builder().sslSocketFactory(trustOnly.sslSocketFactory(), trustOnly.trustManager())
        .retryOnConnectionFailure(false).build();
    assertThatThrownBy(() -> {
      try (okhttp3.Response r = noCert.newCall(new Request.Builder().url(sim.endpoints().flockerUrl() + "/v1/version").build()).execute()) {
        r.body().string();
      }
    }).isInstanceOf(IOException.class);
  }

  @Test
  void moveLagsInStateThenLandsOnTheNewPrimary() {
    String base = sim.endpoints().flockerUrl();
    assertThat(call(new Request.Builder().url(base + "/v1/version").build()).json().get("flocker").asText()).isNotBlank();
    JsonNode nodes = call(new Request.Builder().url(base + "/v1/state/nodes").build()).json();
    String node2 = uuidOf(nodes, "192.168.50.12");
    String node3 = uuidOf(nodes, "192.168.50.13");
    SimClient.Answer config = call(new Request.Builder().url(base + "/v1/configuration/datasets").build());
    JsonNode mongo = config.json().get(0);
    assertThat(mongo.get("metadata").get("name").asText()).isEqualTo("mongo");
    assertThat(mongo.get("primary").asText()).isEqualTo(node2);
    assertThat(mongo.get("maximum_size").asLong()).isEqualTo(10L * 1024 * 1024 * 1024);
    String id = mongo.get("dataset_id").asText();
    String tag = config.headers().get("X-Configuration-Tag");

    SimClient.Answer stale = call(new Request.Builder().url(base + "/v1/configuration/datasets/" + id)
        .header("X-If-Configuration-Matches", "stale").post(RequestBody.create("{\"primary\": \"" + node3 + "\"}", SimClient.JSON)).build());
    assertThat(stale.code()).isEqualTo(412);

    SimClient.Answer move = call(new Request.Builder().url(base + "/v1/configuration/datasets/" + id)
        .header("X-If-Configuration-Matches", tag).post(RequestBody.create("{\"primary\": \"" + node3 + "\"}", SimClient.JSON)).build());
    assertThat(move.code()).isEqualTo(200);
    assertThat(move.json().get("primary").asText()).isEqualTo(node3);
    assertThat(statePrimary(base, id)).isEqualTo(node2);
    control.post("/_sim/time/advance", "{\"seconds\": 3}");
    assertThat(statePrimary(base, id)).isNull();
    control.post("/_sim/time/advance", "{\"seconds\": 30}");
    assertThat(statePrimary(base, id)).isEqualTo(node3);

    SimClient.Answer missing = call(new Request.Builder().url(base + "/v1/configuration/datasets/nope")
        .post(RequestBody.create("{\"primary\": \"" + node3 + "\"}", SimClient.JSON)).build());
    assertThat(missing.code()).isEqualTo(404);
  }

  @Test
  void createdDatasetAppearsInStateAfterTheLag() {
    String base = sim.endpoints().flockerUrl();
    String node1 = uuidOf(call(new Request.Builder().url(base + "/v1/state/nodes").build()).json(), "192.168.50.11");
    SimClient.Answer created = call(new Request.Builder().url(base + "/v1/configuration/datasets")
        .post(RequestBody.create("{\"primary\": \"" + node1 + "\", \"maximum_size\": 1073741824, \"metadata\": {\"name\": \"logs\"}}", SimClient.JSON)).build());
    assertThat(created.code()).isEqualTo(201);
    String id = created.json().get("dataset_id").asText();
    assertThat(call(new Request.Builder().url(base + "/v1/state/datasets").build()).text()).doesNotContain(id);
    control.post("/_sim/time/advance", "{\"seconds\": 3}");
    assertThat(statePrimary(base, id)).isEqualTo(node1);
  }

  private static String statePrimary(String base, String id) {
    for (JsonNode d : call(new Request.Builder().url(base + "/v1/state/datasets").build()).json()) {
      if (d.get("dataset_id").asText().equals(id)) {
        return d.has("primary") ? d.get("primary").asText() : null;
      }
    }
    throw new AssertionError("dataset " + id + " not in state");
  }

  private static String uuidOf(JsonNode nodes, String host) {
    for (JsonNode n : nodes) {
      if (n.get("host").asText().equals(host)) {
        return n.get("uuid").asText();
      }
    }
    throw new AssertionError("no node " + host);
  }
}
