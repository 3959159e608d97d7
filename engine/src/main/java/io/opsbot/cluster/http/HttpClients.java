package io.opsbot.cluster.http;

import java.time.Duration;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * Builds the one shared {@link OkHttpClient} (one connection pool, one dispatcher) and the per-service clients
 * derived from it with {@code newBuilder()}, each carrying the cross-cutting interceptors in this order:
 * call log and metrics (one line per call), retries (idempotent requests only), auth.
 */
public final class HttpClients {

    /** Connecting to a node on the same network takes milliseconds; five seconds means it is down. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Marathon answers large /v2/apps?embed=... lists slowly under load; 30 s bounds any single read. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The longest one call may take, retries and every byte of the answer included: a server that drips its answer
     * a byte at a time never trips the read timeout, and would hold a worker (and a chat command) forever. Three
     * minutes is above the three attempts of 30 s reads that the default retry policy allows.
     */
    public static final Duration CALL_TIMEOUT = Duration.ofMinutes(3);

    private HttpClients() {
    }

    /** Builds the client to share across all services of one process: call it once, at wiring time. */
    public static OkHttpClient createShared() {
        return new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(READ_TIMEOUT)
                .writeTimeout(READ_TIMEOUT)
                .callTimeout(CALL_TIMEOUT)
                // Kept on: it only replays a request on another route or when a pooled connection turned out
                // dead before the request was written; answers (5xx) and timeouts are our RetryInterceptor's.
                .retryOnConnectionFailure(true)
                .build();
    }

    /** A client for one service with the default retry policy. */
    public static OkHttpClient forService(OkHttpClient shared, String service, Auth auth, ClientMetrics metrics) {
        return forService(shared, service, auth, metrics, RetryPolicy.DEFAULT);
    }

    /** A client for one service: shares the pool of {@code shared}, adds log/metrics, retries and auth. */
    public static OkHttpClient forService(OkHttpClient shared, String service, Auth auth, ClientMetrics metrics,
                                          RetryPolicy retry) {
        Objects.requireNonNull(shared, "shared");
        Objects.requireNonNull(service, "service");
        return shared.newBuilder()
                .addInterceptor(new CallLogInterceptor(service, metrics == null ? ClientMetrics.NOOP : metrics))
                .addInterceptor(new RetryInterceptor(service, retry == null ? RetryPolicy.DEFAULT : retry))
                .addInterceptor(new AuthInterceptor(auth == null ? Auth.none() : auth))
                .build();
    }
}
