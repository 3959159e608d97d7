package io.opsbot.bot.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** A one-shot run's log lines are Logback's for logback.xml's patterns, held to Logback's own layout. */
class LogLineTest {

    private final LoggerContext context = new LoggerContext();

    @Test
    void fileAndStderrLinesAreLogbacksForTheSameEvent() throws Exception {
        Random random = new Random(13);
        TimeZone zone = TimeZone.getDefault();
        LogbackXml xml = LogbackXml.read();
        PatternLayout file = layout(xml.filePattern());
        PatternLayout stderr = layout(xml.stderrPattern());
        List<String> names = new ArrayList<>(List.of("io.opsbot.engine.Engine", "io.opsbot.bot.Dispatcher",
                "io.opsbot.cluster.http.calls", "org.flywaydb.core.internal.command.DbMigrate", "Main", "a.b.C",
                "io.opsbot.engine.ops.ClusterOperations$Deploy"));
        for (int i = 0; i < 500; i++) {
            names.add(randomName(random));
        }
        for (String name : names) {
            for (String level : List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")) {
                long millis = 1_700_000_000_000L + random.nextInt(2_000_000_000);
                String message = "event=check op=op-" + Integer.toHexString(random.nextInt()) + " title=\"x y\"";
                LoggingEvent event = new LoggingEvent("caller", context.getLogger(name), Level.toLevel(level), message,
                        null, null);
                event.setTimeStamp(millis);
                event.setThreadName("opsbot-read-" + i(random));
                LogLine line = new LogLine(millis, level, event.getThreadName(), name, message, null);

                assertThat(line.forFile(zone)).isEqualTo(file.doLayout(event));
                assertThat(line.forStderr()).isEqualTo(stderr.doLayout(event));
            }
        }
    }

    @Test
    void loggerNamesAreShortenedAsLogbackShortensThem() {
        Random random = new Random(7);
        for (int width : new int[] {1, 5, 10, 24, 30}) {
            TargetLengthBasedClassNameAbbreviator logback = new TargetLengthBasedClassNameAbbreviator(width);
            for (int i = 0; i < 2_000; i++) {
                String name = randomName(random);
                assertThat(LogLine.abbreviate(name, width)).as(name + " to " + width).isEqualTo(logback.abbreviate(name));
            }
        }
        assertThat(LogLine.abbreviate("io.opsbot.bot.Dispatcher", 24)).isEqualTo("i.opsbot.bot.Dispatcher");
        assertThat(LogLine.abbreviate("io.opsbot.engine.Engine", 24)).isEqualTo("io.opsbot.engine.Engine");
    }

    @Test
    void aThrowablesStackTraceFollowsItsLine() {
        IllegalStateException thrown = new IllegalStateException("journal gone", new java.io.IOException("disk"));
        String line = new LogLine(0, "ERROR", "main", "io.opsbot.engine.Engine", "event=failed", thrown).forStderr();

        assertThat(line).startsWith("ERROR io.opsbot.engine.Engine event=failed" + System.lineSeparator()
                + "java.lang.IllegalStateException: journal gone")
                .contains("Caused by: java.io.IOException: disk");
    }

    private PatternLayout layout(String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(pattern);
        layout.start();
        return layout;
    }

    private static int i(Random random) {
        return random.nextInt(12);
    }

    /** Dotted names of 1-7 segments, some of one letter, some empty, some with '$'. */
    private static String randomName(Random random) {
        int segments = 1 + random.nextInt(7);
        StringBuilder name = new StringBuilder();
        for (int s = 0; s < segments; s++) {
            if (s > 0) {
                name.append('.');
            }
            int length = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(12);
            for (int c = 0; c < length; c++) {
                name.append(random.nextInt(15) == 0 ? '$' : (char) ('a' + random.nextInt(26)));
            }
        }
        return name.toString();
    }
}
