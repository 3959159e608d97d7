package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;

/** A task as the Mesos master knows it. */
public record MesosTask(String id, String name, String state, String slaveId, String frameworkId) {

    static MesosTask parse(JsonNode node) {
        return new MesosTask(text(node, "id"), text(node, "name"), text(node, "state"),
                text(node, "slave_id", text(node, "agent_id")), text(node, "framework_id"));
    }
}
