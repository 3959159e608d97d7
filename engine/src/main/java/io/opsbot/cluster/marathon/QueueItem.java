package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.integer;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;

/** An app waiting for offers in Marathon's launch queue (GET /v2/queue). */
public record QueueItem(String appId, int count, boolean overdue, int delaySecondsLeft) {

    static QueueItem parse(JsonNode node) {
        JsonNode delay = at(node, "delay");
        return new QueueItem(text(at(node, "app"), "id"), integer(node, "count", 0), Json.bool(delay, "overdue", false),
                integer(delay, "timeLeftSeconds", 0));
    }
}
