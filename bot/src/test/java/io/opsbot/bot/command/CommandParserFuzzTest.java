package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Arbitrary text never breaks the parser: it gives a command whose canonical text parses back to it, or a
 * {@link CommandException} with a one-line chat message, and it does so in well under a millisecond.
 */
class CommandParserFuzzTest {

    /** A generous bound: a parse takes microseconds; a millisecond on average would mean something is wrong. */
    private static final long MAX_AVERAGE_NANOS = 1_000_000;
    /**
     * The slowest single parse, in CPU time of the parsing thread: wall time on a shared build machine also
     * counts the time the thread waited for a core, which says nothing about the parser.
     */
    private static final long MAX_SINGLE_CPU_NANOS = 50_000_000;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final CommandParser PARSER = DemoNames.parser();

    // Timings of the property that is running; jqwik runs one property of a class at a time.
    private static long parses;
    private static long totalNanos;
    private static long maxNanos;
    private static long totalCpuNanos;
    private static long maxCpuNanos;
    private static long commands;

    @BeforeProperty
    void warmUpAndReset() {
        for (int i = 0; i < 200; i++) {
            for (VerbSpec spec : PARSER.grammar().verbs()) {
                PARSER.parse(spec.examples().get(0).text());
            }
        }
        parses = 0;
        totalNanos = 0;
        maxNanos = 0;
        totalCpuNanos = 0;
        maxCpuNanos = 0;
        commands = 0;
    }

    @AfterProperty
    void reportAndCheckTimings() {
        long count = Math.max(1, parses);
        System.out.printf("parse timings: %d parses (%d gave a command); wall: total %.1f ms, average %.2f µs,"
                        + " max %.2f ms; thread CPU: total %.1f ms, average %.2f µs, max %.2f ms%n",
                parses, commands, totalNanos / 1e6, totalNanos / 1e3 / count, maxNanos / 1e6,
                totalCpuNanos / 1e6, totalCpuNanos / 1e3 / count, maxCpuNanos / 1e6);
        assertThat(parses).isPositive();
        assertThat(totalNanos / parses).as("average wall nanoseconds per parse").isLessThan(MAX_AVERAGE_NANOS);
        assertThat(maxCpuNanos).as("slowest parse in CPU nanoseconds").isLessThan(MAX_SINGLE_CPU_NANOS);
    }

    @Property(tries = 10_000)
    void anyTextGivesACommandOrAChatMessageAndNothingElse(@ForAll("anyText") String text) {
        Command command;
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try {
            command = PARSER.parse(text);
        } catch (CommandException e) {
            record(start, cpu, false);
            assertIsAChatMessage(e.getMessage());
            return;
        }
        record(start, cpu, true);
        assertThat(PARSER.parse(command.text())).as("canonical text %s", command.text()).isEqualTo(command);
    }

    @Property(tries = 3_000)
    void everyWellFormedCommandParsesAndItsTextParsesBack(@ForAll("wellFormed") String text) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        Command command = PARSER.parse(text);
        record(start, cpu, true);
        String withoutPrefix = text.replaceFirst("^\\s*(<@U012ABC>\\s*)?(/ops\\s*)?", "");
        assertThat(withoutPrefix.toLowerCase(java.util.Locale.ROOT)).startsWith(command.verb());
        assertThat(PARSER.parse(command.text())).isEqualTo(command);
        assertThat(PARSER.parse(command.text()).text()).isEqualTo(command.text());
    }

    private static void record(long wallStart, long cpuStart, boolean parsed) {
        long nanos = System.nanoTime() - wallStart;
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuStart;
        parses++;
        totalNanos += nanos;
        maxNanos = Math.max(maxNanos, nanos);
        totalCpuNanos += cpuNanos;
        maxCpuNanos = Math.max(maxCpuNanos, cpuNanos);
        if (parsed) {
            commands++;
        }
    }

    private static void assertIsAChatMessage(String message) {
        assertThat(message).isNotBlank();
        assertThat(message.length()).isLessThan(1_000);
        assertThat(message.chars()).noneMatch(c -> Character.isISOControl(c));
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().all().ofMaxLength(60)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMinLength(990).ofMaxLength(1_010)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars(" \"'“”‘’\\-=@<>/|:!\t\n\u00A0\u200B")
                        .withCharRange('a', 'e').ofMaxLength(40)),
                net.jqwik.api.Tuple.of(8, wordSoup()));
    }

    /** Real verbs, flags, names and values, with typos, quotes and junk, in any order. */
    private Arbitrary<String> wordSoup() {
        Arbitrary<String> verb = Arbitraries.of("deploy", "scale", "restart", "rollback", "move", "logs", "status",
                "drift", "history", "who deployed", "what changed", "cancel", "help", "who", "what", "sacle", "DEPLOY",
                "Who Deployed", "/ops logs", "<@U012ABC> status");
        Arbitrary<String> word = Arbitraries.oneOf(
                verb,
                Arbitraries.of("--plan", "--only", "--version", "--since", "--grep", "--lines", "--help", "-h",
                        "—plan", "--since=", "--lines=5", "--grep=", "--version=1.2", "--", "-", "--plan=yes",
                        "--PLAN", "-x"),
                Arbitraries.of("nodeapp", "nginx", "mongo", "node1", "node2", "node3", "docker", "marathon",
                        "mesos-slave", "weave", "docker@node2", "nodeapp@node1", "@", "docker@", "@node2", "nodap",
                        "/nodeapp", "NodeApp"),
                Arbitraries.of("0", "3", "-1", "1000", "1001", "007", "+2", "99999999999999999999", "2.5", "three",
                        "15m", "7d", "8d", "0s", "1h30m", "90", "1x", "999999999d"),
                Arbitraries.of("\"connection refused\"", "\"", "'", "“", "”", "‘", "’", "'it's'", "\"a \\\"b\\\"\"",
                        "\"\"", "op-7f3a2c", "op-", "OP-ABCDEF", "2016-03-01T12:00:00.000Z", "1.4.2", "<@U012ABC>",
                        "/ops", "ü", "🙂", "\u0000", "\n", "\u200B", "\uD800", "=", "\\"),
                Arbitraries.strings().all().ofMaxLength(8));
        Arbitrary<String> separator = Arbitraries.of(" ", " ", " ", "  ", "\t", "\u00A0", "", "=");
        // most lines start with a real command, so that the words after it reach the argument and flag readers
        Arbitrary<String> first = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, verb),
                net.jqwik.api.Tuple.of(1, word));
        return Combinators.combine(first, word.list().ofMaxSize(8), separator.list().ofSize(9))
                .as((head, words, separators) -> {
                    StringBuilder line = new StringBuilder(head).append(separators.get(8));
                    for (int i = 0; i < words.size(); i++) {
                        line.append(words.get(i)).append(separators.get(i));
                    }
                    return line.toString();
                });
    }

    /** Valid commands built from the grammar table itself: every verb, argument kind and flag. */
    @Provide
    Arbitrary<String> wellFormed() {
        List<Arbitrary<String>> perVerb = new ArrayList<>();
        for (VerbSpec spec : PARSER.grammar().verbs()) {
            if (spec.name().equals("report")) {
                // its first word picks a sub-command, and what follows depends on it: a cron, a channel or an id
                perVerb.add(Combinators.combine(Arbitraries.of("report", "REPORT"), Arbitraries.of("now", "now #ops",
                        "now <#C0123ABC|ops>", "schedule \"0 0 9 * * ?\"", "schedule \"0/30 * * * * ?\" #ops --tz Europe/Paris",
                        "Schedule \"0 0 9 ? * MON-FRI\" #ops-alerts", "schedules", "unschedule r-3f9a2c", "unschedule config-0a1b2c3d"))
                        .as((verb, rest) -> verb + " " + rest));
                continue;
            }
            List<Arbitrary<String>> parts = new ArrayList<>();
            parts.add(Arbitraries.of(spec.name(), spec.name().toUpperCase(java.util.Locale.ROOT)));
            for (Param param : spec.params()) {
                Arbitrary<String> value = valueOf(param.slot()).map(CommandText::quoted);
                parts.add(param.optional() ? value.injectNull(0.4).map(v -> v == null ? "" : v) : value);
            }
            for (Flag flag : spec.flags()) {
                Arbitrary<String> given = flag.value()
                        .map(slot -> valueOf(slot).map(v -> "--" + flag.name() + " " + CommandText.quoted(v)))
                        .orElse(Arbitraries.just("--" + flag.name()));
                parts.add(given.injectNull(0.5).map(v -> v == null ? "" : v));
            }
            perVerb.add(Combinators.combine(parts).as(words -> words.stream().filter(w -> !w.isEmpty())
                    .collect(Collectors.joining(" "))));
        }
        Arbitrary<String> prefix = Arbitraries.of("", "", "/ops ", "<@U012ABC> ", "  ");
        // logs --case says how --grep matches: without --grep it is refused (CommandErrorsTest), not well-formed
        return Combinators.combine(prefix, Arbitraries.oneOf(perVerb)).as(String::concat)
                .filter(text -> !text.contains("--case") || text.contains("--grep"));
    }

    private static Arbitrary<String> valueOf(Slot slot) {
        KnownNames names = PARSER.names();
        switch (slot.kind()) {
            case APP:
                return Arbitraries.of(names.apps());
            case NODE:
                return Arbitraries.of(names.nodes());
            case APP_OR_NODE:
                return Arbitraries.oneOf(Arbitraries.of(names.apps()), Arbitraries.of(names.nodes()));
            case LOG_TARGET:
                return Arbitraries.oneOf(Arbitraries.of(names.apps()), Arbitraries.of(names.services()),
                        Combinators.combine(Arbitraries.of(names.services()), Arbitraries.of(names.nodes()))
                                .as((service, node) -> service + "@" + node));
            case NUMBER:
                return Arbitraries.longs().between(slot.min(), slot.max()).map(Object::toString);
            case VERSION:
                return Arbitraries.of("1.4.2", "v2", "latest", "2016-03-01T12:00:00.000Z", "1.0.0-rc1", "build_7");
            case OPERATION_ID:
                return Arbitraries.strings().withChars("0123456789abcdef").ofLength(6).map(hex -> "op-" + hex);
            case COMMAND:
                return Arbitraries.of(PARSER.grammar().verbs()).map(VerbSpec::name);
            case DURATION:
                return Arbitraries.longs().between(slot.min(), slot.max())
                        .map(seconds -> CommandText.duration(Duration.ofSeconds(seconds)));
            case TEXT:
                return Arbitraries.strings().withCharRange(' ', '~').withChars("üé“”‘’—")
                        .ofMinLength(1).ofMaxLength((int) slot.max());
            default:
                throw new IllegalStateException("no generator for " + slot.kind());
        }
    }
}
