package io.opsbot.cluster.flocker;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.Map;

/** A dataset as configured (desired state): where it should be primary, its size limit and metadata. */
public record Dataset(String datasetId, String primary, Long maximumSize, boolean deleted, Map<String, String> metadata) {

    static Dataset parse(JsonNode node) {
        return new Dataset(text(node, "dataset_id"), text(node, "primary"), Json.optionalLong(node, "maximum_size"),
                Json.bool(node, "deleted", false), Json.textMap(node, "metadata"));
    }
}
