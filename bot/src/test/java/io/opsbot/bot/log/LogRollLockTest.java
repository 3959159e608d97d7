package io.opsbot.bot.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running console (Logback) holds its log folder's lock, so that execs beside it leave the rolling to it. */
class LogRollLockTest {

    @TempDir
    Path dir;

    @Test
    void theConsoleHoldsItsLogFoldersLockWhileItRunsAndReleasesItWhenItEnds() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path logs = home.resolve("logs");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", "io.opsbot.bot.Main")
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("OPSBOT_"));
        builder.environment().put("OPSBOT_HOME", home.toString());
        builder.environment().put("OPSBOT_APPS", Path.of("..", "config", "apps").toAbsolutePath().toString());
        Process console = builder.start();
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                assertThat(console.isAlive()).as("the console runs; its stderr: %s", stderr()).isTrue();
                return Files.exists(logs.resolve(LogRollLock.NAME)) && !free(logs);
            });

            console.getOutputStream().close(); // end of input: the console says goodbye and ends
            assertThat(console.waitFor(2, TimeUnit.MINUTES)).as("the console ended").isTrue();
            assertThat(free(logs)).as("released with the process").isTrue();
        } finally {
            console.destroyForcibly();
        }
    }

    /** Whether this process could take the lock (taken and released at once). */
    private static boolean free(Path logs) throws IOException {
        try (FileChannel channel = LogRollLock.lock(logs)) {
            return channel != null;
        }
    }

    private String stderr() throws IOException {
        Path err = dir.resolve("stderr.txt");
        return Files.exists(err) ? String.join("\n", Files.readAllLines(err).stream().limit(20).toList()) : "";
    }

}
