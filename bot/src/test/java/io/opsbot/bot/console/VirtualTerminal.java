package io.opsbot.bot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import org.jline.terminal.Terminal;
import org.jline.utils.ScreenTerminal;

/**
 * A terminal as a user has it: keys go through the terminal's line discipline (Ctrl-C raises INT, as a real
 * terminal's does) and what the program draws lands on an emulated screen (JLine's VT100 {@link ScreenTerminal}), so a
 * test reads the screen a user would see, lines scrolled off the top included.
 */
final class VirtualTerminal implements AutoCloseable {

    static final String CTRL_C = "\u0003";
    static final String CTRL_D = "\u0004";
    static final String TAB = "\t";
    static final String ENTER = "\r";
    static final String UP = "\u001bOA";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final ScreenTerminal.VirtualTerminal virtual;

    VirtualTerminal() {
        try {
            virtual = ScreenTerminal.withTerminal("test", "xterm", 160, 40);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Terminal terminal() {
        return virtual.terminal();
    }

    void type(String keys) {
        try {
            virtual.terminal().processInputBytes(keys.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines scrolled off the top, then the screen, each without trailing blanks. */
    String text() {
        ScreenTerminal screen = virtual.screen();
        synchronized (screen) {
            String scrolled = screen.getHistory().stream().map(VirtualTerminal::line).collect(Collectors.joining("\n"));
            String shown = screen.toString().lines().map(String::stripTrailing).collect(Collectors.joining("\n"));
            return (scrolled.isEmpty() ? "" : scrolled + "\n") + shown.stripTrailing();
        }
    }

    /** The screen's line that holds {@code needle}, or null. */
    String lineWith(String needle) {
        return text().lines().filter(l -> l.contains(needle)).reduce((first, last) -> last).orElse(null);
    }

    void awaitText(String expected) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(text()).contains(expected));
    }

    private static String line(long[] cells) {
        StringBuilder out = new StringBuilder();
        for (long cell : cells) {
            int codePoint = ScreenTerminal.cellCodePoint(cell);
            out.appendCodePoint(codePoint == 0 ? ' ' : codePoint);
        }
        return out.toString().stripTrailing();
    }

    @Override
    public void close() throws IOException {
        virtual.terminal().close();
    }
}
