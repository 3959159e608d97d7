package io.opsbot.cluster.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import okhttp3.Credentials;

/** How a client proves who it is: nothing, HTTP basic, or a bearer token (Marathon/DC/OS). */
public sealed interface Auth {

    /** The Authorization header value, or null when no header is sent. */
    String headerValue();

    static Auth none() {
        return new None();
    }

    static Auth basic(String user, String password) {
        return new Basic(user, password);
    }

    static Auth bearer(String token) {
        return new Bearer(token);
    }

    record None() implements Auth {
        @Override
        public String headerValue() {
            return null;
        }
    }

    record Basic(String user, String password) implements Auth {
        public Basic {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String headerValue() {
            return Credentials.basic(user, password, StandardCharsets.UTF_8);
        }

        // Records print their components; a password must never reach a log through toString.
        @Override
        public String toString() {
            return "Basic[user=" + user + ", password=***]";
        }
    }

    record Bearer(String token) implements Auth {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String headerValue() {
            return "Bearer " + token;
        }

        @Override
        public String toString() {
            return "Bearer[***]";
        }
    }
}
