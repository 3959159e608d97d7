package io.opsbot.cluster.http;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/** Adds the service's Authorization header unless the caller set one. */
final class AuthInterceptor implements Interceptor {

    private final Auth auth;

    AuthInterceptor(Auth auth) {
        this.auth = auth;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        String value = auth.headerValue();
        if (value == null || chain.request().header("Authorization") != null) {
            return chain.proceed(chain.request());
        }
        return chain.proceed(chain.request().newBuilder().header("Authorization", value).build());
    }
}
