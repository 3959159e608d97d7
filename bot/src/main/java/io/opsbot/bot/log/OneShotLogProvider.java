package io.opsbot.bot.log;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The logging of a one-shot run ({@code opsbot exec}): logback.xml's file, rolling, format, levels and stderr for
 * errors, written by a few classes of our own instead of Logback, whose start (its context, the rolling policy's
 * calendar and the pattern converters) was a fifth of an exec's CPU. SLF4J takes it by its {@code slf4j.provider}
 * property, which {@link #select()} sets for an exec; every other run (the bot, the console, the sim, a run given
 * {@code -Dlogback.configurationFile}) keeps Logback and logback.xml.
 */
public final class OneShotLogProvider implements SLF4JServiceProvider {

    /** The levels logback.xml gives libraries that are chatty at INFO. */
    static final Map<String, Level> QUIET = Map.of("org.flywaydb", Level.WARN, "org.apache.sshd", Level.WARN,
            "net.schmizz", Level.WARN, "com.zaxxer", Level.WARN);

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private Factory factory;

    /**
     * Makes SLF4J take this provider when it starts, unless Logback is asked for by its own configuration file or
     * another provider is named; quiet about it (SLF4J would say so on stderr).
     */
    public static void select() {
        if (System.getProperty("logback.configurationFile") == null && System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", OneShotLogProvider.class.getName());
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
    }

    @Override
    public void initialize() {
        TimeZone zone = TimeZone.getDefault();
        LogFile file = new LogFile(logDir(), zone.toZoneId());
        factory = new Factory(rootLevel(setting("OPSBOT_LOG_LEVEL")), new Sinks(file, zone));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** Where each event goes: the file always, stderr too for an error. */
    record Sinks(LogFile file, TimeZone zone) {
        void accept(LogLine line) {
            file.write(line.forFile(zone));
            if ("ERROR".equals(line.level())) {
                System.err.print(line.forStderr());
            }
        }
    }

    private record Factory(int rootLevel, Sinks sinks, Map<String, Logger> loggers) implements ILoggerFactory {
        Factory(int rootLevel, Sinks sinks) {
            this(rootLevel, sinks, new ConcurrentHashMap<>());
        }

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, n -> new OneShotLogger(n, levelOf(n, rootLevel), sinks));
        }
    }

    /** A logger's level: a quieted library's (its name or a name under it), else the root's. */
    static int levelOf(String name, int rootLevel) {
        for (Map.Entry<String, Level> quiet : QUIET.entrySet()) {
            String prefix = quiet.getKey();
            if (name.equals(prefix) || name.startsWith(prefix + ".")) {
                return quiet.getValue().toInt();
            }
        }
        return rootLevel;
    }

    /** logback.xml's {@code ${OPSBOT_LOG_LEVEL:-INFO}}, read as Logback reads a level: a name it does not know is DEBUG. */
    static int rootLevel(String setting) {
        if (setting == null) {
            return Level.INFO.toInt();
        }
        return switch (setting.trim().toUpperCase(Locale.ROOT)) {
            case "ALL", "TRACE" -> Level.TRACE.toInt();
            case "INFO" -> Level.INFO.toInt();
            case "WARN" -> Level.WARN.toInt();
            case "ERROR" -> Level.ERROR.toInt();
            case "OFF" -> Integer.MAX_VALUE;
            default -> Level.DEBUG.toInt();
        };
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
