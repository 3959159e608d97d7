package io.opsbot.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Assumptions;

/**
 * Connection details of the real components that {@code ./run-tests} installs and starts
 * (PostgreSQL, Docker Engine, a Docker registry, sshd, rsyslog), read from its OPSBOT_TEST_*
 * environment variables.
 *
 * <p>Each method checks that its component answers. When it does not, the calling test fails
 * with an {@link AssertionError} if {@code CI=true} (a real component must never be skipped
 * silently in CI), and is otherwise aborted (reported as skipped) with the same message.
 */
public final class RealComponents {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final String HOW_TO_START = "run ./run-tests (as root it installs and starts it)";

    private RealComponents() {
    }

    /** PostgreSQL with an empty-enough database the tests may create tables in. */
    public record Postgres(String jdbcUrl, String user, String password, String host, int port) {
    }

    /** Docker Engine on a unix socket, with a local base image (no image can be pulled here). */
    public record Docker(Path socket, String baseImage) {
        /** The DOCKER_HOST form of the socket, e.g. {@code unix:///var/run/docker.sock}. */
        public String dockerHost() {
            return "unix://" + socket;
        }

        /** Sends one raw HTTP/1.0 request over the socket and returns the whole response. */
        public String http(String method, String path) throws IOException {
            return httpOverUnixSocket(socket, method + " " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n");
        }
    }

    /** A Docker registry (distribution v2) over plain HTTP. */
    public record Registry(String hostPort) {
        public URI baseUri() {
            return URI.create("http://" + hostPort + "/");
        }
    }

    /**
     * A private sshd accepting {@code user} with the private key at {@code privateKey}; {@code knownHosts} lists its
     * host key for [host]:port.
     */
    public record Ssh(String host, int port, String user, Path privateKey, Path knownHosts) {
    }

    /** The central rsyslog: syslog on UDP and TCP, one file per program under {@code logDir}. */
    public record Rsyslog(String host, int port, Path logDir) {
        /** The file that rsyslog writes a program's (syslog tag's) messages to. */
        public Path logFileOf(String programName) {
            return logDir.resolve(programName + ".log");
        }
    }

    public static Postgres postgres() {
        String component = "PostgreSQL";
        String url = require(component, "OPSBOT_TEST_PG_URL");
        URI uri = URI.create(url.substring("jdbc:".length()));
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        Postgres pg = new Postgres(url, require(component, "OPSBOT_TEST_PG_USER"),
                require(component, "OPSBOT_TEST_PG_PASSWORD"), uri.getHost(), port);
        probeTcp(component, pg.host(), pg.port());
        return pg;
    }

    public static Docker docker() {
        String component = "Docker Engine";
        String host = require(component, "DOCKER_HOST");
        if (!host.startsWith("unix://")) {
            unavailable(component, "DOCKER_HOST=" + host + " is not a unix socket");
        }
        Docker docker = new Docker(Path.of(host.substring("unix://".length())),
                require(component, "OPSBOT_TEST_BASE_IMAGE"));
        try {
            String response = docker.http("GET", "/_ping");
            if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
                unavailable(component, "GET /_ping on " + docker.socket() + " answered " + firstLine(response));
            }
        } catch (IOException e) {
            unavailable(component, "no answer on " + docker.socket() + ": " + e);
        }
        return docker;
    }

    public static Registry registry() {
        String component = "Docker registry";
        Registry registry = new Registry(require(component, "OPSBOT_TEST_REGISTRY"));
        int status = httpGetStatus(component, registry.baseUri().resolve("/v2/"));
        if (status != 200) {
            unavailable(component, "GET " + registry.baseUri().resolve("/v2/") + " answered " + status);
        }
        return registry;
    }

    public static Ssh ssh() {
        String component = "OpenSSH test server";
        Ssh ssh = new Ssh(require(component, "OPSBOT_TEST_SSH_HOST"),
                Integer.parseInt(require(component, "OPSBOT_TEST_SSH_PORT")),
                require(component, "OPSBOT_TEST_SSH_USER"),
                Path.of(require(component, "OPSBOT_TEST_SSH_KEY")),
                Path.of(require(component, "OPSBOT_TEST_SSH_KNOWN_HOSTS")));
        if (!Files.isReadable(ssh.privateKey())) {
            unavailable(component, "private key " + ssh.privateKey() + " is not readable");
        }
        if (!Files.isReadable(ssh.knownHosts())) {
            unavailable(component, "known_hosts " + ssh.knownHosts() + " is not readable");
        }
        probeTcp(component, ssh.host(), ssh.port());
        return ssh;
    }

    public static Rsyslog rsyslog() {
        String component = "rsyslog";
        String hostPort = require(component, "OPSBOT_TEST_RSYSLOG");
        int colon = hostPort.lastIndexOf(':');
        Rsyslog rsyslog = new Rsyslog(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)),
                Path.of(require(component, "OPSBOT_TEST_RSYSLOG_DIR")));
        if (!Files.isDirectory(rsyslog.logDir())) {
            unavailable(component, "log directory " + rsyslog.logDir() + " does not exist");
        }
        // imtcp listens on the same port as imudp; UDP itself cannot be probed.
        probeTcp(component, rsyslog.host(), rsyslog.port());
        return rsyslog;
    }

    // ---------------------------------------------------------------------------------------------

    static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    private static String require(String component, String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            unavailable(component, variable + " is not set");
        }
        return value;
    }

    private static void unavailable(String component, String why) {
        unavailable(component, why, inCi());
    }

    /** Fails the test in CI, aborts (skips) it elsewhere. Never returns normally. */
    static void unavailable(String component, String why, boolean ci) {
        String message = component + " is not available: " + why + "; " + HOW_TO_START;
        if (ci) {
            throw new AssertionError(message + " [CI=true: real components must not be skipped]");
        }
        Assumptions.abort(message);
    }

    private static void probeTcp(String component, String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
        } catch (IOException e) {
            unavailable(component, "nothing answers on " + host + ":" + port + " (" + e.getMessage() + ")");
        }
    }

    private static int httpGetStatus(String component, URI uri) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            unavailable(component, "GET " + uri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(component, "interrupted while probing " + uri);
        }
        return -1;
    }

    /**
     * One request over a unix socket, response read to EOF (HTTP/1.0 closes after it). Bounded:
     * a blocking channel has no read timeout, so the read runs aside and the channel is closed
     * when time is up.
     */
    static String httpOverUnixSocket(Path socket, String request) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try (channel) {
            CompletableFuture<String> exchange = CompletableFuture.supplyAsync(() -> {
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ByteBuffer buffer = ByteBuffer.allocate(8192);
                    while (channel.read(buffer) >= 0) {
                        out.write(buffer.array(), 0, buffer.position());
                        buffer.clear();
                    }
                    return out.toString(StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return exchange.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        } catch (TimeoutException e) {
            throw new IOException("no answer on " + socket + " within " + PROBE_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + socket, e);
        }
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
