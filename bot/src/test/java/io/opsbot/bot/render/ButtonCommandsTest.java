package io.opsbot.bot.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.command.Words;
import org.junit.jupiter.api.Test;

/**
 * A button's value becomes one word of the command it stands for, whatever it holds. Found by
 * ChatEntryPointsFuzzTest: a value "nodeapp --force" on a Restart button ran {@code restart nodeapp --force}.
 */
class ButtonCommandsTest {

    @Test
    void anAlertButtonsValueIsOneSubjectNeverExtraFlags() {
        assertThat(AlertBlocks.commandFor(AlertBlocks.ACTION_RESTART, "nodeapp")).isEqualTo("restart nodeapp");
        assertThat(AlertBlocks.commandFor(AlertBlocks.ACTION_MUTE, "docker@node2")).isEqualTo("mute docker@node2 for 2h");
        assertThat(Words.of(AlertBlocks.commandFor(AlertBlocks.ACTION_RESTART, "nodeapp --force")))
                .containsExactly("restart", "nodeapp --force");
        assertThat(Words.of(AlertBlocks.commandFor(AlertBlocks.ACTION_LOGS, "nodeapp --grep \"x\" --lines 1000")))
                .containsExactly("logs", "nodeapp --grep \"x\" --lines 1000");
    }

    @Test
    void aCancelButtonsValueIsOneOperationId() {
        assertThat(BlockKit.cancelCommand("op-7f3a2c")).isEqualTo("cancel op-7f3a2c");
        assertThat(Words.of(BlockKit.cancelCommand("op-7f3a2c extra --x"))).containsExactly("cancel", "op-7f3a2c extra --x");
    }
}
