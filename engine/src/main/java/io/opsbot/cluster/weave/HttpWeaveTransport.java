package io.opsbot.cluster.weave;

import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.cluster.http.ApiResponse;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.engine.OpsException;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/** Weave's HTTP API at a configured URL (the sim, or a router whose API was exposed on purpose). */
public final class HttpWeaveTransport implements WeaveTransport {

    private final ApiCaller api;

    public HttpWeaveTransport(String baseUrl, OkHttpClient shared) {
        this(baseUrl, shared, ClientMetrics.NOOP, RetryPolicy.DEFAULT);
    }

    public HttpWeaveTransport(String baseUrl, OkHttpClient shared, ClientMetrics metrics, RetryPolicy retry) {
        this.api = new ApiCaller("Weave", baseUrl, HttpClients.forService(shared, "weave", Auth.none(), metrics, retry));
    }

    @Override
    public String get(String path, String accept) {
        if (!RemoteCommand.WEAVE_PATHS.contains(path)) {
            throw new OpsException("'" + path + "' is not a Weave status path");
        }
        ApiResponse response = api.send(new Request.Builder().url(api.url().addPathSegments(path).build())
                .header("Accept", accept).build());
        if (response.isSuccessful()) {
            return response.body();
        }
        if (response.code() >= 500) {
            throw response.serverError(response.excerpt());
        }
        throw response.unexpected(response.excerpt());
    }
}
