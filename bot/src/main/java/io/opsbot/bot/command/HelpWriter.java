package io.opsbot.bot.command;

import java.time.Duration;

/** Writes help from the grammar: one line per command for the list, and a page per command. */
final class HelpWriter {

    private final Grammar grammar;
    private final KnownNames names;

    HelpWriter(Grammar grammar, KnownNames names) {
        this.grammar = grammar;
        this.names = names;
    }

    /** Every command: usage, what it does, an example. */
    String list() {
        StringBuilder out = new StringBuilder("Commands (type 'help COMMAND' for details, e.g. 'help ")
                .append(grammar.verbs().get(0).name()).append("'):\n");
        for (VerbSpec spec : grammar.verbs()) {
            out.append(spec.usage()).append(" — ").append(spec.summary())
                    .append(" e.g. ").append(spec.headlineExample().text()).append('\n');
        }
        return out.append("Start a command with /ops or by mentioning me. --plan shows what a change would do"
                + " without doing it; --help after any command explains it.").toString();
    }

    /** One command: usage, description, who may run it, arguments, flags and examples. */
    String page(VerbSpec spec) {
        StringBuilder out = new StringBuilder(spec.usage()).append('\n').append(spec.summary());
        if (!spec.details().isEmpty()) {
            out.append(' ').append(spec.details());
        }
        out.append('\n').append("Who: ").append(whoMay(spec.role())).append('\n');
        if (!spec.params().isEmpty()) {
            out.append("Arguments:\n");
            for (Param param : spec.params()) {
                out.append("  ").append(param.slot().placeholder()).append(" — ").append(param.description())
                        .append("; ").append(accepts(param.slot())).append(param.optional() ? " (optional)" : "")
                        .append('\n');
            }
        }
        if (!spec.flags().isEmpty()) {
            out.append("Flags:\n");
            for (Flag flag : spec.flags()) {
                out.append("  ").append(flag.usage()).append(" — ").append(flag.description());
                flag.value().ifPresent(v -> out.append("; ").append(accepts(v)));
                flag.defaultValue().ifPresent(d -> out.append(" (default ").append(d).append(')'));
                out.append('\n');
            }
        }
        out.append(spec.examples().size() == 1 ? "Example:\n" : "Examples:\n");
        for (Example example : spec.examples()) {
            out.append("  ").append(example.text()).append(" — ").append(example.explanation()).append('\n');
        }
        return out.toString().stripTrailing();
    }

    private static String whoMay(Role role) {
        switch (role) {
            case VIEWER:
                return "everyone with the viewer role or above";
            case OPERATOR:
                return "operators and admins";
            default:
                return "admins only";
        }
    }

    private String accepts(Slot slot) {
        switch (slot.kind()) {
            case APP:
                return oneOf("app", names.apps());
            case NODE:
                return oneOf("node", names.nodes());
            case APP_OR_NODE:
                return "an app (" + Phrases.list(names.apps()) + ") or a node (" + Phrases.list(names.nodes()) + ")";
            case LOG_TARGET:
                return "an app (" + Phrases.list(names.apps()) + ") or a service ("
                        + Phrases.list(names.services()) + "); SERVICE@NODE reads a service on one node";
            case NUMBER:
                return "a whole number from " + slot.min() + " to " + slot.max();
            case VERSION:
                return "an image tag like 1.4.2 or a Marathon version like 2016-03-01T12:00:00.000Z";
            case OPERATION_ID:
                return "an id like op-7f3a2c, as progress messages and 'history' show";
            case COMMAND:
                return "one of " + grammar.names();
            case DURATION:
                return "like 30s, 15m, 2h or 1d, at most " + CommandText.duration(Duration.ofSeconds(slot.max()));
            case TEXT:
                return "at most " + slot.max() + " characters; quote it when it has spaces";
            default:
                throw new IllegalStateException("no help for " + slot.kind());
        }
    }

    private static String oneOf(String what, java.util.Collection<String> known) {
        return known.isEmpty() ? "no " + what + "s are configured yet" : "one of " + Phrases.list(known);
    }
}
