package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The bot's plain command lines read without picocli ({@link Main#botLine}) are read as picocli reads them, or left to it. */
class BotLineTest {

    @TempDir
    Path dir;

    @Test
    void thePlainFormsAreReadAsPicocliReadsThem() {
        for (String[] args : List.of(new String[] {}, new String[] {"--config", "opsbot.yaml"},
                new String[] {"--config=/etc/opsbot/opsbot.yaml"}, new String[] {"--config", "with space.yaml"},
                new String[] {"--config", "execs.yaml"})) {
            Main read = Main.botLine(args).orElseThrow(() -> new AssertionError(String.join(" ", args)));
            CommandLine picocli = Main.commandLine();
            picocli.parseArgs(args);
            Main byPicocli = picocli.getCommand();
            assertThat(read.config).as(String.join(" ", args)).isEqualTo(byPicocli.config);
        }
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"--version"}, new String[] {"-h"},
                new String[] {"--config"}, new String[] {"--config="}, new String[] {"--config", "-x"},
                new String[] {"--config", "a.yaml", "b"}, new String[] {"sim"}, new String[] {"sim", "--port", "0"},
                new String[] {"exec", "status"}, new String[] {"--confi", "a.yaml"}, new String[] {"--config", "a\0b"},
                new String[] {"--config", "exec"}, new String[] {"--config=sim"})) {
            assertThat(Main.botLine(args)).as(String.join(" ", args)).isEmpty();
        }
        assertThat(Main.commandLine().getSubcommands().keySet()).containsExactlyInAnyOrderElementsOf(Main.SUBCOMMANDS);
    }

    @Test
    void aBadConfigurationStillStopsTheBotWithOneLineAndExitStatus2() throws Exception {
        Path file = dir.resolve("opsbot.yaml");
        Files.writeString(file, "slack:\n  mode: http\n  port: not-a-port\n");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        int status;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            status = Main.execute("--config", file.toString());
        } finally {
            System.setErr(err);
        }
        String said = captured.toString(StandardCharsets.UTF_8);
        assertThat(status).as(said).isEqualTo(2);
        assertThat(said).contains("port").doesNotContain("Exception").doesNotContain("\tat ");

        // the same line as picocli's handler gives
        java.io.StringWriter byPicocli = new java.io.StringWriter();
        int picocliStatus = Main.execute(Main.commandLine().setErr(new java.io.PrintWriter(byPicocli, true)), "--config", file.toString());
        assertThat(picocliStatus).isEqualTo(2);
        assertThat(said.strip()).isEqualTo(byPicocli.toString().strip());
    }
}
