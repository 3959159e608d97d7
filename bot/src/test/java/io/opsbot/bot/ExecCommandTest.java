package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code opsbot exec}: the chat command's words and flags after exec's own options, quoted or not. */
class ExecCommandTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;
    private String opsbotHome;

    @BeforeEach
    void capture() {
        opsbotHome = System.getProperty("opsbot.home");
        System.setProperty("opsbot.home", home.toString());
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
        if (opsbotHome == null) {
            System.clearProperty("opsbot.home");
        } else {
            System.setProperty("opsbot.home", opsbotHome);
        }
    }

    private static int exec(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "exec";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.commandLine().execute(all);
    }

    @Test
    void flagsAfterTheCommandWordsBelongToTheChatCommand() {
        assertThat(exec("deploy", "nodeapp", "--plan")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("plan for 'deploy nodeapp' (nothing changed)");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Unknown option");
    }

    @Test
    void theQuotedFormStillWorks() {
        assertThat(exec("deploy nodeapp --plan")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("plan for 'deploy nodeapp' (nothing changed)");
    }

    @Test
    void execsOwnOptionsComeBeforeTheCommandAndAreToldWhenTheyComeAfter() {
        assertThat(exec("--yes", "--user", "alice", "scale", "nodeapp", "3")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("✓ scale nodeapp 3");

        assertThat(exec("scale", "nodeapp", "0", "--yes")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'--yes' is an option of exec, and exec's options come"
                + " before the command: ./opsbot exec --yes scale nodeapp 0");
    }

    @Test
    void wordsTheShellUnquotedAreQuotedAgainForTheChatCommand() {
        assertThat(Main.commandText(List.of("logs", "nodeapp", "--grep", "connection refused")))
                .isEqualTo("logs nodeapp --grep \"connection refused\"");
        assertThat(Main.commandText(List.of("logs", "nodeapp", "--grep", "say \"hi\"")))
                .isEqualTo("logs nodeapp --grep \"say \\\"hi\\\"\"");
        assertThat(Main.commandText(List.of("logs nodeapp --grep 'a b'"))).isEqualTo("logs nodeapp --grep 'a b'");
    }

    /** Found by ChatEntryPointsFuzzTest: exec's quoting knew fewer spaces and quotes than the parser. */
    @Test
    void everyWordTheShellGaveStaysOneWordOfTheChatCommand() {
        List<List<String>> cases = List.of(
                List.of("logs", "nodeapp", "--grep", "a b\\"),           // a backslash before the closing quote
                List.of("logs", "nodeapp", "--grep", "\u00A0"),           // a no-break space: a space to the parser
                List.of("logs", "nodeapp", "--grep", "it\u2019s \u201Cdown\u201D"),
                List.of("logs", "nodeapp", "--grep", "a\"b'c d"),
                List.of("logs", "nodeapp", "--grep", "--plan"),
                List.of("logs", "nodeapp", "--grep", ""));
        for (List<String> words : cases) {
            assertThat(io.opsbot.bot.command.Words.of(Main.commandText(words))).as("%s", words).isEqualTo(words);
        }
    }
}
