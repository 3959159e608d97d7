package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTextTest {

    @Test
    void slackEscapingIsUndoneAfterTheMentionIsRemoved() {
        assertThat(SlackBot.commandText("<@U012ABC> logs nodeapp --grep \"a &amp; b &lt;x&gt;\""))
                .isEqualTo("logs nodeapp --grep \"a & b <x>\"");
        assertThat(SlackBot.commandText("logs nodeapp --grep &amp;lt;")).isEqualTo("logs nodeapp --grep &lt;");
    }
}
