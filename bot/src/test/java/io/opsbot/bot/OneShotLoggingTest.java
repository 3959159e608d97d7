package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exec's logging set up in code is logback.xml's, and only exec (asked by the launcher) gets it. */
class OneShotLoggingTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(OneShotLogging.PROPERTY);
        System.clearProperty("OPSBOT_LOG_DIR");
    }

    @Test
    void theOneShotSetUpHasLogbackXmlsAppendersPatternsAndLevels() throws Exception {
        System.setProperty(OneShotLogging.PROPERTY, OneShotLogging.ONE_SHOT);
        System.setProperty("OPSBOT_LOG_DIR", dir.resolve("xml").toString());
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());

        System.setProperty("OPSBOT_LOG_DIR", dir.resolve("code").toString());
        LoggerContext inCode = new LoggerContext();
        inCode.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as Logback's service provider does
        OneShotLogging oneShot = new OneShotLogging();
        oneShot.setContext(inCode);
        assertThat(oneShot.configure(inCode)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        assertThat(describe(inCode).toString().replace(dir.resolve("code").toString(), "LOG_DIR"))
                .isEqualTo(describe(fromXml).toString().replace(dir.resolve("xml").toString(), "LOG_DIR"));
        assertThat(describe(inCode)).containsEntry("file", dir.resolve("code").resolve("opsbot.log").toString());

        inCode.getLogger("io.opsbot.test").info("event=one-shot-check");
        inCode.getLogger("org.flywaydb.core").info("event=quieted");
        inCode.stop();
        fromXml.stop();
        assertThat(Files.readString(dir.resolve("code").resolve("opsbot.log")))
                .contains("INFO  [" + Thread.currentThread().getName() + "] io.opsbot.test event=one-shot-check")
                .doesNotContain("event=quieted");
    }

    @Test
    void anyOtherRunIsLeftToLogbackXml() {
        LoggerContext context = new LoggerContext();
        OneShotLogging oneShot = new OneShotLogging();
        oneShot.setContext(context);
        assertThat(oneShot.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }

    @Test
    void logbacksOwnConfigurationFilePropertyWinsOverTheOneShotSetUp() {
        System.setProperty(OneShotLogging.PROPERTY, OneShotLogging.ONE_SHOT);
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", dir.resolve("mine.xml").toString());
        try {
            LoggerContext context = new LoggerContext();
            OneShotLogging oneShot = new OneShotLogging();
            oneShot.setContext(context);
            assertThat(oneShot.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }

    /** What a configuration does: the root's appenders with their settings, and every logger's own level. */
    private static Map<String, String> describe(LoggerContext context) {
        Map<String, String> out = new TreeMap<>();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        out.put("root", String.valueOf(root.getLevel()));
        for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
            if (logger.getLevel() != null) {
                out.put("level " + logger.getName(), logger.getLevel().toString());
            }
        }
        List<String> names = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            names.add(appender.getName() + " " + appender.getClass().getName());
            if (appender instanceof RollingFileAppender<ILoggingEvent> file) {
                out.put("file", file.getFile());
                SizeAndTimeBasedRollingPolicy<?> policy = (SizeAndTimeBasedRollingPolicy<?>) file.getRollingPolicy();
                out.put("rolling", policy.getFileNamePattern() + " history " + policy.getMaxHistory());
                out.put("file pattern", ((PatternLayoutEncoder) file.getEncoder()).getPattern());
            } else if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
                out.put("console target", console.getTarget());
                out.put("console pattern", ((PatternLayoutEncoder) console.getEncoder()).getPattern());
                out.put("console filters", console.getCopyOfAttachedFiltersList().stream()
                        .map(f -> f instanceof ThresholdFilter ? "threshold" : f.getClass().getName()).toList().toString());
            }
        }
        out.put("appenders", names.toString());
        return out;
    }
}
