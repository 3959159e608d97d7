package io.opsbot.cluster.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import okhttp3.Headers;
import org.slf4j.LoggerFactory;

/** Small builders shared by the contract tests. */
public final class Responses {

    private Responses() {
    }

    public static MockResponse json(int code, String body) {
        return new MockResponse(code, Headers.of("Content-Type", "application/json; charset=utf-8"), body);
    }

    public static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("").build();
    }

    public static MockResponse sse(String... events) {
        return new MockResponse(200, Headers.of("Content-Type", "text/event-stream"), String.join("", events));
    }

    public static String event(String type, String data) {
        // One SSE data line: a JSON text block with line breaks would otherwise split into several fields.
        return "event: " + type + "\ndata: " + data.replace("\n", " ") + "\n\n";
    }

    /** Captures everything logged under the root logger until {@link Capture#close()}. */
    public static Capture captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        return new Capture(root, appender);
    }

    public record Capture(Logger root, ListAppender<ILoggingEvent> appender) implements AutoCloseable {
        public List<String> lines() {
            return List.copyOf(appender.list).stream().map(e -> {
                String text = e.getFormattedMessage();
                if (e.getThrowableProxy() != null) {
                    text += " " + e.getThrowableProxy().getMessage();
                }
                return text;
            }).collect(Collectors.toList());
        }

        public String all() {
            return String.join("\n", lines());
        }

        @Override
        public void close() {
            root.detachAppender(appender);
        }
    }
}
