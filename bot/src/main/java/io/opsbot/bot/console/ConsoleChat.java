package io.opsbot.bot.console;

import io.opsbot.bot.CommandHandler;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.bot.render.OperationView;
import io.opsbot.bot.render.PlainText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;

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
        return new OperationView(title, emulated, Clock.systemUTC(), snapshot -> {
            if (snapshot.finished()) {
                return;
            }
            if (interactive) {
                String line = text.progressLine(snapshot);
                out.print("\r\033[2K" + line);
                out.flush();
            }
        });
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
