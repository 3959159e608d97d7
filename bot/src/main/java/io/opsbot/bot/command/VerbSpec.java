package io.opsbot.bot.command;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One command of the grammar: its words, arguments, flags, description, examples and the role it needs.
 *
 * @param name     one or two words, lower case: "scale", "who deployed"
 * @param role     the least role that may run it
 * @param summary  one sentence for the command list
 * @param details  more sentences for {@code help COMMAND}; may be empty
 * @param params   positional arguments in order; optional ones come last
 * @param flags    the flags it accepts
 * @param examples at least one; the first is the one error messages quote
 */
public record VerbSpec(String name, Role role, String summary, String details, List<Param> params, List<Flag> flags,
                       List<Example> examples) {

    public VerbSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(details, "details");
        params = List.copyOf(params);
        flags = List.copyOf(flags);
        examples = List.copyOf(examples);
        if (!name.equals(name.toLowerCase(Locale.ROOT)) || name.isBlank()) {
            throw new IllegalArgumentException("a command name is lower-case words: '" + name + "'");
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(name + " needs at least one example");
        }
        boolean seenOptional = false;
        for (Param param : params) {
            if (seenOptional && !param.optional()) {
                throw new IllegalArgumentException(name + ": a required argument cannot follow an optional one");
            }
            seenOptional |= param.optional();
        }
    }

    /** The words a user types to name it: ["who", "deployed"]. */
    public List<String> words() {
        return List.of(name.split(" "));
    }

    /** The first word, which picks the command. */
    public String key() {
        return words().get(0);
    }

    public Optional<Flag> flag(String flagName) {
        return flags.stream().filter(f -> f.name().equals(flagName)).findFirst();
    }

    /** The whole form: {@code deploy APP [--version V] [--only] [--plan]}. */
    public String usage() {
        return Stream.concat(Stream.of(positionalUsage()), flags.stream().map(f -> "[" + f.usage() + "]"))
                .collect(Collectors.joining(" "));
    }

    /** The name and positional arguments only: {@code scale APP N}. */
    public String positionalUsage() {
        return Stream.concat(Stream.of(name), params.stream().map(Param::usage)).collect(Collectors.joining(" "));
    }

    /** The example the command list shows: the first that gives the command more than its name. */
    public Example headlineExample() {
        return examples.stream().filter(e -> !e.text().equals(name)).findFirst().orElse(examples.get(0));
    }

    /** The example that shows {@code --flag} best: the first that uses it, else the first example. */
    public Example exampleFor(String flagName) {
        String needle = "--" + flagName;
        return examples.stream()
                .filter(e -> Arrays.asList(e.text().split("[ =]")).contains(needle))
                .findFirst()
                .orElse(examples.get(0));
    }
}
