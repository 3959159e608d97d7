package io.opsbot.cluster.http;

import java.time.Duration;

/**
 * Counts client calls and their latency per service and status class ("2xx", "4xx", "5xx", "io" for a call
 * that got no answer). Small on purpose so it can be backed by Micrometer without the clients knowing.
 */
@FunctionalInterface
public interface ClientMetrics {

    ClientMetrics NOOP = (service, method, statusClass, latency) -> { };

    void record(String service, String method, String statusClass, Duration latency);

    static String statusClass(int code) {
        return (code / 100) + "xx";
    }
}
