package io.opsbot.bot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.Map;

/**
 * The logging of logback.xml, set up in code for one-shot runs ({@code opsbot exec}: the launcher passes
 * {@code -Dopsbot.logging=one-shot}): the same file, rolling and stderr appenders and levels, without reading XML
 * (Logback's XML configuration — a SAX parser, its model and actions — costs a one-shot run a few hundred classes
 * and a good part of its start). Any other run, or one given {@code -Dlogback.configurationFile}, is left to
 * logback.xml as before; {@code OneShotLoggingTest} keeps the two alike.
 */
public final class OneShotLogging extends ContextAwareBase implements Configurator {

    /** The system property that asks for this set-up, and its value. */
    static final String PROPERTY = "opsbot.logging";
    static final String ONE_SHOT = "one-shot";

    static final String FILE_PATTERN = "%d{ISO8601} %-5level [%thread] %logger{24} %msg%n";
    static final String STDERR_PATTERN = "%-5level %logger{24} %msg%n";
    /** Libraries that are chatty at INFO, as logback.xml quiets them. */
    static final Map<String, Level> QUIET = Map.of("org.flywaydb", Level.WARN, "org.apache.sshd", Level.WARN,
            "net.schmizz", Level.WARN, "com.zaxxer", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!ONE_SHOT.equals(System.getProperty(PROPERTY)) || System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Path dir = logDir();
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("FILE");
        file.setFile(dir.resolve("opsbot.log").toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(dir.resolve("opsbot.%d{yyyy-MM-dd}.%i.log").toString());
        rolling.setMaxFileSize(FileSize.valueOf("20MB"));
        rolling.setMaxHistory(14);
        rolling.setTotalSizeCap(FileSize.valueOf("500MB"));
        rolling.start();
        file.setRollingPolicy(rolling);
        file.setEncoder(encoder(context, FILE_PATTERN));
        file.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        ThresholdFilter errors = new ThresholdFilter();
        errors.setLevel(Level.ERROR.levelStr);
        errors.start();
        stderr.addFilter(errors);
        stderr.setEncoder(encoder(context, STDERR_PATTERN));
        stderr.start();

        QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(file);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** logback.xml's LOG_DIR: ${OPSBOT_LOG_DIR:-${OPSBOT_HOME:-${user.home}/.opsbot}/logs}, properties before the environment. */
    static Path logDir() {
        String dir = setting("OPSBOT_LOG_DIR");
        if (dir != null) {
            return Path.of(dir);
        }
        String home = setting("OPSBOT_HOME");
        return (home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".opsbot")).resolve("logs");
    }

    private static String setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isEmpty() ? null : value;
    }
}
