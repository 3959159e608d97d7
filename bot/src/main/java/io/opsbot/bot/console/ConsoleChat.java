package io.opsbot.bot.console;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.render.OperationView;
import io.opsbot.bot.render.PlainText;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The terminal twin of the Slack bot: the same pipeline, a progress line redrawn in place, confirmations as a
 * prompt. Reads one command per line until end of input or {@code quit}.
 */
public final class ConsoleChat {

    private final CommandHandler handler;
    private final BufferedReader in;
    private final PrintStream out;
    private final boolean interactive;
    private final boolean emulated;
    private final String user;
    private final PlainText text = new PlainText();
    /** The width assumed when the terminal does not say. */
    private static final int DEFAULT_COLUMNS = 80;

    /** @param interactive a terminal: redraw the progress line in place and show a prompt */
    public ConsoleChat(CommandHandler handler, BufferedReader in, PrintStream out, boolean interactive, boolean emulated,
                       String user) {
        this.handler = handler;
        this.in = in;
        this.out = out;
        this.interactive = interactive;
        this.emulated = emulated;
        this.user = user;
    }

    public void run() throws IOException {
        out.println("opsbot console" + (emulated ? " — connected to the emulated cluster" : "")
                + ". Type 'help' for the commands, 'quit' to leave.");
        while (true) {
            prompt();
            String line = in.readLine();
            if (line == null) {
                break;
            }
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String lower = trimmed.toLowerCase(Locale.ROOT);
            if (lower.equals("quit") || lower.equals("exit")) {
                break;
            }
            handle(new Request(trimmed, user, "console", false));
        }
    }

    private void handle(Request request) throws IOException {
        Response response = handler.handle(request, progress(request.text()));
        if (response instanceof Response.NeedsConfirmation) {
            out.println(text.render(response));
            out.print("Run it? [y/N] ");
            out.flush();
            String answer = in.readLine();
            if (answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                response = handler.handle(request.confirm(), progress(request.text()));
            } else {
                out.println("not run; nothing changed");
                return;
            }
        }
        clearProgress();
        out.println(text.render(response));
    }

    private OperationView progress(String title) {
        // a line wider than the terminal wraps, and \r then redraws only its last part: cut it to fit
        int width = interactive ? terminalWidth() : Integer.MAX_VALUE;
        return new OperationView(title, emulated, Clock.systemUTC(), snapshot -> {
            if (snapshot.finished()) {
                return;
            }
            if (interactive) {
                String line = text.progressLine(snapshot);
                out.print("\r\033[2K" + fit(line, width));
                out.flush();
            }
        });
    }

    static String fit(String line, int width) {
        if (line.codePointCount(0, line.length()) <= width) {
            return line;
        }
        int end = line.offsetByCodePoints(0, Math.max(0, width - 1));
        return line.substring(0, end) + "…";
    }

    /** Columns of the terminal: $COLUMNS, else what `stty size` says of /dev/tty, else 80; one less, for the cursor. */
    private static int terminalWidth() {
        int columns = parse(System.getenv("COLUMNS"));
        if (columns <= 0) {
            try {
                Process stty = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (stty.waitFor(2, TimeUnit.SECONDS) && size.contains(" ")) {
                    columns = parse(size.substring(size.indexOf(' ') + 1));
                }
            } catch (IOException | RuntimeException e) {
                columns = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                columns = 0;
            }
        }
        return (columns > 0 ? columns : DEFAULT_COLUMNS) - 1;
    }

    private static int parse(String number) {
        try {
            return number == null ? 0 : Integer.parseInt(number.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Prints text that arrives on its own (a scheduled report) above the prompt, from any thread. The one place a
     * line editor (JLine's printAbove) takes over.
     */
    public void printAbove(String text) {
        synchronized (out) {
            clearProgress();
            out.println(text);
            prompt();
        }
    }

    private void clearProgress() {
        if (interactive) {
            out.print("\r\033[2K");
        }
    }

    private void prompt() {
        if (interactive) {
            out.print("ops> ");
            out.flush();
        }
    }
}
