package io.opsbot.cluster.flocker;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;

/**
 * A dataset as it actually is: {@code primary} and {@code path} are null while it is not attached anywhere
 * (for instance in the middle of a move). A move is done when this state, not the configuration, shows the
 * new primary.
 */
public record DatasetState(String datasetId, String primary, String path, Long maximumSize) {

    static DatasetState parse(JsonNode node) {
        return new DatasetState(text(node, "dataset_id"), text(node, "primary"), text(node, "path"),
                Json.optionalLong(node, "maximum_size"));
    }
}
