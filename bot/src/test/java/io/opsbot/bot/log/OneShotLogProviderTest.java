package io.opsbot.bot.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * An exec's logging: logback.xml's levels without Logback, chosen only for an exec; checked in a process of its own
 * as the launcher starts one, since SLF4J picks its provider once per JVM.
 */
class OneShotLogProviderTest {

    @TempDir
    Path dir;

    @Test
    void levelsAreLogbackXmls() {
        int info = Level.INFO.toInt();
        assertThat(OneShotLogProvider.levelOf("org.flywaydb.core.internal.command.DbMigrate", info)).isEqualTo(Level.WARN.toInt());
        assertThat(OneShotLogProvider.levelOf("org.flywaydb", info)).isEqualTo(Level.WARN.toInt());
        assertThat(OneShotLogProvider.levelOf("net.schmizz.sshj.SSHClient", Level.DEBUG.toInt())).isEqualTo(Level.WARN.toInt());
        assertThat(OneShotLogProvider.levelOf("org.flywaydbx.Other", info)).isEqualTo(info);
        assertThat(OneShotLogProvider.levelOf("io.opsbot.engine.Engine", Level.DEBUG.toInt())).isEqualTo(Level.DEBUG.toInt());

        assertThat(OneShotLogProvider.rootLevel(null)).isEqualTo(info);
        assertThat(OneShotLogProvider.rootLevel("debug")).isEqualTo(Level.DEBUG.toInt());
        assertThat(OneShotLogProvider.rootLevel(" WARN ")).isEqualTo(Level.WARN.toInt());
        assertThat(OneShotLogProvider.rootLevel("verbose")).as("Logback reads a level it does not know as DEBUG")
                .isEqualTo(Level.DEBUG.toInt());
        assertThat(OneShotLogProvider.rootLevel("OFF")).isGreaterThan(Level.ERROR.toInt());
    }

    @Test
    void theSettingsWrittenAgainInCodeAreLogbackXmls() throws Exception {
        LogbackXml xml = LogbackXml.read();

        assertThat(xml.levels()).hasSameSizeAs(OneShotLogProvider.QUIET);
        OneShotLogProvider.QUIET.forEach((name, level) -> assertThat(xml.levels().get(name)).as(name)
                .hasToString(level.toString()));
        assertThat(xml.root()).as("the root's level with OPSBOT_LOG_LEVEL unset").hasToString("INFO");
        assertThat(OneShotLogProvider.rootLevel(null)).isEqualTo(Level.INFO.toInt());
        assertThat(xml.stderrThreshold()).isEqualTo("ERROR");
        assertThat(xml.fileNamePattern()).isEqualTo("opsbot.%d{yyyy-MM-dd}.%i.log");
        assertThat(xml.maxFileSize()).isEqualTo(LogFile.MAX_FILE_SIZE);
        assertThat(xml.maxHistory()).isEqualTo(LogFile.MAX_HISTORY_DAYS);
        assertThat(xml.totalSizeCap()).isEqualTo(LogFile.TOTAL_SIZE_CAP);
    }

    @Test
    void anExecLogsInLogbacksFormatWithoutStartingLogbackAndSaysNothingOfSlf4j() throws Exception {
        Run run = exec(List.of(), "help");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(run.stderr()).doesNotContain("SLF4J");
        assertThat(Files.readString(run.log()))
                .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} INFO  \\[main] i\\.opsbot\\.bot\\.Dispatcher"
                        + " event=command user=exec:\\S+ channel=exec command=\"help\"$");
        assertThat(Files.readString(run.classes())).contains("io.opsbot.bot.log.OneShotLogProvider")
                .doesNotContain("ch.qos.logback.classic.LoggerContext");
    }

    @Test
    void opsbotLogLevelIsHonoured() throws Exception {
        Run run = exec(List.of("OPSBOT_LOG_LEVEL=WARN"), "help");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(Files.exists(run.log()) ? Files.readString(run.log()) : "").doesNotContain("event=command");
    }

    @Test
    void logbacksOwnConfigurationFileStillChoosesLogback() throws Exception {
        Path xml = Files.writeString(dir.resolve("mine.xml"), "<configuration><appender name=\"F\" class=\"ch.qos.logback.core.FileAppender\">"
                + "<file>" + dir.resolve("mine.log") + "</file><encoder><pattern>MINE %msg%n</pattern></encoder></appender>"
                + "<root level=\"INFO\"><appender-ref ref=\"F\"/></root></configuration>");
        Run run = exec(List.of("-Dlogback.configurationFile=" + xml), "help");

        assertThat(run.status()).as(run.stderr()).isZero();
        assertThat(Files.readString(dir.resolve("mine.log"))).contains("MINE event=command");
        assertThat(Files.exists(run.log())).isFalse();
    }

    private record Run(int status, String stderr, Path log, Path classes) {
    }

    /** {@code opsbot exec WORDS} as the launcher runs it, on a configuration whose cluster nothing answers. */
    private Run exec(List<String> extra, String... words) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path config = Files.writeString(dir.resolve("opsbot.yaml"), "cluster:\n  marathon:\n    url: http://127.0.0.1:9\n"
                + "apps: " + Path.of("..", "config", "apps").toAbsolutePath() + "\n");
        Path classes = dir.resolve("classes.txt");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1", "-Dopsbot.logging=one-shot", "-Xlog:class+load:file=" + classes));
        extra.stream().filter(e -> e.startsWith("-")).forEach(command::add);
        command.add("io.opsbot.bot.Main");
        command.addAll(List.of("exec", "--config", config.toString()));
        command.addAll(List.of(words));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("OPSBOT_"));
        builder.environment().put("OPSBOT_HOME", home.toString());
        extra.stream().filter(e -> !e.startsWith("-")).forEach(e -> builder.environment().put(e.substring(0, e.indexOf('=')),
                e.substring(e.indexOf('=') + 1)));
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("exec ended").isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8),
                home.resolve("logs").resolve("opsbot.log"), classes);
    }
}
