package io.opsbot.cluster.http;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/** Turns URLs into text that is safe to log or show: no user info, no values of secret-looking parameters. */
public final class Redact {

    private static final Set<String> SECRET_PARAMS = Set.of(
            "token", "access_token", "auth", "authorization", "password", "passwd", "secret", "key", "api_key",
            "apikey", "sig", "signature", "x-amz-signature", "client_secret", "session");

    private Redact() {
    }

    /** scheme://host:port, the form used in "Marathon at http://node1:8080 is unreachable". */
    public static String origin(HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    /** The path and query of a URL with the values of secret parameters replaced by ***. */
    public static String pathAndQuery(HttpUrl url) {
        StringBuilder out = new StringBuilder(url.encodedPath());
        if (url.querySize() > 0) {
            out.append('?');
            for (int i = 0; i < url.querySize(); i++) {
                if (i > 0) {
                    out.append('&');
                }
                String name = url.queryParameterName(i);
                String value = url.queryParameterValue(i);
                out.append(name);
                if (value != null) {
                    out.append('=').append(isSecret(name) ? "***" : value);
                }
            }
        }
        return out.toString();
    }

    /** The whole URL, safe to log. */
    public static String url(HttpUrl url) {
        return origin(url) + pathAndQuery(url);
    }

    static boolean isSecret(String paramName) {
        String lower = paramName.toLowerCase(Locale.ROOT);
        return SECRET_PARAMS.contains(lower) || lower.contains("token") || lower.contains("secret")
                || lower.contains("password");
    }
}
