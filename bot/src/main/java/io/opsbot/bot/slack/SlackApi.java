package io.opsbot.bot.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import io.opsbot.bot.render.BlockKit.Message;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Web API methods opsbot calls, with their failures logged (never the token) instead of thrown: a
 * message that cannot be edited must not stop the operation behind it.
 */
final class SlackApi {

    private static final Logger log = LoggerFactory.getLogger(SlackApi.class);

    private final MethodsClient client;

    SlackApi(MethodsClient client) {
        this.client = client;
    }

    /** chat.postMessage; the new message's ts, or empty when Slack refused it. */
    Optional<String> post(String channel, String threadTs, Message message) {
        try {
            ChatPostMessageResponse r = client.chatPostMessage(b -> b.channel(channel).threadTs(threadTs)
                    .text(message.text()).blocks(message.blocks()));
            return ok("chat.postMessage", channel, r) ? Optional.ofNullable(r.getTs()) : Optional.empty();
        } catch (IOException | SlackApiException e) {
            failed("chat.postMessage", channel, e);
            return Optional.empty();
        }
    }

    /** chat.update of a message the bot posted. */
    boolean update(String channel, String ts, Message message) {
        try {
            return ok("chat.update", channel, client.chatUpdate(b -> b.channel(channel).ts(ts)
                    .text(message.text()).blocks(message.blocks())));
        } catch (IOException | SlackApiException e) {
            failed("chat.update", channel, e);
            return false;
        }
    }

    /** chat.postEphemeral: only {@code user} sees it (denials, refusals, errors). */
    boolean ephemeral(String channel, String user, Message message) {
        try {
            return ok("chat.postEphemeral", channel, client.chatPostEphemeral(b -> b.channel(channel).user(user)
                    .text(message.text()).blocks(message.blocks())));
        } catch (IOException | SlackApiException e) {
            failed("chat.postEphemeral", channel, e);
            return false;
        }
    }

    /** files.uploadV2 (the external upload flow: getUploadURLExternal, upload, completeUploadExternal). */
    boolean upload(String channel, String threadTs, String filename, String title, String content) {
        try {
            return ok("files.uploadV2", channel, client.filesUploadV2(b -> b.channel(channel).threadTs(threadTs)
                    .filename(filename).title(title).content(content)));
        } catch (IOException | SlackApiException e) {
            failed("files.uploadV2", channel, e);
            return false;
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

    private static boolean ok(String method, String channel, SlackApiTextResponse response) {
        if (response.isOk()) {
            return true;
        }
        log.warn("event=slack_api_error method={} channel={} error={}", method, channel, response.getError());
        return false;
    }

    private static void failed(String method, String channel, Exception e) {
        log.warn("event=slack_api_failed method={} channel={} error=\"{}\"", method, channel, e.getMessage());
    }
}
