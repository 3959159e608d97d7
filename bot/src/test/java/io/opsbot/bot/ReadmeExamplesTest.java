package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.opsbot.bot.render.PlainText;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example command the README shows is run, in the README's order, against the local default (the emulated
 * cluster) through the path the console uses, so the README cannot drift from the product. The examples are read
 * from README.md each time: a new row in the command table, a new {@code ops>} line, a new "`X` answers `Y`" is
 * picked up without touching this test.
 *
 * <p>Where they come from: the last column of the "## Commands" table; {@code ops> COMMAND} lines in code blocks;
 * {@code `/ops COMMAND`} and {@code ./opsbot exec "COMMAND"} in the text; and "`COMMAND` answers `TEXT`", whose
 * answer must contain TEXT. Each must be understood (the grammar parses it) and answer without error: an answer,
 * a plan, a finished operation that succeeded, or — for operations that need it — the confirmation prompt (never
 * confirmed here, so nothing destructive runs).
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    /** "`scale nodap 3` answers `no app named …`": the example and what its answer must contain. */
    private static final Pattern ANSWERS = Pattern.compile("`([^`]+)`\\s+answers\\s+`([^`]+)`");
    private static final Pattern SLASH_OPS = Pattern.compile("`/ops ([^`]+)`");
    private static final Pattern EXEC = Pattern.compile("\\./opsbot exec \"([^\"]+)\"");
    /**
     * The answers that are right although they are refusals: an example names an operation or a schedule by an id
     * that is not there (ids are made afresh each time).
     */
    private static final Pattern NOT_RUNNING = Pattern.compile("no running operation op-[0-9a-f]+.*"
            + "|no report schedule r-[0-9a-f]+.*");
    /**
     * What the console itself reads rather than the command pipeline: a key press shown as "(Ctrl-C)" and
     * {@code cancel} alone (this console's own operation); ConsoleChatTest covers both.
     */
    private static final Pattern CONSOLE_ONLY = Pattern.compile("\\(.*\\)|cancel");

    @TempDir
    static Path home;
    private static Opsbot bot;

    /** An example and, when the README says what it answers, a text the answer must contain. */
    record Example(String command, String answerContains, String where) {}

    static List<Example> examples(String readme) {
        Map<String, Example> found = new LinkedHashMap<>();
        String[] lines = readme.split("\n", -1);
        String section = "";
        boolean inCode = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (!inCode && line.startsWith("## ")) {
                section = line.substring(3).strip();
            }
            if (inCode) {
                if (line.startsWith("ops> ") && !CONSOLE_ONLY.matcher(line.substring(5).strip()).matches()) {
                    add(found, new Example(line.substring(5).strip(), null, section + " (ops> line)"));
                }
                continue;
            }
            if (section.equals("Commands") && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                String last = cells[cells.length - 1].isBlank() ? cells[cells.length - 2] : cells[cells.length - 1];
                Matcher m = Pattern.compile("`([^`]+)`").matcher(last);
                while (m.find()) {
                    add(found, new Example(m.group(1), null, "command table"));
                }
            }
        }
        // phrases may wrap across lines in the Markdown source
        String text = readme.replaceAll("(?<!\\n)\\n(?!\\n)", " ");
        for (Pattern p : List.of(SLASH_OPS, EXEC)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                add(found, new Example(m.group(1), null, "text"));
            }
        }
        Matcher answers = ANSWERS.matcher(text);
        while (answers.find()) {
            found.put(answers.group(1), new Example(answers.group(1), answers.group(2), "text (answers …)"));
        }
        return new ArrayList<>(found.values());
    }

    private static void add(Map<String, Example> found, Example example) {
        found.putIfAbsent(example.command(), example);
    }

    @Test
    void theReadmeHasExamplesFromEverySource() throws IOException {
        List<Example> examples = examples(Files.readString(README));
        assertThat(examples).extracting(Example::where)
                .contains("command table", "Using it (ops> line)", "text", "text (answers …)");
        // every verb of the command table has its example
        assertThat(examples).extracting(Example::command)
                .anyMatch(c -> c.startsWith("deploy ")).anyMatch(c -> c.startsWith("cancel "))
                .anyMatch(c -> c.startsWith("help"));
    }

    @TestFactory
    Stream<DynamicTest> everyReadmeExampleIsUnderstoodAndAnswersWithoutError() throws IOException {
        List<Example> examples = examples(Files.readString(README));
        bot = Opsbot.start((Path) null, home);
        // as the console does: a report for another channel is printed (exec, which has no chat, refuses it)
        bot.reports().connect((channel, report) -> { });
        PlainText text = new PlainText();
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.command() + "  [" + example.where() + "]", () -> {
            Response response = bot.handler().handle(new Request(example.command(), "console:readme", "console", false),
                    ProgressListener.NONE);
            String shown = text.render(response);
            if (example.answerContains() != null) {
                assertThat(shown).as("the README says '%s' answers this", example.command())
                        .contains(example.answerContains());
                return;
            }
            assertThatCode(() -> bot.dispatcher().parser().parse(example.command()))
                    .as("the grammar understands '%s'", example.command()).doesNotThrowAnyException();
            if (response instanceof Response.Rejected rejected) {
                assertThat(rejected.message()).as("'%s' was refused:%n%s", example.command(), shown).matches(NOT_RUNNING);
            } else if (response instanceof Response.Finished finished) {
                assertThat(finished.outcome().state()).as("'%s' ran:%n%s", example.command(), shown)
                        .isEqualTo(Outcome.State.SUCCEEDED);
            } else {
                assertThat(response).isInstanceOfAny(Response.Answer.class, Response.Planned.class,
                        Response.NeedsConfirmation.class);
            }
            assertThat(shown).as("'%s' answers something", example.command()).isNotBlank();
        }));
    }

    @AfterAll
    static void stop() {
        if (bot != null) {
            bot.close();
        }
    }
}
