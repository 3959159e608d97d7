package io.opsbot.bot.command;

import java.util.List;

/** The names of the demo cluster (the local default), which the grammar's examples use. */
final class DemoNames {

    static final KnownNames NAMES = KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"),
            List.of("node1", "node2", "node3"));

    private DemoNames() {}

    static CommandParser parser() {
        return new CommandParser(NAMES);
    }
}
