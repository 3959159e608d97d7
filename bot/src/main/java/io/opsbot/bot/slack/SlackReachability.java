package io.opsbot.bot.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before Bolt is started, that Slack answers and accepts the tokens, and turns every way this can fail
 * into ONE line a person can act on: {@link Unreachable} for what may pass (no route, DNS, refused connection,
 * 5xx, rate limit), a plain {@link OpsException} for what will not (a rejected token, a wrong API URL).
 * Stack traces go to the log at debug level only.
 */
final class SlackReachability {

    private static final Logger log = LoggerFactory.getLogger(SlackReachability.class);

    /** Slack's answers that mean the token itself is no good: retrying cannot help, the operator must fix it. */
    private static final Set<String> TOKEN_REJECTED = Set.of("invalid_auth", "not_authed", "account_inactive",
            "token_revoked", "token_expired", "not_allowed_token_type", "no_permission", "missing_scope",
            "invalid_token", "team_access_not_granted", "ekm_access_denied");
    /** Slack's answers that say "not now": worth another try later. */
    private static final Set<String> TRY_LATER = Set.of("ratelimited", "internal_error", "fatal_error",
            "service_unavailable", "request_timeout");

    /** Slack could not be reached or did not answer properly now; it may work later. */
    static final class Unreachable extends OpsException {
        Unreachable(String message) {
            super(message);
        }
    }

    /** A Slack call; IOException and SlackApiException are what the SDK throws. */
    @FunctionalInterface
    interface Call {
        SlackApiTextResponse run() throws IOException, SlackApiException;
    }

    private final String apiUrl;

    /** @param apiUrl where the Web API is (https://slack.com/api/ unless configured): named in every message */
    SlackReachability(String apiUrl) {
        this.apiUrl = apiUrl;
    }

    /** auth.test with the bot token, and in socket mode apps.connections.open with the app-level token. */
    void check(MethodsClient methods, String botToken, String appToken) {
        call("the bot token (slack.botToken)", () -> methods.authTest(r -> r.token(botToken)));
        if (appToken != null) {
            call("the app-level token (slack.appToken)", () -> methods.appsConnectionsOpen(r -> r.token(appToken)));
        }
    }

    void call(String token, Call call) {
        SlackApiTextResponse response;
        try {
            response = call.run();
        } catch (IOException e) {
            log.debug("event=slack_unreachable api={}", apiUrl, e);
            throw new Unreachable(unreachable(e));
        } catch (SlackApiException e) {
            log.debug("event=slack_error api={}", apiUrl, e);
            throw answered(token, e.getResponse().code(), e.getError() == null ? null : e.getError().getError());
        }
        if (response == null) {
            throw new Unreachable("Slack at " + apiUrl + " gave no answer");
        }
        if (!response.isOk()) {
            throw answered(token, 200, response.getError());
        }
    }

    /** One line for any failure Bolt reports while starting after the check passed (a race with an outage). */
    OpsException classify(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OpsException ops) {
                return ops;
            }
            if (t instanceof IOException io) {
                log.debug("event=slack_unreachable api={}", apiUrl, e);
                return new Unreachable(unreachable(io));
            }
            if (t instanceof SlackApiException api) {
                return answered("a token", api.getResponse().code(), api.getError() == null ? null : api.getError().getError());
            }
        }
        log.debug("event=slack_start_failed api={}", apiUrl, e);
        // Bolt reports a failed auth.test as "The token is invalid (error: <IOException's message>)", cause dropped
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("The token is invalid (error:")) {
            return new Unreachable("cannot reach Slack at " + apiUrl + ": " + message);
        }
        return new OpsException("cannot start the Slack adapter: " + firstLine(message));
    }

    private String unreachable(IOException e) {
        Throwable root = e;
        while (root.getCause() instanceof IOException cause && root.getCause() != root) {
            root = cause;
        }
        return "cannot reach Slack at " + apiUrl + ": " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
    }

    private OpsException answered(String token, int status, String error) {
        if (error != null && TOKEN_REJECTED.contains(error)) {
            return new OpsException("Slack rejected " + token + ": " + error);
        }
        if (status == 429 || status >= 500 || (error != null && TRY_LATER.contains(error))) {
            return new Unreachable("Slack at " + apiUrl + " answered " + (status == 200 ? error
                    : "HTTP " + status + (error == null ? "" : " " + error)));
        }
        if (status != 200) {
            return new OpsException("Slack at " + apiUrl + " answered HTTP " + status
                    + (error == null ? "" : " " + error) + ": is slack.apiUrl right?");
        }
        return new OpsException("Slack refused " + token + ": " + error);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
