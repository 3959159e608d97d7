package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The alert commands (incidents, mute, unmute, mutes) and the emulated cluster's sim commands. */
class AlertCommandsTest {

    private final KnownNames names = KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"),
            List.of("node1", "node2", "node3"));
    private final CommandParser real = new CommandParser(names);
    private final CommandParser emulated = new CommandParser(names, true);

    @Test
    void muteTakesAnAppOrNodeAndAnOptionalDurationAfterFor() {
        assertThat(real.parse("mute nodeapp")).isEqualTo(new Command.Mute("nodeapp", Duration.ofHours(2)));
        assertThat(real.parse("mute nodeapp for 30m")).isEqualTo(new Command.Mute("nodeapp", Duration.ofMinutes(30)));
        assertThat(real.parse("mute node3 45m")).isEqualTo(new Command.Mute("node3", Duration.ofMinutes(45)));
        assertThat(real.parse("mute nodeapp for 30m").text()).isEqualTo("mute nodeapp for 30m");
        assertThat(real.parse("unmute node3")).isEqualTo(new Command.Unmute("node3"));
        assertThat(real.parse("mutes")).isEqualTo(new Command.Mutes());
    }

    @Test
    void badMutesSayWhatIsWrong() {
        assertThatThrownBy(() -> real.parse("mute nodeapp for")).hasMessage(
                "mute needs a duration after 'for', e.g. mute node3 for 30m");
        assertThatThrownBy(() -> real.parse("mute nodap")).hasMessageContaining("nodap").hasMessageContaining("nodeapp");
        assertThatThrownBy(() -> real.parse("mute nodeapp for 9d")).hasMessageContaining("9d");
    }

    @Test
    void incidentsTakesAnOptionalSubjectAndSince() {
        assertThat(real.parse("incidents")).isEqualTo(new Command.Incidents(Optional.empty(), Duration.ofHours(24)));
        assertThat(real.parse("incidents nodeapp --since 7d"))
                .isEqualTo(new Command.Incidents(Optional.of("nodeapp"), Duration.ofDays(7)));
        assertThat(real.parse("incidents nodeapp --since 7d").text()).isEqualTo("incidents nodeapp --since 7d");
    }

    @Test
    void simCommandsExistOnlyOnTheEmulatedClusterAndHelpListsThemOnlyThere() {
        assertThat(emulated.parse("sim fail nodeapp")).isEqualTo(new Command.Sim("fail", "nodeapp"));
        assertThat(emulated.parse("sim heal nodeapp")).isEqualTo(new Command.Sim("heal", "nodeapp"));
        assertThat(emulated.parse("sim agent node3 down")).isEqualTo(new Command.Sim("agent-down", "node3"));
        assertThat(emulated.parse("sim agent node3 up").text()).isEqualTo("sim agent node3 up");
        assertThat(emulated.help()).contains("sim fail|heal|agent APP|NODE [down|up]");
        assertThat(real.help()).doesNotContain("sim ");
        assertThatThrownBy(() -> real.parse("sim fail nodeapp")).hasMessageContaining("unknown command 'sim'");
    }

    @Test
    void badSimCommandsSayWhatIsWrong() {
        assertThatThrownBy(() -> emulated.parse("sim fail node3")).hasMessageContaining("sim fail needs an app");
        assertThatThrownBy(() -> emulated.parse("sim agent nodeapp down")).hasMessageContaining("sim agent needs a node");
        assertThatThrownBy(() -> emulated.parse("sim agent node3")).hasMessage(
                "sim agent node3 needs down or up: sim agent node3 down");
        assertThatThrownBy(() -> emulated.parse("sim explode nodeapp")).hasMessageContaining("sim can fail, heal or agent");
    }
}
