package io.opsbot.bot.command;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every command the bot understands, as data: the parser matches input against it and help is written from it.
 *
 * @param verbs in the order help lists them
 */
public record Grammar(List<VerbSpec> verbs) {

    private static final Pattern SPACES = Pattern.compile("\\s+");

    public Grammar {
        verbs = List.copyOf(verbs);
        long keys = verbs.stream().map(VerbSpec::key).distinct().count();
        if (keys != verbs.size()) {
            throw new IllegalArgumentException("two commands start with the same word");
        }
    }

    /**
     * The command named by {@code words}: its full name ("who deployed") or, alone, its first word ("who");
     * case and surrounding space do not matter.
     */
    public Optional<VerbSpec> verb(String words) {
        String wanted = SPACES.matcher(words.strip().toLowerCase(Locale.ROOT)).replaceAll(" ");
        return verbs.stream().filter(v -> v.name().equals(wanted) || v.key().equals(wanted)).findFirst();
    }

    /** The spec a parsed command came from. */
    public VerbSpec specOf(Command command) {
        return verb(command.verb()).orElseThrow(() -> new IllegalStateException("no spec for " + command.verb()));
    }

    /** The least role that may run {@code command}. */
    public Role roleFor(Command command) {
        return specOf(command).role();
    }

    /** Command names in help order: "deploy, scale, …, help". */
    public String names() {
        return verbs.stream().map(VerbSpec::name).collect(Collectors.joining(", "));
    }
}
