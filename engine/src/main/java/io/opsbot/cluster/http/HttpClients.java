package io.opsbot.cluster.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import okhttp3.ConnectionSpec;
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
        return createShared(true, READ_TIMEOUT);
    }

    /**
     * As {@link #createShared()}.
     *
     * @param https       false: the client speaks plain HTTP only, and skips the platform's TLS set-up (reading and
     *                    parsing the JDK's store of public root certificates, a good part of a one-shot run's start)
     *                    when no configured service is reached over https. A client derived from it for a TLS
     *                    service brings its own certificates and {@link #TLS_SPECS} ({@code FlockerClient}).
     * @param readTimeout the bound of any single read (a Marathon that hangs is given up on after it)
     */
    public static OkHttpClient createShared(boolean https, Duration readTimeout) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(readTimeout)
                .writeTimeout(readTimeout)
                .callTimeout(CALL_TIMEOUT)
                // Off: OkHttp would send a request again, PUTs included, when its connection closed after the request
                // went out — after Marathon may have stored it (a second version, a second deployment). Connection
                // failures of reads are retried by our RetryInterceptor; a write's, by the engine, which checks first.
                .retryOnConnectionFailure(false);
        if (!https) {
            builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
        }
        return builder.build();
    }

    /** OkHttp's default connection specs: modern TLS, and plain HTTP for http URLs. */
    public static final List<ConnectionSpec> TLS_SPECS = List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT);

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
