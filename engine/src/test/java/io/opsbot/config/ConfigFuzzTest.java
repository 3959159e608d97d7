package io.opsbot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any text at all, and YAML made of opsbot.yaml's own names and every kind of value in every place: the loader either
 * returns a configuration or throws {@link ConfigException} with at least one problem — never another exception (a
 * NullPointerException of a record, a SnakeYAML error that escaped) — and a binding problem never shows a value from
 * the environment.
 */
class ConfigFuzzTest {

    private static final String SECRET = "s3cr3t-value";
    private static final ConfigLoader LOADER = new ConfigLoader(Map.of("SECRET", SECRET, "NUM", "42", "ON", "true")::get);

    @Property(tries = 300)
    void anyTextLoadsOrListsItsProblems(@ForAll String text) {
        loadsOrListsProblems(text);
    }

    @Property(tries = 800)
    void yamlOfOpsbotsOwnNamesLoadsOrListsItsProblems(@ForAll("documents") String yaml) {
        loadsOrListsProblems(yaml);
    }

    private static void loadsOrListsProblems(String text) {
        try {
            LOADER.parse(text, "opsbot.yaml", null);
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            // the binder's own messages never quote a value from the environment (the validator's checks of a URL or
            // a mode quote what they refuse, as they did before)
            assertThat(e.problems()).filteredOn(p -> p.startsWith("bad value at") || p.startsWith("unknown setting"))
                    .noneMatch(p -> p.contains(SECRET));
        }
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> key = Arbitraries.of(Stream.of(ConfigBinder.TOP, ConfigBinder.CLUSTER, ConfigBinder.SSH,
                ConfigBinder.SLACK, ConfigBinder.ALERTS, ConfigBinder.REPORTS, ConfigBinder.SCHEDULE, ConfigBinder.SERVICE,
                ConfigBinder.ENGINE, List.of("node1", "marathon", "x", "7", "<<", "\"quoted\"", "? [a]")).flatMap(List::stream).toList());
        Arbitrary<String> value = Arbitraries.of("", "~", "null", "'null'", "1", "-3", "0x1F", "99999999999", "2.5", "yes", "off",
                "true", "\"${SECRET}\"", "${SECRET}", "${NUM}", "${ON}", "${UNSET}", "${UNSET:-d}", "[a, b]", "[]", "[~]",
                "[[a]]", "{}", "{ a: b }", "{ url: \"http://a:1\" }", "&a x", "*a", "*missing", "!!str 1", "!!binary x",
                "\"unterminated", "{ a: ", "- x", "|", ">\n  folded", "'it''s'", "\"\\u0000\"", "jdbc:h2:mem:x");
        Arbitrary<String> line = Combinators.combine(Arbitraries.integers().between(0, 6), key, value,
                Arbitraries.of(": ", ":", " : ", "- ", ": - ")).as((indent, k, v, sep) -> " ".repeat(indent) + k + sep + v);
        return line.list().ofMaxSize(12).map(lines -> String.join("\n", lines) + "\n");
    }
}
