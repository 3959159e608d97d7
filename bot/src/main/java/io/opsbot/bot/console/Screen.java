package io.opsbot.bot.console;

import java.util.List;
import org.jline.reader.LineReader;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's terminal: the prompt, with the running operations' progress lines drawn just above it, and
 * {@link #printAbove} for everything else. On a terminal the progress lines are part of the prompt, so JLine redraws
 * them together with what the user is typing and the two never mix; on a dumb terminal (piped input, CI) there is no
 * prompt and no progress line, only plain lines without escape codes.
 */
final class Screen implements ConsoleOutput {

    private static final Logger log = LoggerFactory.getLogger(Screen.class);

    static final String PROMPT = "ops> ";
    /** The width assumed when the terminal does not say. */
    private static final int DEFAULT_COLUMNS = 80;
    private static final String REFRESH_WIDGET = "opsbot-refresh-status";

    private final Terminal terminal;
    private final LineReader reader;
    private final boolean interactive;
    private volatile List<String> status = List.of();
    /** Reading a command (not the answer to a question): only then do the progress lines sit above the prompt. */
    private volatile boolean atCommandPrompt;

    Screen(Terminal terminal, LineReader reader) {
        this.terminal = terminal;
        this.reader = reader;
        this.interactive = !isDumb(terminal);
        if (interactive) {
            // the prompt is set under the reader's lock both when a read starts and when the progress changes,
            // so the latest progress always wins
            reader.getWidgets().put(LineReader.CALLBACK_INIT, () -> {
                applyPrompt();
                return true;
            });
            // an accepted line stays on the screen as "ops> command", without the progress lines of that moment
            reader.getWidgets().put(LineReader.CALLBACK_FINISH, () -> {
                if (atCommandPrompt && reader instanceof LineReaderImpl impl) {
                    impl.setPrompt(PROMPT);
                }
                return true;
            });
            reader.getWidgets().put(REFRESH_WIDGET, () -> {
                applyPrompt();
                reader.callWidget(LineReader.REDISPLAY);
                return true;
            });
        }
    }

    static boolean isDumb(Terminal terminal) {
        String type = terminal.getType();
        return type == null || type.startsWith(Terminal.TYPE_DUMB);
    }

    /** A terminal that redraws: a prompt, a progress line, completion. */
    boolean interactive() {
        return interactive;
    }

    /** Reads one command; on a dumb terminal without a prompt, as lines are read from a pipe. */
    String readCommand() {
        atCommandPrompt = true;
        try {
            return reader.readLine(interactive ? promptText() : null);
        } finally {
            atCommandPrompt = false;
        }
    }

    /** Asks a question and reads the answer on the same line. */
    String ask(String question) {
        return reader.readLine(question);
    }

    /** The progress lines shown above the prompt; an empty list removes them. */
    void status(List<String> lines) {
        status = List.copyOf(lines);
        if (interactive && reader.isReading()) {
            try {
                reader.callWidget(REFRESH_WIDGET);
            } catch (IllegalStateException notReadingAnyMore) {
                // the read ended meanwhile: the next prompt is drawn with these lines
            }
        }
    }

    @Override
    public void printAbove(String text) {
        String shown = text.endsWith("\n") ? text : text + "\n";
        try {
            if (interactive) {
                reader.printAbove(shown);
                return;
            }
            synchronized (this) {
                terminal.writer().print(shown);
                terminal.writer().flush();
            }
        } catch (IllegalStateException closed) {
            // an operation that ends after the console was left (a second Ctrl-C): the log keeps what it said
            log.info("event=console_closed text=\"{}\"", shown.strip().replace("\n", " / "));
        }
    }

    /** Columns of the terminal, one less for the cursor. */
    int width() {
        int columns = terminal.getWidth();
        return (columns > 0 ? columns : DEFAULT_COLUMNS) - 1;
    }

    private void applyPrompt() {
        // the prompt of a read under way can only be changed through the implementation (JLine's own examples do so)
        if (atCommandPrompt && reader instanceof LineReaderImpl impl) {
            impl.setPrompt(promptText());
        }
    }

    private String promptText() {
        List<String> lines = status;
        if (lines.isEmpty()) {
            return PROMPT;
        }
        int width = width();
        StringBuilder prompt = new StringBuilder();
        for (String line : lines) {
            prompt.append(fit(line, width).replace("%", "%%")).append('\n');
        }
        return prompt.append(PROMPT).toString();
    }

    /** Cuts a line to the terminal's width: a wrapped progress line would push the prompt down with every redraw. */
    static String fit(String line, int width) {
        if (line.codePointCount(0, line.length()) <= width) {
            return line;
        }
        int end = line.offsetByCodePoints(0, Math.max(0, width - 1));
        return line.substring(0, end) + "…";
    }
}
