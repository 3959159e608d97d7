package io.opsbot.cluster.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content hash needs no daemon: these run everywhere. */
class BuildContextTest {

    private static final Path NODEAPP = Path.of("..", "config", "apps", "nodeapp").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    Path context;

    @BeforeEach
    void copyNodeapp() throws IOException {
        context = tmp.resolve("nodeapp");
        copy(NODEAPP, context);
    }

    private String hash(Path dir) {
        return new BuildContext(dir).hash();
    }

    @Test
    void theHashIsTwelveHexDigitsAndTheSameForACopyElsewhere() {
        String original = hash(NODEAPP);

        assertThat(original).matches("[0-9a-f]{12}");
        assertThat(hash(context)).isEqualTo(original);
        assertThat(hash(context)).isEqualTo(hash(context));
    }

    @Test
    void changingAFileChangesTheHashAndChangingItBackRestoresIt() throws IOException {
        String before = hash(context);
        Path server = context.resolve("server.js");
        String source = Files.readString(server);

        Files.writeString(server, source + "\n// a change\n");
        String changed = hash(context);
        Files.writeString(server, source);

        assertThat(changed).isNotEqualTo(before);
        assertThat(hash(context)).isEqualTo(before);
    }

    @Test
    void addingRenamingOrRemovingAFileChangesTheHash() throws IOException {
        String before = hash(context);

        Files.writeString(context.resolve("extra.js"), "1");
        String added = hash(context);
        Files.move(context.resolve("extra.js"), context.resolve("other.js"));
        String renamed = hash(context);
        Files.delete(context.resolve("other.js"));

        assertThat(added).isNotEqualTo(before);
        assertThat(renamed).isNotEqualTo(added).isNotEqualTo(before);
        assertThat(hash(context)).isEqualTo(before);
    }

    @Test
    void timestampsDoNotCount() throws IOException {
        String before = hash(context);

        Files.setLastModifiedTime(context.resolve("server.js"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));

        assertThat(hash(context)).isEqualTo(before);
    }

    @Test
    void gitAndDockerignoredFilesDoNotCount() throws IOException {
        String before = hash(context);

        Files.createDirectories(context.resolve(".git/objects"));
        Files.writeString(context.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.createDirectories(context.resolve("node_modules/mongodb"));
        Files.writeString(context.resolve("node_modules/mongodb/index.js"), "module.exports = {};\n");
        Files.writeString(context.resolve("npm-debug.log"), "noise\n");
        // app.yaml and the template are catalog files, not image sources (nodeapp's .dockerignore).
        Files.writeString(context.resolve("app.yaml"), Files.readString(context.resolve("app.yaml")) + "# edited\n");

        assertThat(hash(context)).isEqualTo(before);
    }

    @Test
    void dockerignoreFollowsDockersRules() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("rules"));
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(dir.resolve(".dockerignore"), """
                # comments and blank lines are skipped

                /build/
                **/*.tmp
                docs
                !docs/keep.md
                """);
        for (String file : new String[] {"build/out.bin", "a/b/c.tmp", "top.tmp", "docs/notes.md", "docs/keep.md",
                "src/main.c"}) {
            Files.createDirectories(dir.resolve(file).getParent());
            Files.writeString(dir.resolve(file), file);
        }

        assertThat(new BuildContext(dir).files())
                .containsExactly(".dockerignore", "Dockerfile", "docs/keep.md", "src/main.c");
    }

    @Test
    void theTarHoldsExactlyTheHashedFilesWithTheirExecutableBit() throws IOException {
        Files.writeString(context.resolve(".dockerignore"), "Dockerfile\n.dockerignore\n*.md\n", StandardOpenOption.APPEND);
        Files.writeString(context.resolve("README.md"), "left out\n");
        Path script = Files.writeString(context.resolve("start.sh"), "#!/bin/sh\nexec node server.js\n");
        script.toFile().setExecutable(true);
        BuildContext build = new BuildContext(context);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        build.writeTar(out);

        Map<String, Integer> modes = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                modes.put(e.getName(), e.getMode() & 0777);
            }
        }
        // The daemon needs the Dockerfile and .dockerignore even when .dockerignore names them.
        assertThat(build.files()).containsExactly(".dockerignore", "Dockerfile", "package.json", "server.js", "start.sh");
        assertThat(modes.keySet()).containsExactlyElementsOf(build.files());
        assertThat(modes).containsEntry("start.sh", 0755).containsEntry("server.js", 0644);
    }

    @Test
    void theExecutableBitCounts() throws IOException {
        String before = hash(context);

        context.resolve("server.js").toFile().setExecutable(true);

        assertThat(hash(context)).isNotEqualTo(before);
    }

    @Test
    void patternsMatchAsDockerMatchesThem() {
        assertThat(BuildContext.toRegex("*.md").matcher("README.md").matches()).isTrue();
        assertThat(BuildContext.toRegex("*.md").matcher("docs/README.md").matches()).isFalse();
        assertThat(BuildContext.toRegex("**/*.md").matcher("docs/a/README.md").matches()).isTrue();
        assertThat(BuildContext.toRegex("docs/**").matcher("docs/a/b").matches()).isTrue();
        assertThat(BuildContext.toRegex("file?.txt").matcher("file1.txt").matches()).isTrue();
        assertThat(BuildContext.toRegex("file?.txt").matcher("file/.txt").matches()).isFalse();
        assertThat(BuildContext.toRegex("[!a]x").matcher("bx").matches()).isTrue();
        assertThat(BuildContext.toRegex("[!a]x").matcher("ax").matches()).isFalse();
        assertThat(BuildContext.toRegex("a.b").matcher("axb").matches()).isFalse();
    }

    @Test
    void aMissingContextIsNamed() {
        Path missing = tmp.resolve("nope");

        assertThatThrownBy(() -> hash(missing))
                .isInstanceOf(OpsException.class)
                .hasMessage("build context " + missing + " is not a folder");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
