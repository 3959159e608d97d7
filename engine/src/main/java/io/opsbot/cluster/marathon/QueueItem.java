package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.http.Json.at;
import static io.opsbot.cluster.http.Json.integer;
import static io.opsbot.cluster.http.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbot.cluster.http.Json;
import java.util.List;

/**
 * An app waiting for offers in Marathon's launch queue (GET /v2/queue), with Marathon's account of the offers it
 * looked at (Marathon's queue RAML: {@code processedOffersSummary}, and {@code lastUnusedOffers} when embedded).
 *
 * @param since            when the app entered the queue (ISO-8601), or null
 * @param processedOffers  offers processed for this launch attempt
 * @param unusedOffers     of those, the ones that could not be used
 * @param rejections       per reason, how many of the last offers it declined ({@code rejectSummaryLastOffers})
 * @param lastUnusedOffers the last offers that could not be used, with the agent and the reasons
 */
public record QueueItem(String appId, int count, boolean overdue, int delaySecondsLeft, String since,
                        int processedOffers, int unusedOffers, List<Rejection> rejections,
                        List<UnusedOffer> lastUnusedOffers) {

    public QueueItem {
        rejections = List.copyOf(rejections);
        lastUnusedOffers = List.copyOf(lastUnusedOffers);
    }

    public QueueItem(String appId, int count, boolean overdue, int delaySecondsLeft) {
        this(appId, count, overdue, delaySecondsLeft, null, 0, 0, List.of(), List.of());
    }

    /** One reason of {@code rejectSummaryLastOffers}: e.g. InsufficientMemory declined 3 of 3 processed. */
    public record Rejection(String reason, int declined, int processed) {}

    /** One of {@code lastUnusedOffers}: the agent that offered, why Marathon could not use it, when. */
    public record UnusedOffer(String hostname, String agentId, List<String> reasons, String timestamp) {
        public UnusedOffer {
            reasons = List.copyOf(reasons);
        }
    }

    static QueueItem parse(JsonNode node) {
        JsonNode delay = at(node, "delay");
        JsonNode summary = at(node, "processedOffersSummary");
        return new QueueItem(text(at(node, "app"), "id"), integer(node, "count", 0), Json.bool(delay, "overdue", false),
                integer(delay, "timeLeftSeconds", 0), text(node, "since"), integer(summary, "processedOffersCount", 0),
                integer(summary, "unusedOffersCount", 0),
                Json.list(summary, "rejectSummaryLastOffers", r -> new Rejection(text(r, "reason"),
                        integer(r, "declined", 0), integer(r, "processed", 0))),
                Json.list(node, "lastUnusedOffers", u -> new UnusedOffer(text(at(u, "offer"), "hostname"),
                        text(at(u, "offer"), "agentId"), Json.strings(u, "reason"), text(u, "timestamp"))));
    }
}
