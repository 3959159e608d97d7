package io.opsbot.cluster.http;

import java.io.IOException;
import java.time.Duration;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line and one metrics sample per call: {@code svc=marathon method=GET path=/v2/apps status=200 ms=12}.
 * Headers are never logged and secret query values are masked, so no token or password reaches the log.
 */
final class CallLogInterceptor implements Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger("io.opsbot.cluster.http.calls");

    private final String service;
    private final ClientMetrics metrics;

    CallLogInterceptor(String service, ClientMetrics metrics) {
        this.service = service;
        this.metrics = metrics;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        String path = Redact.pathAndQuery(request.url());
        long start = System.nanoTime();
        try {
            Response response = chain.proceed(request);
            long ms = (System.nanoTime() - start) / 1_000_000;
            metrics.record(service, request.method(), ClientMetrics.statusClass(response.code()), Duration.ofMillis(ms));
            if (response.code() >= 500) {
                LOG.warn("svc={} method={} path={} status={} ms={}", service, request.method(), path, response.code(), ms);
            } else {
                LOG.info("svc={} method={} path={} status={} ms={}", service, request.method(), path, response.code(), ms);
            }
            return response;
        } catch (IOException e) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            metrics.record(service, request.method(), "io", Duration.ofMillis(ms));
            LOG.warn("svc={} method={} path={} status=none error=\"{}\" ms={}", service, request.method(), path,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), ms);
            throw e;
        }
    }
}
