package io.opsbot.bot.console;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.ConfirmationAnswers;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.render.OperationView;
import io.opsbot.bot.render.PlainText;
import io.opsbot.engine.LockHolder;
import io.opsbot.engine.Outcome;
import io.opsbot.engine.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.utils.Signals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal twin of the Slack bot: the same pipeline behind a JLine line editor (history, Tab completion from the
 * grammar). On a terminal an operation runs in the background with its progress line, operation id included, drawn
 * above the prompt, and the prompt keeps taking commands: queries are answered meanwhile, {@code cancel} stops it, a
 * second changing command runs too when the engine's locks allow (one on the same app waits for its turn and says
 * for whom). Ctrl-C cancels this console's running operations after their current step, a second Ctrl-C quits at
 * once; at an idle prompt Ctrl-C clears the line, and Ctrl-D or {@code quit} leave (after the running operations
 * end). On a dumb terminal (piped input, CI) lines run one after the other, as a script expects, in plain text.
 */
public final class ConsoleChat {

    private static final Logger log = LoggerFactory.getLogger(ConsoleChat.class);
    /** The exit status after a second Ctrl-C, as a shell reports a process ended by SIGINT. */
    public static final int EXIT_INTERRUPTED = 130;
    private static final String CHANNEL = "console";

    /**
     * @param user        who types, for the journal ("console:alice")
     * @param historyFile where the line editor keeps its history; null for none (it is never kept for piped input)
     * @param running     every operation the engine runs (this console's and others'), for completing {@code cancel OP}
     * @param recovered   what the engine finished at start that an earlier run left running
     */
    public record Settings(String user, boolean emulated, Path historyFile, Supplier<List<LockHolder>> running,
                           List<Outcome> recovered) {
        public Settings {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(running, "running");
            recovered = List.copyOf(recovered);
        }

        public static Settings of(String user, boolean emulated) {
            return new Settings(user, emulated, null, List::of, List.of());
        }
    }

    private final CommandHandler handler;
    private final Settings settings;
    private final Terminal terminal;
    private final LineReader reader;
    private final Screen screen;
    private final PlainText text = new PlainText();
    private final Clock clock = Clock.systemUTC();
    private final ExecutorService workers;
    private final Object lock = new Object();
    /** Commands handed to the pipeline and not answered yet, oldest first. Guarded by {@link #lock}. */
    private final List<Job> jobs = new ArrayList<>();
    /** The command whose answer the prompt waits for, or null. Guarded by {@link #lock}. */
    private Job waitingFor;
    /** Ctrl-C while the prompt waited for a query: stop waiting. Guarded by {@link #lock}. */
    private boolean abandonWait;
    private volatile boolean quitNow;

    public ConsoleChat(CommandHandler handler, CommandParser parser, Terminal terminal, Settings settings) {
        this.handler = handler;
        this.settings = settings;
        this.terminal = terminal;
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("opsbot")
                .completer(new CommandCompleter(parser.grammar(), parser.names(), settings.running()))
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.AUTO_LIST, true);
        if (settings.historyFile() != null && !Screen.isDumb(terminal)) {
            builder.variable(LineReader.HISTORY_FILE, settings.historyFile());
        }
        this.reader = builder.build();
        this.screen = new Screen(terminal, reader);
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(work -> {
            Thread thread = new Thread(work, "opsbot-console-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The system's terminal; a dumb one (plain lines, no escape codes) when input or output is not a terminal. */
    public static Terminal systemTerminal() {
        try {
            Terminal terminal = TerminalBuilder.builder().name("opsbot").system(true).dumb(true).build();
            if (Screen.isDumb(terminal)) {
                // JLine catches SIGINT itself only on a real terminal; with piped input Ctrl-C must still cancel first
                Signals.register("INT", () -> terminal.raise(Terminal.Signal.INT));
            }
            return terminal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        }
    }

    /** A dumb terminal over plain streams: piped input and tests. */
    public static Terminal dumbTerminal(InputStream in, OutputStream out) {
        try {
            // directly: TerminalBuilder would put a pseudo-terminal between the streams and the reader
            return new DumbTerminal("opsbot", Terminal.TYPE_DUMB, in, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a terminal over the given streams", e);
        }
    }

    /** Where other parts of opsbot print into this console (alerts, recovery): above the prompt. */
    public ConsoleOutput output() {
        return screen;
    }

    /**
     * Reads and runs commands until {@code quit}, end of input or a second Ctrl-C, then waits for the operations
     * still running (unless it was Ctrl-C).
     *
     * @return 0, or {@link #EXIT_INTERRUPTED} when a second Ctrl-C quit at once
     */
    public int run() {
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> interrupted());
        try {
            screen.printAbove("opsbot console" + (settings.emulated() ? " — connected to the emulated cluster" : "")
                    + ". Type 'help' for the commands, 'quit' to leave."
                    + (screen.interactive() ? " Tab completes; Ctrl-C cancels a running operation." : ""));
            settings.recovered().forEach(o -> screen.printAbove(recoveredLine(o)));
            while (!quitNow) {
                String line;
                try {
                    line = screen.readCommand();
                } catch (UserInterruptException e) {
                    interrupted();
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                if (line == null) {
                    break;
                }
                String trimmed = line.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (CommandCompleter.CONSOLE_WORDS.contains(trimmed.toLowerCase(Locale.ROOT))) {
                    break;
                }
                handleLine(trimmed);
            }
            if (!quitNow) {
                awaitRunning();
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            workers.shutdown();
            saveHistory();
            terminal.writer().flush();
        }
        return quitNow ? EXIT_INTERRUPTED : 0;
    }

    /** How a console or exec says what recovery finished at start. */
    public static String recoveredLine(Outcome o) {
        return "recovered " + o.operationId() + " '" + o.title() + "', left running when an opsbot process stopped: "
                + o.state().name().toLowerCase(Locale.ROOT)
                + (o.message() == null || o.message().isBlank() ? "" : " — " + o.message())
                + " (" + o.recap() + ")";
    }

    private void handleLine(String line) {
        String command = line;
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.equals("cancel")) {
            command = ownOperationToCancel();
            if (command == null) {
                return;
            }
        } else if (lower.startsWith("cancel ")) {
            String id = line.substring("cancel ".length()).trim();
            running().stream().filter(j -> id.equals(j.operationId())).forEach(Job::askCancel);
        }
        Request request = new Request(command, settings.user(), CHANNEL, false);
        Response response = submitAndWait(request);
        if (response instanceof Response.NeedsConfirmation asked) {
            screen.printAbove(text.render(response));
            if (!confirmed()) {
                asked.answers().record(ConfirmationAnswers.Answer.DECLINED, request.user());
                screen.printAbove("not run; nothing changed");
                return;
            }
            asked.answers().record(ConfirmationAnswers.Answer.CONFIRMED, request.user());
            response = submitAndWait(request.confirm());
        }
        if (response != null) {
            screen.printAbove(text.render(response));
        }
    }

    /** {@code cancel} alone: the one operation this console runs. */
    private String ownOperationToCancel() {
        List<Job> ops = running();
        if (ops.isEmpty()) {
            screen.printAbove("✗ nothing this console started is running; 'cancel OP' cancels another operation"
                    + " (Tab after 'cancel ' lists the running ones)");
            return null;
        }
        if (ops.size() > 1) {
            screen.printAbove("✗ " + ops.size() + " operations of this console are running; name one: "
                    + ops.stream().map(j -> "cancel " + j.operationId()).collect(Collectors.joining(", ")));
            return null;
        }
        ops.get(0).askCancel();
        return "cancel " + ops.get(0).operationId();
    }

    private boolean confirmed() {
        try {
            String answer = screen.ask("Run it? [y/N] ");
            return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
        } catch (UserInterruptException | EndOfFileException e) {
            return false;
        }
    }

    /**
     * Hands the request to the pipeline on a worker and waits for its answer; on a terminal only until it becomes an
     * operation, which then runs in the background and prints its outcome above the prompt when it ends.
     *
     * @return the answer, or null when the command runs on in the background or the wait was given up
     */
    private Response submitAndWait(Request request) {
        Job job = new Job(request, settings.emulated(), clock, j -> refreshStatus());
        synchronized (lock) {
            jobs.add(job);
            waitingFor = job;
            abandonWait = false;
        }
        workers.execute(() -> execute(job));
        boolean abandoned;
        synchronized (lock) {
            try {
                while (!job.done() && !quitNow && !abandonWait && !(screen.interactive() && job.isOperation())) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                quitNow = true;
            }
            waitingFor = null;
            abandoned = abandonWait && !job.done();
            abandonWait = false;
            if (job.done()) {
                return job.response();
            }
        }
        if (abandoned) {
            screen.printAbove("stopped waiting for '" + request.text() + "'; its answer will not be shown");
        }
        return null;
    }

    private void execute(Job job) {
        Response response;
        try {
            response = handler.handle(job.request(), job.listener(this::started));
        } catch (RuntimeException e) {
            log.error("event=command_failed channel={} user={} error=\"{}\"", CHANNEL, job.request().user(), e.getMessage(), e);
            response = new Response.Rejected("opsbot failed on this command (" + e.getClass().getSimpleName()
                    + "); the details are in its log");
        }
        boolean inBackground;
        synchronized (lock) {
            job.finish(response);
            inBackground = job.isOperation() && waitingFor != job;
            if (!inBackground) {
                jobs.remove(job);
                lock.notifyAll();
            }
        }
        if (inBackground) {
            // printed before it leaves the list, so that quitting after it never ends the console before its outcome
            refreshStatus();
            screen.printAbove(text.render(response));
            synchronized (lock) {
                jobs.remove(job);
                lock.notifyAll();
            }
        }
    }

    private void started() {
        synchronized (lock) {
            lock.notifyAll();
        }
        refreshStatus();
    }

    /** This console's operations that run now, oldest first. */
    private List<Job> running() {
        synchronized (lock) {
            return jobs.stream().filter(j -> j.isOperation() && !j.done()).toList();
        }
    }

    private void refreshStatus() {
        if (!screen.interactive()) {
            return;
        }
        List<String> lines = running().stream()
                .map(j -> text.progressLine(j.snapshot()) + (j.cancelAsked() ? " (cancelling after this step)" : ""))
                .toList();
        screen.status(lines);
    }

    /**
     * Ctrl-C, at the prompt or while the console waits: the first cancels this console's running operations after
     * their current step, the next quits at once; with none running it gives up waiting for a query (at the prompt,
     * JLine has already cleared the line).
     */
    private void interrupted() {
        List<Job> ops = running();
        if (ops.isEmpty()) {
            synchronized (lock) {
                if (waitingFor != null) {
                    abandonWait = true;
                    lock.notifyAll();
                }
            }
            return;
        }
        List<Job> fresh = ops.stream().filter(Job::askCancel).toList();
        if (fresh.isEmpty()) {
            synchronized (lock) {
                quitNow = true;
                lock.notifyAll();
            }
            screen.printAbove("quitting now; " + ids(ops) + " stops where it is, and the next start of opsbot finishes"
                    + " it through fresh checks");
            return;
        }
        for (Job job : fresh) {
            Response answer = handler.handle(new Request("cancel " + job.operationId(), settings.user(), CHANNEL, false),
                    ProgressListener.NONE);
            screen.printAbove(answer instanceof Response.Rejected rejected ? "✗ " + rejected.message()
                    : "cancelling " + job.operationId() + " after this step" + lastStepNote(job)
                    + "; Ctrl-C again to quit now");
        }
        refreshStatus();
    }

    /** When the running step is the operation's last, nothing is left to skip after it: say so. */
    private static String lastStepNote(Job job) {
        List<OperationView.StepLine> steps = job.snapshot().steps();
        int last = steps.size() - 1;
        return last >= 0 && steps.get(last).status() == OperationView.StepStatus.RUNNING
                ? " (" + steps.size() + "/" + steps.size() + ", its last step)" : "";
    }

    /** At {@code quit} or end of input: the operations still running end first (Ctrl-C cancels them, twice quits). */
    private void awaitRunning() {
        List<Job> ops = running();
        if (ops.isEmpty()) {
            return;
        }
        screen.printAbove("waiting for " + ids(ops) + " to finish; Ctrl-C cancels it after this step, twice quits now");
        synchronized (lock) {
            try {
                while (!quitNow && !jobs.isEmpty()) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String ids(List<Job> ops) {
        Map<String, String> titles = new LinkedHashMap<>();
        ops.forEach(j -> titles.put(j.operationId(), j.request().text()));
        return titles.entrySet().stream().map(e -> e.getKey() + " '" + e.getValue() + "'").collect(Collectors.joining(", "));
    }

    private void saveHistory() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            log.warn("event=history_not_saved file={} reason=\"{}\"", settings.historyFile(), e.getMessage());
        }
    }
}
