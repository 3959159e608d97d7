package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.integer;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;

/** A health check of an app definition; absent numbers take Marathon's defaults. */
public record HealthCheck(String protocol, String path, int portIndex, int gracePeriodSeconds, int intervalSeconds,
                          int timeoutSeconds, int maxConsecutiveFailures) {

    static HealthCheck parse(JsonNode node) {
        return new HealthCheck(text(node, "protocol", "HTTP"), text(node, "path"), integer(node, "portIndex", 0),
                integer(node, "gracePeriodSeconds", 300), integer(node, "intervalSeconds", 60),
                integer(node, "timeoutSeconds", 20), integer(node, "maxConsecutiveFailures", 3));
    }
}
