package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.OpsbotConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which commands an exec's start connects Flocker ahead for: those that read its datasets, and only those. */
class FirstCommandTest {

    private final AppCatalog catalog = AppCatalog.load(Opsbot.appsDir(OpsbotConfig.empty()));
    private final CommandParser parser = new CommandParser(KnownNames.withDefaultServices(catalog.names(),
            List.of("node1", "node2", "node3")), true);

    @Test
    void commandsThatReadFlockersDatasetsConnectAhead() {
        assertThat(List.of("status", "/ops status", "status node2", "status mongo", "move mongo node3", "report now"))
                .allMatch(text -> Opsbot.readsFlocker(parser, catalog, text));
    }

    @Test
    void beforeTheCatalogIsReadOnlyWhatIsSureWithoutItConnectsAhead() {
        CommandParser withoutApps = new CommandParser(KnownNames.withDefaultServices(List.of(),
                List.of("node1", "node2", "node3")), true);
        assertThat(List.of("status", "/ops status", "report now"))
                .allMatch(text -> Opsbot.readsFlocker(withoutApps, null, text));
        // an app or node named: decided once the catalog is read
        assertThat(List.of("status node2", "status mongo", "move mongo node3", "deploy nodeapp --only"))
                .noneMatch(text -> Opsbot.readsFlocker(withoutApps, null, text));
    }

    @Test
    void otherCommandsAndTextsThatAreNoCommandDoNot() {
        assertThat(List.of("deploy nodeapp --only", "status nodeapp", "scale nodeapp 3", "history nodeapp", "drift",
                "help", "", "stauts", "status nodap extra words"))
                .noneMatch(text -> Opsbot.readsFlocker(parser, catalog, text));
    }
}
