package io.opsbot.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.flocker.Dataset;
import io.opsbot.cluster.flocker.DatasetState;
import io.opsbot.cluster.flocker.FlockerNode;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** FlockerClient over TLS with the sim's client certificate, and RegistryClient against the sim's registry. */
class StorageAndRegistryAgainstSimTest extends AgainstSim {

    @Test
    void flockerMoveShowsInTheConfigurationAtOnceAndInTheStateOnlyAfterTheLag() {
        assertThat(h.flocker.version()).isEqualTo("1.15.0");
        Map<String, String> uuidByAddress = h.flocker.nodes().stream()
                .collect(Collectors.toMap(FlockerNode::host, FlockerNode::uuid));
        String node2 = uuidByAddress.get(h.endpoints.nodeAddresses().get("node2"));
        String node3 = uuidByAddress.get(h.endpoints.nodeAddresses().get("node3"));
        assertThat(uuidByAddress).hasSize(3);
        assertThat(node2).isNotNull().isNotEqualTo(node3);
        Dataset mongo = h.flocker.datasets().stream().filter(d -> "mongo".equals(d.metadata().get("name")))
                .findFirst().orElseThrow();
        assertThat(mongo.primary()).isEqualTo(node2);
        assertThat(mongo.deleted()).isFalse();
        assertThat(mongo.maximumSize()).isEqualTo(10L * 1024 * 1024 * 1024);
        assertThat(stateOf(mongo.datasetId()).primary()).isEqualTo(node2);
        assertThat(stateOf(mongo.datasetId()).path()).isEqualTo("/flocker/" + mongo.datasetId());

        // Real time while the move is asked for, so the lag between configuration and state is observable.
        h.timeScale(1);
        Dataset moved = h.flocker.moveDataset(mongo.datasetId(), node3);

        assertThat(moved.primary()).isEqualTo(node3);
        assertThat(h.flocker.datasets()).filteredOn(d -> d.datasetId().equals(mongo.datasetId()))
                .extracting(Dataset::primary).containsExactly(node3);
        assertThat(stateOf(mongo.datasetId()).primary()).as("state lags the configuration").isEqualTo(node2);

        h.timeScale(SimHarness.TIME_SCALE);
        Awaitility.await("mongo's dataset state on node3").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> node3.equals(stateOf(mongo.datasetId()).primary()));
        assertThat(stateOf(mongo.datasetId()).path()).isEqualTo("/flocker/" + mongo.datasetId());
    }

    @Test
    void manifestDigestOfASeededTagIsTheDigestOfItsManifestAndAnAbsentTagHasNone() throws IOException {
        String digest = h.registry.manifestDigest("nodeapp", "1.0").orElseThrow();

        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        try (Response manifest = h.rawGet(h.endpoints.registryUrl() + "/v2/nodeapp/manifests/1.0",
                "application/vnd.docker.distribution.manifest.v2+json")) {
            assertThat(manifest.code()).isEqualTo(200);
            assertThat(sha256(manifest.body().bytes())).isEqualTo(digest);
        }
        assertThat(h.registry.manifestDigest("nodeapp", "9.9.9")).isEmpty();
        assertThat(h.registry.manifestDigest("no-such-repo", "1.0")).isEmpty();
        assertThat(h.registry.ping()).isTrue();
        assertThat(h.registry.catalog()).contains("nginx", "nodeapp", "mongo");
        assertThat(h.registry.tags("nodeapp")).containsExactly("1.0");
        assertThat(h.registry.tags("no-such-repo")).isEmpty();
    }

    private static DatasetState stateOf(String datasetId) {
        List<DatasetState> states = h.flocker.stateDatasets().stream().filter(s -> s.datasetId().equals(datasetId)).toList();
        assertThat(states).hasSize(1);
        return states.get(0);
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
