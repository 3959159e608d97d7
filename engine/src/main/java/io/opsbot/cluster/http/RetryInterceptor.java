package io.opsbot.cluster.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries idempotent requests (GET, HEAD) on transient faults: no connection, a timeout, or a 5xx answer.
 * Never retries 4xx (the request itself is wrong) nor anything that may change state (POST, PUT, DELETE):
 * Marathon stores a new version and starts a deployment on every PUT, so a blind repeat is not harmless.
 * When all attempts fail the last 5xx response is returned, or the last I/O error is thrown with the earlier
 * ones attached as suppressed exceptions.
 */
final class RetryInterceptor implements Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryInterceptor.class);
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD");

    private final String service;
    private final RetryPolicy policy;

    RetryInterceptor(String service, RetryPolicy policy) {
        this.service = service;
        this.policy = policy;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!isIdempotent(request)) {
            return chain.proceed(request);
        }
        IOException firstFailure = null;
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= policy.maxAttempts();
            try {
                Response response = chain.proceed(request);
                if (last || !isRetryableStatus(response.code())) {
                    return response;
                }
                response.close();
                LOG.warn("svc={} method={} path={} status={} attempt={} retrying", service, request.method(),
                        Redact.pathAndQuery(request.url()), response.code(), attempt);
            } catch (IOException e) {
                if (!isRecoverable(e) || last) {
                    if (firstFailure != null && firstFailure != e) {
                        e.addSuppressed(firstFailure);
                    }
                    throw e;
                }
                if (firstFailure == null) {
                    firstFailure = e;
                } else {
                    firstFailure.addSuppressed(e);
                }
                LOG.warn("svc={} method={} path={} error=\"{}\" attempt={} retrying", service, request.method(),
                        Redact.pathAndQuery(request.url()), e.getMessage(), attempt);
            }
            sleep(policy.delayMillis(attempt + 1, ThreadLocalRandom.current().nextDouble()));
        }
    }

    // Only requests that can be repeated without a second effect.
    static boolean isIdempotent(Request request) {
        return IDEMPOTENT.contains(request.method());
    }

    // 5xx means the server (or a proxy in front of it) failed, not the request; 4xx never changes on retry.
    static boolean isRetryableStatus(int code) {
        return code >= 500 && code <= 599;
    }

    // A cancelled call must stop at once; every other I/O failure (refused, reset, timeout) may pass.
    static boolean isRecoverable(IOException e) {
        return !"Canceled".equals(e.getMessage()) && !(e instanceof InterruptedIOException && Thread.currentThread().isInterrupted());
    }

    private static void sleep(long millis) throws IOException {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
