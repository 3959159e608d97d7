package io.opsbot.bot.slack;

import com.slack.api.Slack;
import com.slack.api.app_backend.interactive_components.ActionResponseSender;
import com.slack.api.app_backend.interactive_components.response.ActionResponse;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import com.slack.api.webhook.WebhookResponse;
import io.opsbot.bot.render.BlockKit.Message;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Web API methods opsbot calls, with their failures logged (never the token) instead of thrown: a
 * message that cannot be edited must not stop the operation behind it. A call Slack rate-limits (HTTP 429, or
 * {@code error: ratelimited}) is retried after its Retry-After by the blocking methods; {@link LiveMessage} uses
 * the single attempts ({@link #tryPost}, {@link #tryUpdate}) and schedules its own retry, so no thread sleeps.
 */
final class SlackApi {

    private static final Logger log = LoggerFactory.getLogger(SlackApi.class);
    /** Retries after a 429 for a one-off post: Slack's limits are per minute, two waits are enough to get through. */
    static final int RATE_LIMIT_RETRIES = 2;
    /** The longest Retry-After honoured: a worker never waits longer than this for one call. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);
    /** When a 429 carries no Retry-After: chat.update's special tier allows about one edit per second. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    /**
     * One call's outcome: delivered (with the new message's ts for a post), rate limited (wait {@code retryAfter}),
     * or refused with Slack's error code.
     */
    record Result(boolean ok, String ts, Duration retryAfter, String error) {
        static final Result DELIVERED = new Result(true, null, null, null);

        static Result delivered(String ts) {
            return new Result(true, ts, null, null);
        }

        static Result limited(Duration retryAfter) {
            return new Result(false, null, retryAfter, "ratelimited");
        }

        static Result refused(String error) {
            return new Result(false, null, null, error);
        }

        boolean rateLimited() {
            return retryAfter != null;
        }

        /** The bot cannot write in the channel, but a slash command's response_url still can. */
        boolean notInChannel() {
            return "not_in_channel".equals(error) || "channel_not_found".equals(error);
        }
    }

    /** One attempt at a Web API method. */
    @FunctionalInterface
    private interface Call<T extends SlackApiTextResponse> {
        T run() throws IOException, SlackApiException;
    }

    /** Told of every call's outcome: opsbot's own blind spot "Slack rate-limits us" is raised and resolved from it. */
    interface Health {
        void rateLimited(String method, String channel, Duration retryAfter);

        void delivered(String method);
    }

    private final MethodsClient client;
    private final ActionResponseSender responses;
    private volatile Health health;

    SlackApi(MethodsClient client, Slack slack) {
        this.client = client;
        this.responses = new ActionResponseSender(slack);
    }

    /** From now on, every call's outcome (rate-limited or delivered) is told to {@code watcher}. */
    void watch(Health watcher) {
        this.health = watcher;
    }

    /** Tells the health watcher, if any; a failing watcher never fails the call. */
    private Result observed(String method, String channel, Result r) {
        Health h = health;
        if (h != null) {
            try {
                if (r.rateLimited()) {
                    h.rateLimited(method, channel, r.retryAfter());
                } else if (r.ok()) {
                    h.delivered(method);
                }
            } catch (RuntimeException e) {
                log.warn("event=slack_health_watch_failed error=\"{}\"", e.getMessage());
            }
        }
        return r;
    }

    /** chat.postMessage, once. */
    Result tryPost(String channel, String threadTs, Message message) {
        return attempt("chat.postMessage", channel, () -> client.chatPostMessage(b -> b.channel(channel).threadTs(threadTs)
                .text(message.text()).blocks(message.blocks())));
    }

    /** chat.update of a message the bot posted, once. */
    Result tryUpdate(String channel, String ts, Message message) {
        return attempt("chat.update", channel, () -> client.chatUpdate(b -> b.channel(channel).ts(ts)
                .text(message.text()).blocks(message.blocks())));
    }

    /** chat.postMessage (a thread reply when {@code threadTs} is set); the new message's ts, or empty when refused. */
    Optional<String> post(String channel, String threadTs, Message message) {
        Result r = withRetries("chat.postMessage", () -> tryPost(channel, threadTs, message));
        return r.ok() ? Optional.ofNullable(r.ts()) : Optional.empty();
    }

    /** chat.update of a message the bot posted. */
    boolean update(String channel, String ts, Message message) {
        return withRetries("chat.update", () -> tryUpdate(channel, ts, message)).ok();
    }

    /** chat.postEphemeral: only {@code user} sees it (denials, refusals, errors). */
    boolean ephemeral(String channel, String user, Message message) {
        return withRetries("chat.postEphemeral", () -> tryEphemeral(channel, user, message)).ok();
    }

    /** chat.postEphemeral, once: for a thread that must not wait (the busy notice on the edit scheduler). */
    Result tryEphemeral(String channel, String user, Message message) {
        return attempt("chat.postEphemeral", channel, () -> client.chatPostEphemeral(b -> b.channel(channel).user(user)
                .text(message.text()).blocks(message.blocks())));
    }

    /** files.uploadV2 (the external upload flow: getUploadURLExternal, upload, completeUploadExternal). */
    boolean upload(String channel, String threadTs, String filename, String title, String content) {
        return withRetries("files.uploadV2", () -> attempt("files.uploadV2", channel, () -> client.filesUploadV2(b -> b
                .channel(channel).threadTs(threadTs).filename(filename).title(title).content(content)))).ok();
    }

    /** files.uploadV2 of bytes (a PNG chart), in the thread of {@code threadTs}. */
    boolean uploadFile(String channel, String threadTs, String filename, String title, byte[] data) {
        return withRetries("files.uploadV2", () -> attempt("files.uploadV2", channel, () -> client.filesUploadV2(b -> b
                .channel(channel).threadTs(threadTs).filename(filename).title(title).fileData(data)))).ok();
    }

    /**
     * A message through a slash command's response_url, which works where the bot is not a member: visible to the
     * channel, and replacing the one it posted before when {@code replaceOriginal}. Once: Slack allows 5 uses.
     * The URL is a credential of sorts and is never logged.
     */
    boolean respond(String responseUrl, Message message, boolean replaceOriginal) {
        return send(responseUrl, ActionResponse.builder().responseType("in_channel").replaceOriginal(replaceOriginal)
                .text(message.text()).blocks(message.blocks()).build());
    }

    /** Through a response_url, to the one person who clicked: for a channel where chat.postEphemeral cannot reach. */
    boolean respondPrivately(String responseUrl, Message message) {
        return send(responseUrl, ActionResponse.builder().responseType("ephemeral").replaceOriginal(false)
                .text(message.text()).blocks(message.blocks()).build());
    }

    /** Deletes the message posted through this response_url (one more use). */
    boolean deleteResponse(String responseUrl) {
        return send(responseUrl, ActionResponse.builder().deleteOriginal(true).build());
    }

    private boolean send(String responseUrl, ActionResponse response) {
        return withRetries("response_url", () -> sendOnce(responseUrl, response)).ok();
    }

    private Result sendOnce(String responseUrl, ActionResponse response) {
        return observed("response_url", "-", sendOnceUnobserved(responseUrl, response));
    }

    private Result sendOnceUnobserved(String responseUrl, ActionResponse response) {
        try {
            WebhookResponse r = responses.send(responseUrl, response);
            if (r.getCode() != null && r.getCode() == 200) {
                return Result.DELIVERED;
            }
            if (r.getCode() != null && r.getCode() == 429) {
                return limited("response_url", "-", header(r.getHeaders()));
            }
            log.warn("event=slack_api_error method=response_url status={} error=\"{}\"", r.getCode(), abbreviate(r.getBody()));
            return Result.refused("http_" + r.getCode());
        } catch (IOException | RuntimeException e) {
            log.warn("event=slack_api_failed method=response_url error=\"{}\"", e.getMessage());
            return Result.refused("request_failed");
        }
    }

    /** usergroups.users.list. */
    Set<String> groupMembers(String groupId) {
        UsergroupsUsersListResponse r;
        try {
            r = client.usergroupsUsersList(b -> b.usergroup(groupId));
        } catch (IOException | SlackApiException e) {
            throw new TransientException("cannot list the members of user group " + groupId + ": " + e.getMessage(), e);
        }
        if (!r.isOk()) {
            throw new OpsException("cannot list the members of user group " + groupId + ": " + r.getError());
        }
        return r.getUsers() == null ? Set.of() : Set.copyOf(r.getUsers());
    }

    /** Runs one attempt; after a 429 waits Retry-After (bounded) and tries again, at most {@link #RATE_LIMIT_RETRIES} times. */
    private static Result withRetries(String method, java.util.function.Supplier<Result> attempt) {
        Result r = attempt.get();
        for (int retry = 1; r.rateLimited() && retry <= RATE_LIMIT_RETRIES; retry++) {
            try {
                Thread.sleep(r.retryAfter().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.warn("event=slack_ratelimit_wait_interrupted method={}", method);
                return r;
            }
            r = attempt.get();
        }
        if (r.rateLimited()) {
            log.warn("event=slack_ratelimited_gave_up method={} retries={}", method, RATE_LIMIT_RETRIES);
        }
        return r;
    }

    private Result attempt(String method, String channel, Call<?> call) {
        return observed(method, channel, attemptUnobserved(method, channel, call));
    }

    private static Result attemptUnobserved(String method, String channel, Call<?> call) {
        try {
            SlackApiTextResponse response = call.run();
            if (response.isOk()) {
                return response instanceof ChatPostMessageResponse p ? Result.delivered(p.getTs()) : Result.DELIVERED;
            }
            if (isRateLimited(response.getError())) {
                return limited(method, channel, header(response.getHttpResponseHeaders()));
            }
            log.warn("event=slack_api_error method={} channel={} error={}", method, channel, response.getError());
            return Result.refused(response.getError());
        } catch (SlackApiException e) {
            if (e.getResponse() != null && e.getResponse().code() == 429) {
                return limited(method, channel, e.getResponse().header("Retry-After"));
            }
            log.warn("event=slack_api_failed method={} channel={} error=\"{}\"", method, channel, e.getMessage());
            return Result.refused(e.getError() != null && e.getError().getError() != null ? e.getError().getError() : "http_error");
        } catch (IOException | RuntimeException e) {
            // RuntimeException: files.uploadV2 reports a refused step as SlackFilesUploadV2Exception
            log.warn("event=slack_api_failed method={} channel={} error=\"{}\"", method, channel, e.getMessage());
            return Result.refused("request_failed");
        }
    }

    /** Slack's code for a tier limit exceeded on a 200 answer (the SDK throws on a 429 answer). */
    private static boolean isRateLimited(String error) {
        return "ratelimited".equals(error) || "rate_limited".equals(error);
    }

    private static Result limited(String method, String channel, String retryAfterHeader) {
        Duration wait = retryAfter(retryAfterHeader);
        log.warn("event=slack_ratelimited method={} channel={} retry_after={}", method, channel, wait.toSeconds());
        return Result.limited(wait);
    }

    /** Retry-After in whole seconds, at least 1 s, at most {@link #MAX_RETRY_AFTER}; a missing or odd value waits 1 s. */
    static Duration retryAfter(String header) {
        long seconds;
        try {
            seconds = header == null ? DEFAULT_RETRY_AFTER.toSeconds() : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            seconds = DEFAULT_RETRY_AFTER.toSeconds();
        }
        return Duration.ofSeconds(Math.max(1, Math.min(seconds, MAX_RETRY_AFTER.toSeconds())));
    }

    private static String header(Map<String, List<String>> headers) {
        if (headers == null) {
            return null;
        }
        List<String> values = headers.get("retry-after");
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
