package io.opsbot.cluster.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbot.cluster.flocker.FlockerClient;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Json;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.mesos.MesosClient;
import io.opsbot.cluster.registry.RegistryClient;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.cluster.weave.HttpWeaveTransport;
import io.opsbot.cluster.weave.WeaveClient;
import io.opsbot.sim.Sim;
import io.opsbot.sim.SimEndpoints;
import io.opsbot.sim.SimOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One emulated cluster on loopback and the real opsbot clients wired to its endpoints (one shared OkHttp client,
 * default retry policies, Flocker with the sim's CA and user certificate, SSH with the sim's key and no
 * known_hosts), plus the sim's control API (/_sim/) for the test to steer it.
 *
 * <p>Each test class starts its own sim (isolated state, ports and event streams); the RSA keys and certificates
 * are made once per JVM and copied into each fresh home, which is what a second start of the sim finds.
 */
final class SimHarness implements AutoCloseable {

    /** Simulated seconds per real second: a 15 s health-check grace period passes in 0.3 s. */
    static final double TIME_SCALE = 50;
    /** Watcher polls rarely on purpose: outcomes must come from the event stream (or a reconnect's re-read). */
    static final Duration WATCHER_POLL = Duration.ofSeconds(2);

    private static final MediaType JSON = MediaType.get("application/json");
    private static Path keyTemplate;

    final Path home;
    final Sim sim;
    final SimEndpoints endpoints;
    final OkHttpClient shared = HttpClients.createShared();
    final MarathonClient marathon;
    final MarathonEvents events;
    final DeploymentWatcher watcher;
    final MesosClient mesos;
    final FlockerClient flocker;
    final RegistryClient registry;
    final SshRunner ssh;
    private final OkHttpClient control = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

    SimHarness() {
        try {
            home = withKeys(Files.createTempDirectory("opsbot-simcontract"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sim = Sim.start(new SimOptions(home, 0, null, TIME_SCALE, false));
        endpoints = sim.endpoints();
        marathon = new MarathonClient(endpoints.marathonUrl(), Auth.none(), shared);
        // Reconnects quickly so a dropped stream costs the tests little time; the policy is the same as in production.
        events = new MarathonEvents(endpoints.marathonUrl(), Auth.none(), shared, ClientMetrics.NOOP,
                Duration.ofMillis(50), Duration.ofSeconds(1));
        watcher = new DeploymentWatcher(marathon, events, WATCHER_POLL);
        mesos = new MesosClient(List.of(endpoints.mesosUrl()), shared);
        flocker = new FlockerClient(endpoints.flockerUrl(), endpoints.flockerCa(), endpoints.flockerCert(),
                endpoints.flockerKey(), shared);
        registry = new RegistryClient(endpoints.registryUrl(), Auth.none(), shared);
        ssh = new SshRunner(endpoints.sshUser(), endpoints.sshKey(), endpoints.sshKnownHosts(), Duration.ofSeconds(10));
    }

    /** Weave's router API of one node, over HTTP as the local default configures it. */
    WeaveClient weave(String node) {
        return new WeaveClient(new HttpWeaveTransport(endpoints.weaveUrls().get(node), shared), node);
    }

    /** A Marathon client with its own retry policy (the resilience tests count attempts). */
    MarathonClient marathon(RetryPolicy retry) {
        return new MarathonClient(endpoints.marathonUrl(), Auth.none(), shared, ClientMetrics.NOOP, retry);
    }

    // ---- control API --------------------------------------------------------------------------------------

    /** Back to the topology: apps running and healthy, datasets in place, faults and failing images cleared. */
    void reset() {
        control("/_sim/reset", Json.MAPPER.createObjectNode());
        timeScale(TIME_SCALE);
    }

    void timeScale(double scale) {
        control("/_sim/time", Json.MAPPER.createObjectNode().put("scale", scale));
    }

    /** Moves simulated time on at once, e.g. so that routine log lines have accumulated. */
    void advance(int seconds) {
        control("/_sim/time/advance", Json.MAPPER.createObjectNode().put("seconds", seconds));
    }

    void markFailing(String image) {
        control("/_sim/images/failing", Json.MAPPER.createObjectNode().put("image", image));
    }

    /** The next {@code count} matching requests answer {@code status}. */
    void fault(String method, String pathPrefix, int status, int count) {
        control("/_sim/faults", Json.MAPPER.createObjectNode().put("service", "marathon").put("method", method)
                .put("pathPrefix", pathPrefix).put("status", status).put("count", count));
    }

    /** Any fault the control API takes: {"service": ..., "kind": ..., "phase": ...}. */
    void fault(String json) {
        try {
            control("/_sim/faults", (ObjectNode) Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many writes (Marathon versions, Flocker moves) the sim has accepted so far. */
    long writes() {
        try (Response response = control.newCall(new Request.Builder().url(endpoints.marathonUrl() + "/_sim/writes")
                .get().build()).execute()) {
            return Json.MAPPER.readTree(response.body().string()).path("total").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void dropEventStream(int count) {
        control("/_sim/faults", Json.MAPPER.createObjectNode().put("dropEventStream", true).put("count", count));
    }

    /** A raw GET against any sim service, for checks that must see the bytes (digests). */
    Response rawGet(String url, String accept) throws IOException {
        return control.newCall(new Request.Builder().url(url).header("Accept", accept).get().build()).execute();
    }

    private JsonNode control(String path, ObjectNode body) {
        Request request = new Request.Builder().url(endpoints.marathonUrl() + path)
                .post(RequestBody.create(body.toString(), JSON)).build();
        try (Response response = control.newCall(request).execute()) {
            String text = response.body().string();
            if (!response.isSuccessful()) {
                throw new IllegalStateException("sim control " + path + " answered " + response.code() + ": " + text);
            }
            return text.isBlank() ? null : Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        events.close();
        sim.close();
        shared.dispatcher().executorService().shutdown();
        shared.connectionPool().evictAll();
        deleteQuietly(home);
    }

    // ---- homes ----------------------------------------------------------------------------------------------

    /** Copies the certificates and SSH keys made by a first start (once per JVM) into a fresh home. */
    private static synchronized Path withKeys(Path home) throws IOException {
        if (keyTemplate == null) {
            Path template = Files.createTempDirectory("opsbot-simcontract-keys");
            Sim.start(new SimOptions(template, 0, null, 1, true)).close();
            keyTemplate = template;
        }
        for (String dir : List.of("flocker", "ssh")) {
            Path from = keyTemplate.resolve(dir);
            Path to = Files.createDirectories(home.resolve(dir));
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return home;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp dir left behind costs nothing; the test outcome does not depend on it.
        }
    }
}
