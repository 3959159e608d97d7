package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.sim.registry.RegistryApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkAndRegistrySimTest {
  @TempDir
  static Path home;
  static Sim sim;

  @BeforeAll
  static void start() {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static Set<String> nodeappAddresses(SimClient weave) {
    Set<String> out = new HashSet<>();
    for (JsonNode e : weave.get("/name").json()) {
      if (e.get("Hostname").asText().equals("nodeapp.weave.local.")) {
        out.add(e.get("Address").asText());
      }
    }
    return out;
  }

  @Test
  void weaveDnsFollowsTheRunningTasksOfAnApp() {
    SimClient weave = new SimClient(sim.endpoints().weaveUrls().get("node2"));
    SimClient marathon = new SimClient(sim.endpoints().marathonUrl());
    assertThat(nodeappAddresses(weave)).hasSize(2);
    JsonNode report = weave.get("/report").json();
    assertThat(report.get("Ready").asBoolean()).isTrue();
    assertThat(report.get("DNS").get("Domain").asText()).isEqualTo("weave.local.");
    assertThat(report.get("Router").get("Peers")).hasSize(3);
    assertThat(weave.get("/status").text()).contains("Service: router").contains("Peers: 3");
    marathon.put("/v2/apps/nodeapp", "{\"instances\": 3}");
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeappAddresses(weave).size() == 3);
    assertThat(weave.get("/status/dns").text()).contains("nodeapp");
    marathon.put("/v2/apps/nodeapp?force=true", "{\"instances\": 2}");
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeappAddresses(weave).size() == 2);
  }

  @Test
  void registryHasTheTopologyImagesAndAcceptsAPush() {
    SimClient registry = new SimClient(sim.endpoints().registryUrl());
    SimClient.Answer root = registry.get("/v2/");
    assertThat(root.headers().get("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    assertThat(registry.get("/v2/_catalog").json().get("repositories").toString()).contains("nginx", "nodeapp", "mongo");
    assertThat(registry.get("/v2/nodeapp/tags/list").json().get("tags").toString()).contains("1.0");
    SimClient.Answer unknown = registry.get("/v2/nodeapp/manifests/9.9");
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.json().get("errors").get(0).get("code").asText()).isEqualTo("MANIFEST_UNKNOWN");

    byte[] layer = "layer bytes of a pushed image".getBytes(StandardCharsets.UTF_8);
    String layerDigest = RegistryApi.digest(layer);
    SimClient.Answer started = registry.post("/v2/team/nodeapp/blobs/uploads/", "");
    assertThat(started.code()).isEqualTo(202);
    String location = started.headers().get("Location");
    SimClient.Answer patched = registry.call(new Request.Builder().url(registry.base + location)
        .patch(RequestBody.create(layer, MediaType.get("application/octet-stream"))).build());
    assertThat(patched.code()).isEqualTo(202);
    SimClient.Answer done = registry.call(new Request.Builder().url(registry.base + location + "?digest=" + layerDigest)
        .put(RequestBody.create(new byte[0])).build());
    assertThat(done.code()).isEqualTo(201);
    assertThat(registry.call(new Request.Builder().url(registry.base + "/v2/team/nodeapp/blobs/" + layerDigest).head().build()).code())
        .isEqualTo(200);

    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":" + layer.length
        + ",\"digest\":\"" + layerDigest + "\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
        + "\"size\":" + layer.length + ",\"digest\":\"" + layerDigest + "\"}]}";
    SimClient.Answer put = registry.call(new Request.Builder().url(registry.base + "/v2/team/nodeapp/manifests/2.0")
        .put(RequestBody.create(manifest, MediaType.get("application/vnd.docker.distribution.manifest.v2+json"))).build());
    assertThat(put.code()).isEqualTo(201);
    String expected = RegistryApi.digest(manifest.getBytes(StandardCharsets.UTF_8));
    assertThat(put.headers().get("Docker-Content-Digest")).isEqualTo(expected);
    SimClient.Answer head = registry.call(new Request.Builder().url(registry.base + "/v2/team/nodeapp/manifests/2.0")
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json").head().build());
    assertThat(head.code()).isEqualTo(200);
    assertThat(head.headers().get("Docker-Content-Digest")).isEqualTo(expected);
    assertThat(head.headers().get("X-Opsbot-Sim")).isEqualTo("emulated");
  }
}
