package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimHelpTest {

    @Test
    void simHelpSaysWhatIsEmulatedAndWhatIsSimplified() {
        String help = new CommandLine(new Main()).getSubcommands().get("sim").getUsageMessage();
        assertThat(help).contains("--time-scale", "What it emulates", "What it simplifies")
                .contains("/v2/groups", "/v2/eventSubscriptions", "processedOffersSummary", "DELETE /v2/queue/{id}/delay")
                .contains("/master/state-summary", "unreachable")
                .contains("no pods")
                // Unwrapped and unindented: the footer fits picocli's 80 columns as written.
                .contains("\n  - one Marathon that never loses leadership (DELETE /v2/leader answers\n");
    }
}
