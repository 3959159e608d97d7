package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.command.Command;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --force on the Marathon-writing commands: understood, shown in help, and only run once confirmed. */
class ForceFlagTest {

    @TempDir
    Path home;

    private static Response run(Opsbot bot, String text, boolean confirmed) {
        return bot.dispatcher().handle(new Request(text, "U-operator", "test", confirmed), ProgressListener.NONE);
    }

    @Test
    void forceAsksForConfirmationSayingWhatItOverridesAndRunsOnceConfirmed() {
        try (Opsbot bot = Opsbot.start((Path) null, home)) {
            for (String text : List.of("deploy nodeapp --only --version 1.9 --force", "scale nodeapp 3 --force", "restart nodeapp --force",
                    "move mongo node3 --force")) {
                Command parsed = bot.dispatcher().parser().parse(text);
                assertThat(parsed.force()).as(text).isTrue();
                assertThat(bot.dispatcher().parser().parse(parsed.text())).as("canonical text of " + text).isEqualTo(parsed);
                Response asked = run(bot, text, false);
                assertThat(asked).as(text).isInstanceOf(Response.NeedsConfirmation.class);
                assertThat(((Response.NeedsConfirmation) asked).reason())
                        .contains("--force overrides any Marathon deployment of the app in progress");
            }
            assertThat(bot.dispatcher().parser().parse("scale nodeapp 3").force()).isFalse();
            // like any command, a forced one that would change nothing is answered as the no-op, unconfirmed
            assertThat(run(bot, "deploy nodeapp --only --force", false)).isInstanceOf(Response.Finished.class);
            assertThat(run(bot, "scale nodeapp 3 --force --plan", false)).isInstanceOf(Response.Planned.class);

            Response confirmed = run(bot, "scale nodeapp 3 --force", true);
            assertThat(confirmed).isInstanceOf(Response.Finished.class);
            assertThat(((Response.Finished) confirmed).outcome().state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(bot.dispatcher().parser().help("deploy")).contains("--force", "engine.lockWait");
        }
    }
}
