package io.opsbot.bot.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleChatTest {

    @Test
    void aProgressLineWiderThanTheTerminalIsCutSoThatRedrawingItLeavesNothingBehind() {
        String line = "[##########----------] 1/1 set instances of /nodeapp to 3 — task nodeapp.20a34a31 on node1: TASK_RUNNING";

        assertThat(ConsoleChat.fit(line, 40)).hasSize(40).endsWith("…").startsWith("[##########----------] 1/1 set");
        assertThat(ConsoleChat.fit(line, 500)).isEqualTo(line);
        assertThat(ConsoleChat.fit("✓ ünïcödé — ok", 14)).isEqualTo("✓ ünïcödé — ok");
        assertThat(ConsoleChat.fit("✓ ünïcödé — ok", 5)).isEqualTo("✓ ün…");
    }
}
