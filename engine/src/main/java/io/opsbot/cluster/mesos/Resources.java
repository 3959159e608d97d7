package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.decimal;

import com.fasterxml.jackson.databind.JsonNode;

/** Scalar resources of an agent: cpus, mem (MB), disk (MB). */
public record Resources(double cpus, double mem, double disk) {

    static Resources parse(JsonNode node) {
        return new Resources(decimal(node, "cpus", 0), decimal(node, "mem", 0), decimal(node, "disk", 0));
    }
}
