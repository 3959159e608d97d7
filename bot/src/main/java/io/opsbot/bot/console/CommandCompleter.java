package io.opsbot.bot.console;

import io.opsbot.bot.command.Flag;
import io.opsbot.bot.command.Grammar;
import io.opsbot.bot.command.Kind;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.VerbSpec;
import io.opsbot.engine.LockHolder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion from the command grammar and the configured names: the command words, then each argument by its
 * kind (apps, nodes, services, {@code SERVICE@NODE}, running operation ids, command names), and the command's flags.
 * Nothing here is a list of its own: a new verb, flag or app completes as soon as the grammar or the configuration
 * has it.
 */
final class CommandCompleter implements Completer {

    /** Console words that are not chat commands. */
    static final List<String> CONSOLE_WORDS = List.of("quit", "exit");

    private final Grammar grammar;
    private final KnownNames names;
    private final Supplier<List<LockHolder>> running;

    /** @param running the operations running now, for {@code cancel OP} */
    CommandCompleter(Grammar grammar, KnownNames names, Supplier<List<LockHolder>> running) {
        this.grammar = grammar;
        this.names = names;
        this.running = running;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        candidates.addAll(candidates(line.words().subList(0, Math.min(line.wordIndex(), line.words().size())),
                line.word() == null ? "" : line.word()));
    }

    /** What may come next after the complete words {@code before}, the current word being {@code current}. */
    List<Candidate> candidates(List<String> before, String current) {
        if (before.isEmpty()) {
            List<Candidate> verbs = new ArrayList<>(grammar.verbs().stream()
                    .map(v -> candidate(v.key(), "commands", v.words().size() == 1 ? v.summary() : null)).toList());
            CONSOLE_WORDS.forEach(w -> verbs.add(candidate(w, "console", "leave the console")));
            return verbs;
        }
        Optional<VerbSpec> found = grammar.verb(before.get(0));
        if (found.isEmpty()) {
            return List.of();
        }
        VerbSpec spec = found.get();
        List<String> verbWords = spec.words();
        for (int i = 1; i < verbWords.size(); i++) {
            if (before.size() == i) {
                return List.of(candidate(verbWords.get(i), "commands", spec.summary()));
            }
            if (!before.get(i).equalsIgnoreCase(verbWords.get(i))) {
                return List.of();
            }
        }
        int positional = 0;
        Set<String> used = new HashSet<>();
        Flag expectingValue = null;
        for (String word : before.subList(verbWords.size(), before.size())) {
            if (expectingValue != null) {
                expectingValue = null;
            } else if (word.startsWith("--")) {
                String name = word.substring(2).toLowerCase(Locale.ROOT);
                boolean inline = name.contains("=");
                Optional<Flag> flag = spec.flag(inline ? name.substring(0, name.indexOf('=')) : name);
                flag.ifPresent(f -> used.add(f.name()));
                if (flag.isPresent() && flag.get().takesValue() && !inline) {
                    expectingValue = flag.get();
                }
            } else {
                positional++;
            }
        }
        if (expectingValue != null) {
            return values(expectingValue.value().orElseThrow().kind(), current);
        }
        List<Candidate> flags = spec.flags().stream().filter(f -> !used.contains(f.name()))
                .map(f -> candidate("--" + f.name(), "flags", f.description())).toList();
        if (current.startsWith("-")) {
            return flags;
        }
        if (positional < spec.params().size()) {
            List<Candidate> values = new ArrayList<>(values(spec.params().get(positional).slot().kind(), current));
            if (spec.params().get(positional).optional() || values.isEmpty()) {
                values.addAll(flags);
            }
            return values;
        }
        return flags;
    }

    private List<Candidate> values(Kind kind, String current) {
        return switch (kind) {
            case APP -> named(names.apps(), "apps");
            case NODE -> named(names.nodes(), "nodes");
            case APP_OR_NODE -> concat(named(names.apps(), "apps"), named(names.nodes(), "nodes"));
            case LOG_TARGET -> logTargets(current);
            case OPERATION_ID -> running.get().stream()
                    .map(h -> candidate(h.operationId(), "running operations", h.title() + " (" + h.requester() + ")"))
                    .toList();
            case COMMAND -> grammar.verbs().stream().map(v -> candidate(v.key(), "commands", null)).toList();
            case NUMBER, VERSION, DURATION, TEXT -> List.of();
        };
    }

    /** Apps and services; once an {@code @} is typed after a service, that service on each node. */
    private List<Candidate> logTargets(String current) {
        int at = current.indexOf('@');
        if (at > 0 && names.services().contains(current.substring(0, at))) {
            String service = current.substring(0, at);
            return names.nodes().stream().map(n -> candidate(service + "@" + n, "services on a node", null)).toList();
        }
        return concat(named(names.apps(), "apps"), named(names.services(), "services"));
    }

    private static List<Candidate> named(Set<String> values, String group) {
        return values.stream().map(v -> candidate(v, group, null)).toList();
    }

    private static List<Candidate> concat(List<Candidate> a, List<Candidate> b) {
        List<Candidate> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Descriptions longer than this are cut: the completion list lays candidates out in columns. */
    private static final int DESCRIPTION_WIDTH = 60;

    private static Candidate candidate(String value, String group, String description) {
        String shown = description == null ? null : Screen.fit(description, DESCRIPTION_WIDTH);
        return new Candidate(value, value, group, shown, null, null, true);
    }
}
