package io.opsbot.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes app folders for tests: app.yaml, a Dockerfile and a template. */
final class TestApps {

    /** The catalog shipped in the repository, seen from the engine module's folder (surefire's working dir). */
    static final Path REPO_APPS = Path.of("..", "config", "apps").toAbsolutePath().normalize();

    static final String MINIMAL_TEMPLATE = """
            { "id": "{{ id }}", "instances": {{ instances }}, "env": {{ env | to_json }} }
            """;

    private TestApps() {}

    static Path write(Path appsDir, String name, String appYaml) {
        return write(appsDir, name, appYaml, MINIMAL_TEMPLATE);
    }

    static Path write(Path appsDir, String name, String appYaml, String template) {
        try {
            Path dir = Files.createDirectories(appsDir.resolve(name));
            Files.writeString(dir.resolve("app.yaml"), appYaml);
            Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
            Files.writeString(dir.resolve("marathon.json.j2"), template);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
