package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** exec's command line read without picocli ({@link ExecLine}) is read exactly as picocli reads it, or left to it. */
class ExecLineTest {

    /** Words and options of every kind exec may meet, well-formed or not. */
    private static final List<String> TOKENS = List.of("--config", "f.yaml", "--config=g.yaml", "--yes", "--user",
            "alice", "--user=bob", "deploy", "nodeapp", "--plan", "-h", "--help", "--", "", "--yes=true", "-x", "status",
            "--config=", "a b", "--version", "-", "--user=", "exec");

    @Test
    void theCommonFormsAreReadWithoutPicocli() {
        assertThat(ExecLine.read("exec", "deploy nodeapp --only")).contains(
                new ExecLine(null, false, null, List.of("deploy nodeapp --only")));
        assertThat(ExecLine.read("exec", "--config", "/etc/opsbot.yaml", "status")).contains(
                new ExecLine(Path.of("/etc/opsbot.yaml"), false, null, List.of("status")));
        assertThat(ExecLine.read("exec", "--yes", "--user=alice", "--config=o.yaml", "scale", "nodeapp", "--plan")).contains(
                new ExecLine(Path.of("o.yaml"), true, "alice", List.of("scale", "nodeapp", "--plan")));
        assertThat(ExecLine.read("exec", "deploy", "nodeapp", "--yes")).contains(
                new ExecLine(null, false, null, List.of("deploy", "nodeapp", "--yes")));
    }

    @Test
    void whatIsNotPlainIsLeftToPicocli() {
        for (List<String> line : List.of(List.of("exec"), List.of("exec", "--help"), List.of("exec", "-h", "status"),
                List.of("exec", "--config", "status"), List.of("exec", "--yes", "--yes", "status"),
                List.of("exec", "--config", "a", "--config", "b", "status"), List.of("exec", "--plan", "status"),
                List.of("exec", "--", "status"), List.of("exec", "status", "--", "x"), List.of("exec", "--user", "--yes", "x"),
                List.of("exec", "--config=", "status"), List.of("--config", "o.yaml", "exec", "status"), List.of("sim"),
                List.of("exec", "--config", "bad\0path", "status"))) {
            assertThat(ExecLine.read(line.toArray(String[]::new))).as("%s", line).isEmpty();
        }
    }

    @Test
    void everyLineReadWithoutPicocliIsReadTheSameByPicocli() {
        List<List<String>> lines = new ArrayList<>();
        for (String a : TOKENS) {
            lines.add(List.of(a));
            for (String b : TOKENS) {
                lines.add(List.of(a, b));
            }
        }
        // longer lines drawn at random (a fixed seed: the same lines every run); each picocli parse costs a few ms
        Random random = new Random(13);
        for (int n = 0; n < 300; n++) {
            List<String> line = new ArrayList<>();
            for (int k = 3 + random.nextInt(4); k > 0; k--) {
                line.add(TOKENS.get(random.nextInt(TOKENS.size())));
            }
            lines.add(line);
        }
        int read = 0;
        // one picocli command line for all (building one costs a busy machine tens of ms); picocli sets every option
        // back to its initial value before each parse, and a value left over would only make the comparison fail
        CommandLine picocli = Main.commandLine();
        for (List<String> words : lines) {
            String[] args = new String[words.size() + 1];
            args[0] = "exec";
            for (int i = 0; i < words.size(); i++) {
                args[i + 1] = words.get(i);
            }
            Optional<ExecLine> quick = ExecLine.read(args);
            if (quick.isEmpty()) {
                continue;
            }
            read++;
            assertThatCode(() -> picocli.parseArgs(args)).as("%s", words).doesNotThrowAnyException();
            Main.Exec parsed = (Main.Exec) picocli.getSubcommands().get("exec").getCommand();
            assertThat(parsed.help).as("%s", words).isFalse();
            assertThat(new ExecLine(parsed.config, parsed.yes, parsed.user, List.copyOf(parsed.words)))
                    .as("%s", words).isEqualTo(quick.get());
        }
        assertThat(read).as("lines read without picocli").isGreaterThan(100);
    }

    @Test
    void aConfigurationThatCannotBeReadIsSaidAsPicocliSaysIt(@TempDir Path dir) throws Exception {
        // logging set up before the output is captured: its first start may print its status on stdout
        org.slf4j.LoggerFactory.getLogger(ExecLineTest.class).debug("event=test");
        Path missing = dir.resolve("missing.yaml");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "cluster: [unclosed\n");
        for (Path config : List.of(missing, broken)) {
            String[] args = {"exec", "--config", config.toString(), "status"};
            assertThat(ExecLine.read(args)).isPresent();
            Answer quick = capture(() -> Main.execute(args));
            StringWriter picocliErr = new StringWriter();
            Answer picocli = capture(() -> Main.execute(Main.commandLine().setErr(new PrintWriter(picocliErr, true)), args));
            assertThat(quick.status()).isEqualTo(2).isEqualTo(picocli.status());
            assertThat(quick.out()).isEqualTo(picocli.out());
            assertThat(quick.err()).isNotBlank().isEqualTo(picocliErr.toString() + picocli.err());
        }
    }

    private record Answer(int status, String out, String err) {
    }

    private static Answer capture(java.util.function.IntSupplier run) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = run.getAsInt();
            return new Answer(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
                    .replace(System.lineSeparator(), "\n"));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
