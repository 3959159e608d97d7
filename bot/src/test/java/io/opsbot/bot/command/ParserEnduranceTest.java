package io.opsbot.bot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fuzz property's contract held over many more inputs than a property run: a seeded stream of token soup
 * made of the grammar's own words, flags, names and hostile fragments. {@code ./run-tests --long}
 * (OPSBOT_LONG=true) runs a million inputs; the normal run twenty thousand.
 */
class ParserEnduranceTest {

    private static final int INPUTS = "true".equals(System.getenv("OPSBOT_LONG")) ? 1_000_000 : 20_000;
    private static final String[] FRAGMENTS = {"deploy", "scale", "restart", "rollback", "move", "logs", "status",
        "drift", "history", "who", "deployed", "what", "changed", "cancel", "help", "nodeapp", "nginx", "mongo",
        "node1", "node3", "marathon", "docker@node2", "--plan", "--only", "--version", "--since", "--grep",
        "--lines", "--lines=5", "15m", "7d", "8d", "0", "-1", "1000", "1001", "3", "op-7f3a2c", "\"", "'", "“",
        "”", "\\", "$(reboot)", "`id`", "; rm -rf /", "<@U012ABC>", "/ops", "\u200b", "\u0000", "\n", "é", "🙂",
        "\uD800", "--", "=", "@", "--since=", "\t"};

    @Test
    void aLargeSeededStreamOfTokenSoupNeverBreaksTheParser() {
        CommandParser parser = DemoNames.parser();
        Random random = new Random(20261125);
        List<Long> nanos = new ArrayList<>(INPUTS);
        int commands = 0;
        for (int i = 0; i < INPUTS; i++) {
            String text = soup(random);
            long t0 = System.nanoTime();
            try {
                Command command = parser.parse(text);
                commands++;
                assertThat(parser.parse(command.text())).as("canonical text of '%s'", text).isEqualTo(command);
            } catch (CommandException e) {
                assertThat(e.getMessage()).as("message for '%s'", text).isNotBlank().doesNotContain("\n");
            } catch (RuntimeException e) {
                fail("input '" + text.replace("\n", "\\n") + "' broke the parser", e);
            }
            nanos.add(System.nanoTime() - t0);
        }
        nanos.sort(null);
        double average = nanos.stream().mapToLong(Long::longValue).average().orElse(0);
        System.out.printf(Locale.ROOT, "parser endurance: %d inputs, %d commands; average %.1f µs, p99 %.1f µs, max %.1f ms%n",
                INPUTS, commands, average / 1000, nanos.get((int) (nanos.size() * 0.99)) / 1000.0,
                nanos.get(nanos.size() - 1) / 1_000_000.0);
        assertThat(commands).as("some inputs are valid commands").isPositive();
        assertThat(average).as("average parse time in ns").isLessThan(1_000_000);
    }

    private static String soup(Random random) {
        int words = random.nextInt(7);
        StringBuilder out = new StringBuilder();
        for (int w = 0; w < words; w++) {
            if (w > 0 || random.nextInt(4) == 0) {
                out.append(random.nextInt(10) == 0 ? "  " : " ");
            }
            out.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            if (random.nextInt(12) == 0) {
                out.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            }
        }
        return out.toString();
    }
}
