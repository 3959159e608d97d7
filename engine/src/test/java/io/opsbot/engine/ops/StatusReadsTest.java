package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbot.engine.Report;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a status costs the cluster, counted by the emulated cluster itself ({@code GET /_sim/requests}): each of
 * Flocker's lists is read once per answer, however many datasets it shows (it was read again for every dataset).
 */
class StatusReadsTest {

    @TempDir
    Path home;

    @Test
    void statusReadsEachOfFlockersListsOnceWhateverTheNumberOfDatasets() throws Exception {
        try (SimCluster cluster = new SimCluster(home)) {
            String node2 = cluster.clients.flocker().nodes().stream().filter(n -> "192.168.50.12".equals(n.host()))
                    .findFirst().orElseThrow().uuid();
            for (int i = 1; i <= 4; i++) {
                cluster.clients.flocker().createDataset(node2, 1L << 30, Map.of("name", "extra" + i));
            }

            long before = flockerGets(cluster);
            Report status = cluster.ops.status(null);
            long reads = flockerGets(cluster) - before;

            assertThat(status.toString()).contains("Flocker dataset mongo", "Flocker dataset extra4");
            assertThat(reads).as("configuration, state and nodes, each once, for 5 datasets").isEqualTo(3);

            before = flockerGets(cluster);
            Report one = cluster.ops.status("mongo");
            assertThat(one.toString()).contains("Flocker dataset mongo");
            assertThat(flockerGets(cluster) - before).as("one app's status: the same three reads at most").isLessThanOrEqualTo(3);
        }
    }

    private static long flockerGets(SimCluster cluster) throws Exception {
        try (Response r = new OkHttpClient().newCall(new Request.Builder()
                .url(cluster.sim.endpoints().marathonUrl() + "/_sim/requests").build()).execute()) {
            JsonNode json = new ObjectMapper().readTree(r.body().string());
            return json.at("/byService/flocker/GET").asLong();
        }
    }
}
