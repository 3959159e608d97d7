package io.opsbot.cluster.marathon;

import static io.opsbot.cluster.testing.Responses.event;
import static io.opsbot.cluster.testing.Responses.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class MarathonEventsTest {

    @Test
    void subscribesWithFiltersAndTokenAndReconnectsAfterADrop() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            // Each stream sends one event and ends: Marathon restarting, a proxy timing out.
            for (int i = 0; i < 3; i++) {
                server.enqueue(sse(event("deployment_success", "{\"id\": \"d" + i + "\", \"eventType\": \"deployment_success\", \"timestamp\": \"t\"}")));
            }
            List<String> seen = new CopyOnWriteArrayList<>();
            AtomicInteger reconnects = new AtomicInteger();
            AtomicInteger drops = new AtomicInteger();
            try (MarathonEvents events = new MarathonEvents(server.url("/").toString(), Auth.bearer("tok-123"),
                    HttpClients.createShared(), ClientMetrics.NOOP, Duration.ofMillis(20), Duration.ofMillis(50))) {
                MarathonEvents.Subscription subscription = events.subscribe(List.of("deployment_success", "deployment_failed"),
                        new MarathonEvents.Listener() {
                            @Override
                            public void onEvent(MarathonEvent event) {
                                seen.add(((MarathonEvent.DeploymentFinished) event).deploymentId());
                            }

                            @Override
                            public void onReconnected() {
                                reconnects.incrementAndGet();
                            }

                            @Override
                            public void onDisconnected(String reason) {
                                drops.incrementAndGet();
                            }
                        });

                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
                subscription.close();

                assertThat(seen).containsExactly("d0", "d1", "d2");
                assertThat(reconnects.get()).isGreaterThanOrEqualTo(2);
                assertThat(drops.get()).isGreaterThanOrEqualTo(2);
                RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
                assertThat(first.getTarget()).isEqualTo("/v2/events?event_type=deployment_success&event_type=deployment_failed");
                assertThat(first.getHeaders().get("Accept")).isEqualTo("text/event-stream");
                assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer tok-123");
            }
        }
    }

    @Test
    void closingStopsReconnecting() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(sse());
            server.enqueue(sse());
            try (MarathonEvents events = new MarathonEvents(server.url("/").toString(), Auth.none(),
                    HttpClients.createShared(), ClientMetrics.NOOP, Duration.ofMillis(200), Duration.ofMillis(200))) {
                MarathonEvents.Subscription subscription = events.subscribe(List.of(), event -> { });
                await().atMost(Duration.ofSeconds(5)).until(() -> server.getRequestCount() >= 1);
                subscription.close();
                Thread.sleep(50); // a connect issued just before close() may still arrive
                int count = server.getRequestCount();

                Thread.sleep(600); // three reconnect periods
                assertThat(server.getRequestCount()).isEqualTo(count);
                assertThat(subscription.isConnected()).isFalse();
            }
        }
    }
}
