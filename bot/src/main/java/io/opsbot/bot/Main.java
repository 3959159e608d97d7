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
import io.opsbot.config.ConfigLoader;
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

    /** The property by which the launcher asks for a one-shot run's logging ({@link io.opsbot.bot.log.OneShotLogProvider}), and its value. */
    static final String LOGGING_PROPERTY = "opsbot.logging";
    static final String ONE_SHOT = "one-shot";

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
        if (ONE_SHOT.equals(System.getProperty(LOGGING_PROPERTY))) {
            io.opsbot.bot.log.OneShotLogProvider.select();
        }
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
        Path file = configFile(config);
        // logback.xml is read on a thread of its own while this one reads opsbot.yaml, as exec does (LoggingStart)
        LoggingStart.begin();
        OpsbotConfig loaded;
        try {
            loaded = file == null ? OpsbotConfig.empty() : new ConfigLoader().load(file);
        } finally {
            LoggingStart.await();
        }
        io.opsbot.bot.log.LogRollLock.holdWhileRunning();
        java.util.function.Consumer<String> say = line -> System.err.println("opsbot: " + line);
        if (httpMode(loaded)) {
            return runSlackHttp(loaded, say);
        }
        try (Opsbot bot = startWaitingForTheJournal(loaded, Home.dir(), JOURNAL_RETRY, say)) {
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
    static Opsbot startWaitingForTheJournal(OpsbotConfig config, Path home, java.time.Duration pause,
                                            java.util.function.Consumer<String> say) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Opsbot.startWith(config, home);
            } catch (io.opsbot.engine.JournalUnavailableException unreachable) {
                say.accept(unreachable.getMessage() + "; trying again in " + pause.toSeconds() + " s (attempt " + attempt
                        + "; Ctrl-C stops)");
                Thread.sleep(pause.toMillis());
            }
        }
    }

    /** A slack section in HTTP mode: its start overlaps the bot's ({@link #startSlack}). */
    static boolean httpMode(OpsbotConfig config) {
        return config.slack() != null && config.slack().mode() != null
                && "http".equals(config.slack().mode().trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** The bot and its Slack adapter, wired and listening. */
    record SlackStarted(Opsbot bot, SlackBot slack) {
    }

    /**
     * Starts a bot serving Slack in HTTP mode: Slack's part (the SDK, auth.test, Bolt) on a thread of its own
     * ({@link SlackStarting}) while this one opens the journal and wires the bot, as {@link #startWaitingForTheJournal}
     * does; then the adapter listens. Nothing is taken from Slack before the bot is wired, and each part waits for
     * what it cannot reach as before (one line per attempt to {@code say}); a failure of either stops both.
     *
     * @throws InterruptedException when stopped while waiting
     */
    static SlackStarted startSlack(OpsbotConfig config, Path home, java.util.function.Consumer<String> say)
            throws Exception {
        SlackStarting starting = SlackStarting.begin(config, say);
        Opsbot bot;
        try {
            bot = startWaitingForTheJournal(config, home, JOURNAL_RETRY, say);
        } catch (Throwable failed) {
            starting.cancel();
            throw failed;
        }
        SlackBot slack = null;
        try {
            bot.keepRecovering();
            // a stop (SIGTERM, Ctrl-C) while Slack cannot be reached ends the waiting, as runSlack's does
            Thread starter = Thread.currentThread();
            Thread stopWaiting = new Thread(starter::interrupt);
            Runtime.getRuntime().addShutdownHook(stopWaiting);
            try {
                slack = starting.join(bot);
            } finally {
                removeHook(stopWaiting);
            }
            if (!starting.matches(bot)) {
                // the adapter was started with settings the wiring does not confirm: start it again from the wiring
                slack.close();
                slack = null;
                slack = slackBuilder(bot).listenLater().startRetrying(say);
            }
            slack.listen();
            return new SlackStarted(bot, slack);
        } catch (Throwable failed) {
            starting.cancel();
            if (slack != null) {
                slack.close();
            }
            bot.close();
            throw failed;
        }
    }

    /** {@link #runSlack}'s HTTP mode: the start overlapped ({@link #startSlack}), then served until stopped. */
    private static int runSlackHttp(OpsbotConfig config, java.util.function.Consumer<String> say) throws Exception {
        SlackStarted started;
        try {
            started = startSlack(config, Home.dir(), say);
        } catch (InterruptedException e) {
            return 0; // stopped while waiting for Slack or the journal
        }
        try (Opsbot bot = started.bot(); SlackBot slack = started.slack()) {
            return serveUntilStopped(bot, slack);
        }
    }

    /** Serves Slack with a started adapter until it is closed (SIGTERM, Ctrl-C); a failed start of the schedules stops it. */
    private static int serveUntilStopped(Opsbot bot, SlackBot slack) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(slack::close));
        Serving serving = serveSlack(bot, slack);
        serving.reports().whenComplete((done, failed) -> {
            if (failed != null) {
                System.err.println("opsbot: the scheduled reports could not start: " + failed.getMessage());
                slack.close();
            }
        });
        System.err.println("opsbot: serving Slack (" + (bot.config().slack().mode() == null ? "socket"
                : bot.config().slack().mode()) + " mode)" + (bot.emulated() ? " against the emulated cluster" : ""));
        slack.awaitClose();
        if (serving.reports().isCompletedExceptionally()) {
            try {
                serving.reports().join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }
        return 0;
    }

    /**
     * With a slack section the bot serves Slack until it is stopped (SIGTERM, Ctrl-C). While Slack cannot be
     * reached it keeps trying, one line per attempt on stderr, as a long-running service should.
     */
    private static int runSlack(Opsbot bot) throws Exception {
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
            return serveUntilStopped(bot, slack);
        }
    }

    /** What {@link #serveSlack} started besides the Slack adapter. */
    record Serving(java.util.concurrent.CompletableFuture<Void> reports) {
        /** Whether the scheduled reports have started within {@code wait} (false also when their start failed). */
        boolean awaitStarted(java.time.Duration wait) throws InterruptedException {
            try {
                reports.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
    }

    /**
     * A started Slack adapter serves the bot: alerts go to Slack (their watcher starts), reports asked for go there at
     * once, and Quartz starts the scheduled reports on a thread of its own ({@link Serving#reports()}), so that the bot
     * answers meanwhile: a schedule whose time passed is fired as its misfire policy says once Quartz runs, as at any
     * start; a report command waits for Quartz's start.
     */
    static Serving serveSlack(Opsbot bot, SlackBot slack) {
        bot.alerts().ifPresent(alerts -> alerts.start(slack.alertSink(alerts)));
        bot.reports().attach(slack.reportSink(bot.reports().zone()));
        java.util.concurrent.CompletableFuture<Void> reports = new java.util.concurrent.CompletableFuture<>();
        Thread start = new Thread(() -> {
            try {
                bot.reports().startSchedules();
                reports.complete(null);
            } catch (Throwable failed) {
                reports.completeExceptionally(failed);
            }
        }, "reports-start");
        start.setDaemon(true);
        start.start();
        return new Serving(reports);
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
            String command = commandText(words);
            try (Opsbot bot = Opsbot.startFor(command, configFile(config), Home.dir())) {
                bot.recoveredAtStart().forEach(o -> System.err.println(ConsoleChat.recoveredLine(o)));
                Request request = new Request(command, who, "exec", yes);
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
            io.opsbot.bot.log.LogRollLock.holdWhileRunning();
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
