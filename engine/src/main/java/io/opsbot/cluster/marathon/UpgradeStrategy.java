package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.decimal;

import com.fasterxml.jackson.databind.JsonNode;

/** How Marathon replaces tasks during a deployment. */
public record UpgradeStrategy(double minimumHealthCapacity, double maximumOverCapacity) {

    public static final UpgradeStrategy DEFAULT = new UpgradeStrategy(1.0, 1.0);

    static UpgradeStrategy parse(JsonNode app) {
        JsonNode node = at(app, "upgradeStrategy");
        if (!node.isObject()) {
            return DEFAULT;
        }
        return new UpgradeStrategy(decimal(node, "minimumHealthCapacity", 1.0), decimal(node, "maximumOverCapacity", 1.0));
    }
}
