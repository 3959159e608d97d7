package io.opsbot.bot;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own, from the server binaries {@code .ci/services.sh} installs
 * (/usr/lib/postgresql/VERSION/bin): initdb in a temporary folder, the server on 127.0.0.1 and a free port, a socket
 * folder of its own. It may be stopped and started again at will, unlike the PostgreSQL other tests share. As root
 * it runs as the postgres user (initdb refuses root). Closed: stopped and deleted.
 */
final class PrivatePostgres implements AutoCloseable {

    static final String USER = "opsbot_store";
    private static final Path BINARIES = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path root;
    private final int port;
    private final boolean asPostgres;
    private final Thread cleanup;

    private PrivatePostgres(Path bin, Path root, int port, boolean asPostgres) {
        this.bin = bin;
        this.root = root;
        this.port = port;
        this.asPostgres = asPostgres;
        this.cleanup = new Thread(this::stopQuietly, "private-postgres-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Why none can be started here, or null when the binaries are there. */
    static String unavailable() {
        return serverBin() == null ? "PostgreSQL server binaries missing under " + BINARIES + " (package postgresql)" : null;
    }

    /** initdb, then start; the server answers when this returns. */
    static PrivatePostgres start() throws IOException, InterruptedException {
        Path bin = serverBin();
        if (bin == null) {
            throw new IllegalStateException(unavailable());
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("opsbot-private-pg-");
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false, 30);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, freePort(), root);
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", USER, "--auth=trust",
                "-E", "UTF8", "--no-sync"), 120);
        pg.startServer();
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    /** A clean stop (pg_ctl -m fast): sessions are ended, the server no longer answers. */
    void stop() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
    }

    /** Starts it again on the same port and data; answers when it does. */
    void startServer() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", root.resolve("server.log").toString(),
                "-w", "-t", "90", "-o", "-p " + port + " -h 127.0.0.1 -k " + root, "start"), 120);
    }

    boolean answers() {
        try (Connection c = DriverManager.getConnection(url(), USER, "")) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private void stopQuietly() {
        if (Files.exists(data().resolve("postmaster.pid"))) {
            try {
                stop();
            } catch (Exception e) {
                // best effort on the way out
            }
        }
    }

    private Path data() {
        return root.resolve("data");
    }

    private void run(List<String> command, int seconds) throws IOException, InterruptedException {
        run(command, asPostgres, seconds);
    }

    private static void run(List<String> command, boolean asPostgres, int seconds) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        if (asPostgres) {
            line.addAll(Arrays.asList("runuser", "-u", "postgres", "--"));
        }
        line.addAll(command);
        Path out = Files.createTempFile("opsbot-private-pg-", ".out");
        try {
            Process process = new ProcessBuilder(line).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", line) + " did not end within " + seconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", line) + " failed (exit " + process.exitValue() + "): " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Path serverBin() {
        try (Stream<Path> versions = Files.list(BINARIES)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static Integer versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
