package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.cluster.http.Json;
import java.io.IOException;
import java.util.List;

/** The parts of GET /master/state the bot shows: agents and frameworks with their tasks. */
public record MesosState(String version, String leader, String cluster, List<Agent> agents,
                         List<Framework> frameworks) {

    /**
     * GET /master/state read as a stream, with each framework's active {@code tasks} skipped instead of built: on a
     * large cluster they are most of the answer, and the health report needs only the agents and the ended tasks.
     * Everything else is read as {@link #parse} reads it; the frameworks' {@link Framework#tasks()} are empty.
     */
    static MesosState parseWithoutActiveTasks(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "not a JSON object");
        }
        ObjectNode state = Json.MAPPER.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("frameworks") && value == JsonToken.START_ARRAY) {
                ArrayNode frameworks = state.putArray("frameworks");
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    ObjectNode framework = frameworks.addObject();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        if (name.equals("tasks")) {
                            p.skipChildren();
                        } else {
                            framework.set(name, p.readValueAsTree());
                        }
                    }
                }
            } else {
                state.set(field, p.readValueAsTree());
            }
        }
        return parse(state);
    }

    static MesosState parse(JsonNode node) {
        return new MesosState(text(node, "version"), text(node, "leader"), text(node, "cluster"),
                Json.list(node, "slaves", Agent::parse), Json.list(node, "frameworks", Framework::parse));
    }
}
