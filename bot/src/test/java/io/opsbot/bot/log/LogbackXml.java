package io.opsbot.bot.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the shipped logback.xml sets, read by Logback itself: what an exec's logging ({@link OneShotLogProvider})
 * writes again in code, so the tests hold the two together.
 */
record LogbackXml(String filePattern, String stderrPattern, String stderrThreshold, String fileNamePattern,
                  long maxFileSize, int maxHistory, long totalSizeCap, Level root, Map<String, Level> levels) {

    static LogbackXml read() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());
        try {
            ch.qos.logback.classic.Logger rootLogger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            RollingFileAppender<ILoggingEvent> file = (RollingFileAppender<ILoggingEvent>) rootLogger.getAppender("FILE");
            ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) rootLogger.getAppender("STDERR");
            @SuppressWarnings("unchecked")
            SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = (SizeAndTimeBasedRollingPolicy<ILoggingEvent>) file.getRollingPolicy();
            ThresholdFilter threshold = (ThresholdFilter) stderr.getCopyOfAttachedFiltersList().get(0);
            Map<String, Level> levels = new TreeMap<>();
            for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
                if (logger != rootLogger && logger.getLevel() != null) {
                    levels.put(logger.getName(), logger.getLevel());
                }
            }
            return new LogbackXml(((PatternLayoutEncoder) file.getEncoder()).getPattern(),
                    ((PatternLayoutEncoder) stderr.getEncoder()).getPattern(), thresholdOf(threshold),
                    Path.of(rolling.getFileNamePattern()).getFileName().toString(), sizeField(rolling, "maxFileSize"),
                    rolling.getMaxHistory(), sizeField(rolling, "totalSizeCap"), rootLogger.getLevel(), levels);
        } finally {
            context.stop();
        }
    }

    /** The level a ThresholdFilter lets through from (it has no getter). */
    private static String thresholdOf(ThresholdFilter filter) throws ReflectiveOperationException {
        java.lang.reflect.Field level = ThresholdFilter.class.getDeclaredField("level");
        level.setAccessible(true);
        return level.get(filter).toString();
    }

    /** A FileSize setting of the rolling policy, in bytes (the policy has no getters for them). */
    private static long sizeField(Object policy, String name) throws ReflectiveOperationException {
        for (Class<?> c = policy.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return ((ch.qos.logback.core.util.FileSize) field.get(policy)).getSize();
            } catch (NoSuchFieldException notHere) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
