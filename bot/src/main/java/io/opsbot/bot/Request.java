package io.opsbot.bot;

import io.opsbot.engine.Origin;

/**
 * One chat message addressed to the bot, platform-neutral.
 *
 * @param confirmed the user already confirmed (a button, a prompt, or exec's --yes)
 */
public record Request(String text, String user, String channel, boolean confirmed) {

    public Origin origin() {
        return new Origin(user, channel, text);
    }

    public Request confirm() {
        return new Request(text, user, channel, true);
    }
}
