package io.opsbot.bot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bot keeps its data: $OPSBOT_HOME (or -Dopsbot.home), by default ~/.opsbot. */
final class Home {

    private Home() {}

    static Path dir() {
        String env = System.getProperty("opsbot.home", System.getenv("OPSBOT_HOME"));
        Path dir = env == null || env.isBlank() ? Path.of(System.getProperty("user.home"), ".opsbot") : Path.of(env);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the opsbot home folder " + dir, e);
        }
    }
}
