package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.access.Access;
import io.opsbot.bot.access.GroupDirectory;
import io.opsbot.bot.command.Command;
import io.opsbot.bot.command.CommandException;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.command.Words;
import io.opsbot.bot.fuzz.ChatInputs;
import io.opsbot.bot.fuzz.FuzzTally;
import io.opsbot.bot.fuzz.LongModeTries;
import io.opsbot.bot.fuzz.LongTries;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.bot.render.BlockKit;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.engine.ProgressListener;
import io.opsbot.engine.Report;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every way text reaches the bot — a slash command, a mention, a direct message, an alert's button, a running
 * operation's Cancel button, a console line, {@code opsbot exec}'s arguments — fed with grammar-made input that
 * mixes real verbs, flags and names with hostile characters, through the same text handling the adapter uses, then
 * access and the parser. Each input gives a command or a specific, printable rejection (never a generic one, never
 * an exception's text), within a bound (no hang). Bounded here; {@code OPSBOT_LONG=true} runs over a million inputs.
 * Figures go to {@code bot/target/fuzz/entry-points.txt}.
 */
@AddLifecycleHook(LongModeTries.class)
class ChatEntryPointsFuzzTest {

    static final KnownNames NAMES = KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"),
            List.of("node1", "node2", "node3"));
    static final CommandParser PARSER = new CommandParser(NAMES, true);
    static final ChatInputs INPUTS = new ChatInputs(PARSER);
    static final List<String> USERS = List.of("UADMIN", "UOPS", "UVIEW", "USTRANGER", "", "U<@x>");
    static final List<String> CHANNELS = List.of("C0OPS", "C0READ", "D0DM", "console", "exec");

    private static final Access ACCESS = new Access(new AccessConfig(Map.of(
            "admin", List.of("UADMIN"), "operator", List.of("UOPS"), "viewer", List.of("UVIEW", "UADMIN", "UOPS",
                    "console:fuzz", "exec:fuzz")),
            Map.of("C0READ", List.of("status", "logs")), "5m"), GroupDirectory.NONE);

    /** What the pipeline does before it touches a cluster: access, then the parser (as Dispatcher.handle does). */
    private static final CommandHandler PIPELINE = ACCESS.guard((request, progress) -> {
        Command command;
        try {
            command = PARSER.parse(request.text());
        } catch (CommandException e) {
            return new Response.Rejected(e.getMessage());
        }
        return new Response.Answer(new Report(command.text(), List.of(), true));
    });

    static FuzzTally tally;

    @BeforeContainer
    static void start() {
        tally = new FuzzTally("entry-points");
    }

    @AfterContainer
    static void report() {
        tally.report();
    }

    /** Slack escapes &, < and > in what people type; the adapter undoes it after taking the mention off. */
    private static String slackEscaped(String typed) {
        return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 1000)
    @LongTries(250_000)
    void slashCommandText(@ForAll("line") String typed, @ForAll("user") String user, @ForAll("channel") String channel) {
        run("slash command", new Request(SlackBot.commandText(slackEscaped(typed)), user, channel, false), typed);
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 700)
    @LongTries(200_000)
    void appMention(@ForAll("mention") String mention, @ForAll("line") String typed, @ForAll("user") String user,
                    @ForAll("channel") String channel) {
        String text = mention + slackEscaped(typed);
        run("app mention", new Request(SlackBot.commandText(text), user, channel, false), typed);
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 500)
    @LongTries(150_000)
    void directMessage(@ForAll("line") String typed, @ForAll("user") String user) {
        run("direct message", new Request(SlackBot.commandText(slackEscaped(typed)), user, "D0DM", false), typed);
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 500)
    @LongTries(100_000)
    void alertButtons(@ForAll("alertAction") String action, @ForAll("buttonValue") String value,
                      @ForAll("user") String user) {
        String text = AlertBlocks.commandFor(action, value);
        if (run("alert button", new Request(text, user, "C0OPS", false), value) instanceof Response.Answer) {
            // a button's value is its command's one subject, never more words (no "--force" riding along)
            assertThat(Words.of(text)).as("words of %s", text).hasSizeGreaterThan(1).element(1).isEqualTo(value);
        }
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 300)
    @LongTries(50_000)
    void cancelButton(@ForAll("buttonValue") String value, @ForAll("user") String user) {
        String text = BlockKit.cancelCommand(value);
        if (run("cancel button", new Request(text, user, "C0OPS", false), value) instanceof Response.Answer) {
            assertThat(Words.of(text)).as("words of %s", text).containsExactly("cancel", value);
        }
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 700)
    @LongTries(150_000)
    void consoleLine(@ForAll("line") String typed) {
        // the console trims the line it read, as ConsoleChat.run does
        run("console line", new Request(typed.trim(), "console:fuzz", "console", false), typed);
    }

    @Property(edgeCases = EdgeCasesMode.NONE, tries = 800)
    @LongTries(150_000)
    void execArguments(@ForAll("execWords") List<String> words) {
        String text = Main.commandText(words);
        run("exec arguments", new Request(text, "exec:fuzz", "exec", false), String.join(" ", words));
        if (words.size() > 1) {
            // the shell's words come back as the command's words: quoting them again keeps each one whole
            assertThat(Words.of(text)).as("words of %s", text).isEqualTo(words);
        }
    }

    private static Response run(String entryPoint, Request request, String typed) {
        Response response = tally.bounded(entryPoint, typed, () -> PIPELINE.handle(request, ProgressListener.NONE));
        if (response instanceof Response.Rejected r) {
            tally.rejected(entryPoint, r.message(), typed);
        } else {
            assertThat(response).isInstanceOf(Response.Answer.class);
            tally.accepted(entryPoint);
        }
        return response;
    }

    @Provide
    Arbitrary<String> line() {
        return INPUTS.line();
    }

    @Provide
    Arbitrary<List<String>> execWords() {
        return INPUTS.execWords();
    }

    @Provide
    Arbitrary<String> buttonValue() {
        return INPUTS.buttonValue();
    }

    @Provide
    Arbitrary<String> alertAction() {
        return Arbitraries.of(AlertBlocks.ACTION_LOGS, AlertBlocks.ACTION_STATUS, AlertBlocks.ACTION_RESTART,
                AlertBlocks.ACTION_MUTE);
    }

    @Provide
    Arbitrary<String> mention() {
        return Arbitraries.of("<@U0BOT> ", "<@U0BOT|opsbot>: ", "<@U0BOT>", "  <@U0BOT> /ops ", "<@U0BOT>, ");
    }

    @Provide
    Arbitrary<String> user() {
        return Arbitraries.of(USERS);
    }

    @Provide
    Arbitrary<String> channel() {
        return Arbitraries.of(CHANNELS);
    }
}
