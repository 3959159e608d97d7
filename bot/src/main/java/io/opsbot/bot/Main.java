package io.opsbot.bot;

import io.opsbot.bot.access.Access;
import io.opsbot.bot.console.ConsoleAlerts;
import io.opsbot.bot.console.ConsoleChat;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.bot.render.HealthText;
import io.opsbot.bot.render.OperationView;
import io.opsbot.bot.render.PlainText;
import io.opsbot.catalog.AppCatalog;
import io.opsbot.config.ConfigException;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.OpsException;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimOptions;
import io.opsbot.sim.SimScope;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jline.terminal.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The entry points: the chat (console or Slack), {@code exec} for one command, {@code sim} for the emulator. */
@Command(name = "opsbot", mixinStandardHelpOptions = true, version = "opsbot 0.1.0",
        description = "Chat-ops for Mesos/Marathon clusters. With no configuration: the console chat against the emulated cluster.",
        subcommands = {Main.Exec.class, Main.SimCommand.class})
public final class Main implements Callable<Integer> {

    /** Asked for when used: a one-shot exec sets up logging on another thread meanwhile ({@link LoggingStart}). */
    private static org.slf4j.Logger log() {
        LoggingStart.await();
        return org.slf4j.LoggerFactory.getLogger(Main.class);
    }

    @Option(names = "--config", description = "opsbot.yaml (default: $OPSBOT_CONFIG; none = the local default)")
    Path config;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit status. A bad configuration, a rejected Slack token or any other
     * failure a person must fix is said in one line on stderr (exit status 2); its stack trace goes to the log at
     * debug level only.
     */
    static int execute(String... args) {
        java.util.Optional<ExecLine> exec = ExecLine.read(args);
        return exec.isPresent() ? run(exec.get().command()) : execute(commandLine(), args);
    }

    /**
     * Runs an exec command read without picocli ({@link ExecLine}) as picocli runs it with {@link #execute(CommandLine,
     * String...)}'s handler: a failure a person must fix in one line on stderr (exit status 2), any other exception's
     * stack trace on stderr (exit status 1, picocli's for an exception no handler took).
     */
    static int run(Exec exec) {
        LoggingStart.begin();
        try {
            return exec.call();
        } catch (Exception e) {
            Integer status = toFix(e, System.err::println);
            if (status != null) {
                return status;
            }
            e.printStackTrace();
            System.err.flush();
            return 1;
        }
    }

    /**
     * A failure a person must fix (the configuration, or a command refused with its reason): its one line to
     * {@code err} and exit status 2; null for any other exception.
     */
    private static Integer toFix(Exception e, java.util.function.Consumer<String> err) {
        if (e instanceof ConfigException || e instanceof OpsException) {
            log().debug("event=start_failed", e);
            err.accept(e instanceof ConfigException ? e.getMessage() : "opsbot: " + e.getMessage());
            return 2;
        }
        return null;
    }

    static int execute(CommandLine commandLine, String... args) {
        return commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Integer status = toFix(e, cmd.getErr()::println);
            if (status != null) {
                return status;
            }
            throw e;
        }).execute(args);
    }

    /**
     * The command line: {@code exec}'s own options come before the command words, and everything from the first
     * command word on belongs to the chat command ({@code exec deploy nodeapp --plan}), quoted or not.
     */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main()).setExpandAtFiles(false);
        line.getSubcommands().get("exec").setStopAtPositional(true);
        return line;
    }

    /** How long a long-running bot waits before it tries an unreachable journal again at start. */
    static final java.time.Duration JOURNAL_RETRY = java.time.Duration.ofSeconds(5);

    @Override
    public Integer call() throws Exception {
        try (Opsbot bot = startWaitingForTheJournal(configFile(config), Home.dir(), JOURNAL_RETRY,
                line -> System.err.println("opsbot: " + line))) {
            if (bot.config().slack() != null) {
                bot.keepRecovering();
                return runSlack(bot);
            }
            Dispatcher dispatcher = bot.dispatcher();
            try (Terminal terminal = ConsoleChat.systemTerminal()) {
                ConsoleChat chat = new ConsoleChat(bot.handler(), dispatcher.parser(), terminal, new ConsoleChat.Settings(
                        "console:" + System.getProperty("user.name", "user"), bot.emulated(),
                        Home.dir().resolve("console_history"), dispatcher::running, bot.recoveredAtStart()));
                bot.alerts().ifPresent(alerts -> alerts.start(new ConsoleAlerts(chat.output()::printAbove)));
                HealthText reportText = new HealthText(bot.reports().zone());
                bot.reports().connect((channel, report) -> chat.output().printAbove(reportText.render(report, true)));
                bot.keepRecovering(outcome -> chat.output().printAbove(ConsoleChat.recoveredLine(outcome)));
                int status = chat.run();
                if (status == ConsoleChat.EXIT_INTERRUPTED) {
                    // quit now, as a crash would: what runs stays RUNNING in the journal and the next start finishes
                    // it through fresh checks; closing the engine and journal under it would only make it fail noisily
                    terminal.writer().flush();
                    System.exit(status);
                }
                return status;
            }
        }
    }

    /**
     * Starts a long-running bot (console, Slack). A journal that cannot be reached at start (its database down) is
     * waited for, one line per attempt, as a service should: nothing runs meanwhile, since opsbot runs nothing it
     * cannot record. {@code exec} does not wait: it says so and exits 2.
     */
    static Opsbot startWaitingForTheJournal(Path configFile, Path home, java.time.Duration pause,
                                            java.util.function.Consumer<String> say) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Opsbot.start(configFile, home);
            } catch (io.opsbot.engine.JournalUnavailableException unreachable) {
                say.accept(unreachable.getMessage() + "; trying again in " + pause.toSeconds() + " s (attempt " + attempt
                        + "; Ctrl-C stops)");
                Thread.sleep(pause.toMillis());
            }
        }
    }

    /**
     * With a slack section the bot serves Slack until it is stopped (SIGTERM, Ctrl-C). While Slack cannot be
     * reached it keeps trying, one line per attempt on stderr, as a long-running service should.
     */
    private static int runSlack(Opsbot bot) throws InterruptedException {
        Thread starter = Thread.currentThread();
        Thread stopWaiting = new Thread(starter::interrupt);
        Runtime.getRuntime().addShutdownHook(stopWaiting);
        SlackBot connected;
        try {
            connected = slackBuilder(bot).startRetrying(line -> System.err.println("opsbot: " + line));
        } catch (InterruptedException e) {
            return 0; // stopped while waiting for Slack
        } finally {
            removeHook(stopWaiting);
        }
        try (SlackBot slack = connected) {
            bot.alerts().ifPresent(alerts -> alerts.start(slack.alertSink(alerts)));
            Runtime.getRuntime().addShutdownHook(new Thread(slack::close));
            bot.reports().connect(slack.reportSink(bot.reports().zone()));
            System.err.println("opsbot: serving Slack (" + (bot.config().slack().mode() == null ? "socket"
                    : bot.config().slack().mode()) + " mode)" + (bot.emulated() ? " against the emulated cluster" : ""));
            slack.awaitClose();
        }
        return 0;
    }

    /** The Slack adapter wired to the bot: the grammar's roles, the journal's owners and audit. */
    static SlackBot.Builder slackBuilder(Opsbot bot) {
        return slackBuilder(bot, bot.config().slack(), bot.config().access(), bot.handler());
    }

    /**
     * The same wiring with another Slack section, access rules and handler: tests point it at a fake Slack and may
     * wrap the handler to watch what reaches it.
     */
    public static SlackBot.Builder slackBuilder(Opsbot bot, OpsbotConfig.SlackConfig slack, OpsbotConfig.AccessConfig access,
                                                CommandHandler handler) {
        Dispatcher dispatcher = bot.dispatcher();
        return SlackBot.builder(slack, access, handler)
                .emulated(bot.emulated())
                .verbRoles(Access.verbRoles(dispatcher.parser().grammar()))
                .owners(dispatcher::requesterOf)
                .audit(dispatcher::record)
                .deliveries(bot.deliveries());
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already stopping: nothing to remove
        }
    }

    static Path configFile(Path option) {
        if (option != null) {
            return option;
        }
        String fromEnv = System.getenv("OPSBOT_CONFIG");
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** Runs one command, prints the result as plain text, exits 0 ok, 1 failed, 2 bad command, 3 needs confirmation. */
    @Command(name = "exec", description = "Run one command and exit.")
    static final class Exec implements Callable<Integer> {

        // Not mixinStandardHelpOptions: its --version would swallow the command's own (`deploy nodeapp --version 1.5`).
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(arity = "1..*", paramLabel = "COMMAND",
                description = "the chat command, quoted or not: everything from its first word on is the command's,"
                        + " e.g. deploy nodeapp --plan; exec's own options come before it")
        List<String> words;

        @Option(names = "--config", description = "opsbot.yaml")
        Path config;

        @Option(names = "--yes", description = "confirm an operation that needs confirmation")
        boolean yes;

        @Option(names = "--user", description = "who runs it, for the journal (default: exec:$USER)")
        String user;

        @Override
        public Integer call() throws Exception {
            String who = user != null ? user : "exec:" + System.getProperty("user.name", "user");
            PlainText text = new PlainText();
            String misplaced = misplacedOption(words);
            if (misplaced != null) {
                System.err.println("✗ '" + misplaced + "' is an option of exec, and exec's options come before the"
                        + " command: ./opsbot exec " + misplaced + " " + commandText(words.stream()
                        .filter(w -> !w.equals(misplaced)).toList()));
                return 2;
            }
            try (Opsbot bot = Opsbot.start(configFile(config), Home.dir())) {
                bot.recoveredAtStart().forEach(o -> System.err.println(ConsoleChat.recoveredLine(o)));
                Request request = new Request(commandText(words), who, "exec", yes);
                // Live progress (deployment steps, task events, health) to stderr; the final view goes to stdout.
                java.util.Map<Integer, String> said = new java.util.concurrent.ConcurrentHashMap<>();
                OperationView progress = new OperationView(request.text(), bot.emulated(), Clock.systemUTC(), s -> {
                    if (s.waiting() != null && !s.waiting().equals(said.put(-1, s.waiting()))) {
                        System.err.println("  … " + s.waiting());
                    }
                    for (int i = 0; i < s.steps().size(); i++) {
                        OperationView.StepLine line = s.steps().get(i);
                        if (line.status() == OperationView.StepStatus.RUNNING && line.detail() != null
                                && !line.detail().equals(said.put(i, line.detail()))) {
                            System.err.println("  … " + line.description() + ": " + line.detail());
                        }
                    }
                });
                Response response = bot.handler().handle(request, progress);
                System.out.println(text.render(response));
                if (response instanceof Response.NeedsConfirmation asked) {
                    // exec cannot ask: the journal says it was not confirmed, as a console's "n" would
                    asked.answers().record(ConfirmationAnswers.Answer.DECLINED, who + " (exec without --yes)");
                    System.out.println("not run: add --yes to confirm");
                }
                return response.exitStatus();
            }
        }
    }

    /** exec's own switches typed after the command words, where they would belong to the chat command. */
    private static final List<String> EXEC_SWITCHES = List.of("--yes");

    static String misplacedOption(List<String> words) {
        return words.stream().skip(1).filter(EXEC_SWITCHES::contains).findFirst().orElse(null);
    }

    /**
     * The chat command from exec's arguments: one argument is the whole command as typed
     * ({@code exec "logs nodeapp --grep 'a b'"}); several are its words, the shell having removed their quotes, so a
     * word with a space or a quote in it is quoted again ({@code exec logs nodeapp --grep "a b"}).
     */
    static String commandText(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        return words.stream().map(Main::requote).collect(java.util.stream.Collectors.joining(" "));
    }

    /**
     * The word as the parser reads it back whole: quoted when it has a space (any Unicode one), a quote or a backslash;
     * a flag stays a flag ({@code --plan}, and {@code --grep=a b} as {@code --grep="a b"}).
     */
    private static String requote(String word) {
        if (word.startsWith("-")) {
            int equals = word.indexOf('=');
            String name = equals < 0 ? word : word.substring(0, equals);
            if (quote("x" + name).equals("x" + name)) {
                return equals < 0 ? word : name + "=" + quote(word.substring(equals + 1));
            }
        }
        return quote(word);
    }

    private static String quote(String word) {
        return io.opsbot.bot.command.CommandParser.quote(word);
    }

    /** Starts the emulated cluster alone, prints where each service listens, runs until stopped. */
    @Command(name = "sim", mixinStandardHelpOptions = true, description = "Run the emulated cluster on loopback.",
            footer = SimScope.TEXT)
    static final class SimCommand implements Callable<Integer> {

        @Option(names = "--port", description = "Marathon's port (default ${DEFAULT-VALUE}; 0 = any free)", defaultValue = "8080")
        int port;

        @Option(names = "--topology", description = "a topology file (default: node1..node3 running the app catalog: nginx, nodeapp, mongo)")
        Path topology;

        @Option(names = "--reset", description = "start the emulated cluster afresh")
        boolean reset;

        @Option(names = "--time-scale", description = "simulated seconds per real second while the cluster changes (deployments, tasks starting, datasets moving); at rest it keeps to the wall clock (default ${DEFAULT-VALUE})", defaultValue = "10")
        double timeScale;

        @Override
        public Integer call() throws Exception {
            CountDownLatch stopped = new CountDownLatch(1);
            Path simHome = Home.dir().resolve("sim");
            Path chosen = topology != null ? topology
                    : LocalCluster.writeTopology(simHome, AppCatalog.load(Opsbot.appsDir(
                            OpsbotConfig.empty())));
            try (Sim sim = Sim.start(new SimOptions(simHome, port, chosen, timeScale, reset))) {
                System.out.println(sim.describe());
                System.out.println("(emulated cluster; Ctrl-C stops it)");
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                stopped.await();
            }
            return 0;
        }
    }
}
