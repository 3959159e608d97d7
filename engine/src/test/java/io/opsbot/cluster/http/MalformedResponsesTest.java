package io.opsbot.cluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.cluster.flocker.FlockerClient;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.mesos.MesosClient;
import io.opsbot.cluster.registry.RegistryClient;
import io.opsbot.cluster.weave.HttpWeaveTransport;
import io.opsbot.cluster.weave.WeaveClient;
import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Every cluster API client — Marathon, Mesos, Flocker (over its client-certificate TLS), Weave, the Docker registry,
 * the Docker Engine — fed malformed, truncated, wrongly typed and mislabelled answers, with any status code: each call
 * returns what it could read or fails with an {@link OpsException} whose one-line message names the service; never
 * another exception (a NullPointerException, a ClassCastException, a parser's own). The answers are real ones of each
 * API, mutated.
 */
class MalformedResponsesTest {

    /** Words that show an exception leaked instead of a message written for people. */
    private static final Pattern EXCEPTION_TEXT = Pattern.compile("Exception|java\\.|\\bat [a-z]+\\.[a-z]+\\.");

    static final HeldCertificate CA = new HeldCertificate.Builder().commonName("cluster-ca").certificateAuthority(0).build();
    static final HeldCertificate CONTROL = new HeldCertificate.Builder().commonName("control-service")
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").signedBy(CA).build();
    static final HeldCertificate USER = new HeldCertificate.Builder().commonName("user-opsbot").signedBy(CA).build();

    static final AtomicReference<MockResponse> ANSWER = new AtomicReference<>();
    static MockWebServer plain;
    static MockWebServer tls;
    static Map<String, Client> clients;
    static final Map<String, int[]> outcomes = new TreeMap<>();

    /** One call of one client, and the name its errors must carry. */
    record Client(String service, Function<Void, Object> call, String sample) {}

    @BeforeContainer
    static void start() throws IOException {
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return ANSWER.get();
            }
        };
        plain = new MockWebServer();
        plain.setDispatcher(dispatcher);
        plain.start();
        tls = new MockWebServer();
        tls.useHttps(new HandshakeCertificates.Builder().heldCertificate(CONTROL).addTrustedCertificate(CA.certificate())
                .build().sslSocketFactory());
        tls.requireClientAuth();
        tls.setDispatcher(dispatcher);
        tls.start();
        Path dir = Files.createTempDirectory("malformed-responses");
        Path ca = Files.writeString(dir.resolve("cluster.crt"), CA.certificatePem());
        Path crt = Files.writeString(dir.resolve("user-opsbot.crt"), USER.certificatePem());
        Path key = Files.writeString(dir.resolve("user-opsbot.key"), USER.privateKeyPkcs8Pem());

        OkHttpClient shared = HttpClients.createShared();
        String url = plain.url("/").toString();
        MarathonClient marathon = new MarathonClient(url, Auth.none(), shared, ClientMetrics.NOOP, RetryPolicy.NONE);
        MesosClient mesos = new MesosClient(List.of(url), Auth.none(), shared, ClientMetrics.NOOP, RetryPolicy.NONE);
        RegistryClient registry = new RegistryClient(url, Auth.none(), shared, ClientMetrics.NOOP, RetryPolicy.NONE);
        WeaveClient weave = new WeaveClient(new HttpWeaveTransport(url, shared, ClientMetrics.NOOP, RetryPolicy.NONE), "node1");
        FlockerClient flocker = new FlockerClient(tls.url("/").toString(), ca, crt, key, shared, ClientMetrics.NOOP,
                RetryPolicy.NONE);
        DockerImages docker = new DockerImages("tcp://127.0.0.1:" + plain.getPort());

        String app = "{\"id\":\"/nodeapp\",\"instances\":2,\"cpus\":0.25,\"mem\":128,\"container\":{\"docker\":"
                + "{\"image\":\"127.0.0.1:5000/nodeapp:1.4\"}},\"tasksRunning\":2,\"tasksHealthy\":2,\"deployments\":"
                + "[{\"id\":\"d1\"}],\"tasks\":[{\"id\":\"nodeapp.t1\",\"appId\":\"/nodeapp\",\"host\":\"node2\","
                + "\"ports\":[31001],\"state\":\"TASK_RUNNING\",\"healthCheckResults\":[{\"alive\":true}]}],"
                + "\"versionInfo\":{\"lastConfigChangeAt\":\"2026-11-26T12:00:00.000Z\"}}";
        clients = new TreeMap<>();
        add("marathon apps", "Marathon", v -> marathon.apps(Embed.TASKS, Embed.DEPLOYMENTS), "{\"apps\":[" + app + "]}");
        add("marathon app", "Marathon", v -> marathon.app("nodeapp"), "{\"app\":" + app + "}");
        add("marathon tasks", "Marathon", v -> marathon.tasks(), "{\"tasks\":[{\"id\":\"nodeapp.t1\",\"appId\":\"/nodeapp\","
                + "\"host\":\"node2\",\"ports\":[31001],\"startedAt\":\"2026-11-26T12:00:00.000Z\"}]}");
        add("marathon deployments", "Marathon", v -> marathon.deployments(), "[{\"id\":\"d1\",\"version\":"
                + "\"2026-11-26T12:00:00.000Z\",\"affectedApps\":[\"/nodeapp\"],\"currentStep\":1,\"totalSteps\":2,"
                + "\"currentActions\":[{\"action\":\"ScaleApplication\",\"app\":\"/nodeapp\"}]}]");
        add("marathon versions", "Marathon", v -> marathon.versions("nodeapp"), "{\"versions\":[\"2026-11-26T12:00:00.000Z\"]}");
        add("marathon scale", "Marathon", v -> marathon.scale("nodeapp", 3, false), "{\"version\":"
                + "\"2026-11-26T12:00:00.000Z\",\"deploymentId\":\"d2\"}");
        add("marathon info", "Marathon", v -> marathon.info(), "{\"version\":\"1.4.11\",\"leader\":\"node1:8080\","
                + "\"frameworkId\":\"f1\",\"name\":\"marathon\"}");
        add("marathon queue", "Marathon", v -> marathon.queue(), "{\"queue\":[{\"app\":{\"id\":\"/nodeapp\"},\"count\":1,"
                + "\"delay\":{\"overdue\":true,\"timeLeftSeconds\":0}}]}");
        add("mesos state", "Mesos", v -> mesos.state(), "{\"slaves\":[{\"id\":\"s1\",\"hostname\":\"node2\",\"active\":true,"
                + "\"resources\":{\"cpus\":2,\"mem\":2048},\"used_resources\":{\"cpus\":0.5,\"mem\":256}}],"
                + "\"frameworks\":[{\"name\":\"marathon\",\"tasks\":[{\"id\":\"t1\",\"state\":\"TASK_RUNNING\"}]}]}");
        add("mesos metrics", "Mesos", v -> mesos.metrics(), "{\"master/cpus_total\":4,\"master/mem_used\":512.5}");
        add("registry catalog", "registry", v -> registry.catalog(), "{\"repositories\":[\"nodeapp\",\"nginx\"]}");
        add("registry tags", "registry", v -> registry.tags("nodeapp"), "{\"name\":\"nodeapp\",\"tags\":[\"1.4\",\"1.5\"]}");
        add("registry digest", "registry", v -> registry.manifestDigest("nodeapp", "1.4"), "{\"schemaVersion\":2}");
        add("weave report", "Weave", v -> weave.report(), "{\"Ready\":true,\"Version\":\"2.8.1\",\"Router\":{\"Peers\":"
                + "[{\"Name\":\"aa:bb\",\"NickName\":\"node2\",\"Connections\":[{\"Address\":\"10.0.0.3\",\"State\":"
                + "\"established\"}]}]},\"DNS\":{\"Domain\":\"weave.local.\",\"Entries\":[{\"Hostname\":\"nodeapp.weave.local.\","
                + "\"Address\":\"10.32.0.2\"}]}}");
        add("weave dns", "Weave", v -> weave.dnsEntries(), "[{\"Hostname\":\"nodeapp.weave.local.\",\"Address\":\"10.32.0.2\"}]");
        add("flocker datasets", "Flocker", v -> flocker.datasets(), "[{\"dataset_id\":\"ds1\",\"primary\":\"uuid-2\","
                + "\"maximum_size\":1073741824,\"metadata\":{\"name\":\"mongo\"},\"deleted\":false}]");
        add("flocker state", "Flocker", v -> flocker.stateDatasets(), "[{\"dataset_id\":\"ds1\",\"primary\":\"uuid-2\","
                + "\"path\":\"/flocker/ds1\"}]");
        add("flocker nodes", "Flocker", v -> flocker.nodes(), "[{\"uuid\":\"uuid-2\",\"host\":\"10.0.0.2\"}]");
        add("flocker move", "Flocker", v -> flocker.moveDataset("ds1", "uuid-3"), "{\"dataset_id\":\"ds1\",\"primary\":\"uuid-3\"}");
        add("docker inspect", "docker", v -> docker.localImageId("nodeapp:1.4"), "{\"Id\":\"sha256:abc\",\"RepoTags\":[\"nodeapp:1.4\"]}");
        add("docker push", "docker", v -> docker.push("127.0.0.1:5000/nodeapp:1.4", line -> { }),
                "{\"status\":\"Pushing\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"l1\"}\n"
                        + "{\"status\":\"1.4: digest: sha256:0123 size: 528\"}\n{\"aux\":{\"Tag\":\"1.4\",\"Digest\":\"sha256:0123\",\"Size\":528}}\n");
    }

    private static void add(String name, String service, Function<Void, Object> call, String sample) {
        clients.put(name, new Client(service, call, sample));
    }

    @AfterContainer
    static void stop() {
        StringBuilder out = new StringBuilder("malformed responses: calls that returned / failed with a message naming the service\n");
        outcomes.forEach((name, c) -> out.append(String.format(Locale.ROOT, "  %-22s %5d returned %5d clear errors%n", name, c[0], c[1])));
        System.out.print(out);
        plain.close();
        tls.close();
        assertThat(outcomes).as("every client was called").hasSize(clients.size());
    }

    @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
    void everyClientReturnsWhatItCouldReadOrFailsWithAMessageNamingItsService(@ForAll("client") String name,
            @ForAll("status") int status, @ForAll("mutation") Function<String, String> mutation,
            @ForAll("contentType") String contentType) {
        Client client = clients.get(name);
        String body = mutation.apply(client.sample());
        MockResponse.Builder answer = new MockResponse.Builder().code(status).body(body);
        if (contentType != null) {
            answer.addHeader("Content-Type", contentType);
        }
        answer.addHeader("Docker-Content-Digest", "sha256:0123");
        ANSWER.set(answer.build());
        int[] counts;
        synchronized (outcomes) {
            counts = outcomes.computeIfAbsent(name, k -> new int[2]);
        }
        try {
            client.call().apply(null);
            counts[0]++;
        } catch (OpsException e) {
            counts[1]++;
            String message = e.getMessage();
            assertThat(message).as("%s answered %d %s", name, status, body).isNotBlank().doesNotContain("\n");
            // a client's typed error (Marathon's 409 lock, 404, 422…) says what happened in the service's terms;
            // any other error must name the service
            if (e.getClass() == OpsException.class || e.getClass() == io.opsbot.engine.TransientException.class) {
                assertThat(message).as("%s answered %d %s", name, status, body).containsIgnoringCase(client.service());
            }
            assertThat(EXCEPTION_TEXT.matcher(message).find()).as("exception text in: %s", message).isFalse();
        } catch (RuntimeException e) {
            fail(name + " answered HTTP " + status + " " + body.substring(0, Math.min(300, body.length()))
                    + " broke the client with " + e, e);
        }
    }

    /** Found by the property: the daemon answering JSON null to an inspect broke the client with a NullPointerException. */
    @net.jqwik.api.Example
    void aDockerInspectAnsweredWithNullIsAClearError() {
        ANSWER.set(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("null").build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> clients.get("docker inspect").call().apply(null))
                .isInstanceOf(OpsException.class).hasMessage("docker image inspect of nodeapp:1.4 failed: the Docker daemon at"
                        + " tcp://127.0.0.1:" + plain.getPort() + " answered without the image's id");
    }

    /** Found by the property: a cut-off push stream gave the JSON parser's two-line text, and blamed the network. */
    @net.jqwik.api.Example
    void aDockerPushStreamCutShortIsAClearOneLineErrorNotAnUnreachableDaemon() {
        ANSWER.set(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("{").build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> clients.get("docker push").call().apply(null))
                .isInstanceOf(OpsException.class).isNotInstanceOf(io.opsbot.engine.TransientException.class)
                .hasMessage("docker push of 127.0.0.1:5000/nodeapp:1.4 failed: the Docker daemon at tcp://127.0.0.1:"
                        + plain.getPort() + " answered with something other than the Docker Engine API's JSON (the answer"
                        + " is cut short)");
    }

    @Provide
    Arbitrary<String> client() {
        return Arbitraries.of(List.copyOf(clients.keySet()));
    }

    @Provide
    Arbitrary<Integer> status() {
        return Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just(200)),
                Tuple.of(3, Arbitraries.of(201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503)));
    }

    @Provide
    Arbitrary<String> contentType() {
        return Arbitraries.of("application/json", "application/json", "text/html", "text/plain", "application/octet-stream",
                "application/vnd.docker.distribution.manifest.v2+json", null);
    }

    /** What goes wrong with an answer on the way: cut short, values of the wrong type, not JSON at all, nesting, size. */
    @Provide
    Arbitrary<Function<String, String>> mutation() {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<String> junk = Arbitraries.of("null", "[]", "{}", "\"\"", "\"x\"", "0", "-1", "1e309", "true",
                "99999999999999999999999", "[null]", "[1,2]", "{\"a\":{}}", "\"\\u0000\"", "\"\\ud800\"", "NaN");
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(Function.identity())),
                Tuple.of(4, where.map(w -> (Function<String, String>) s -> s.substring(0, (int) (s.length() * w)))),
                Tuple.of(6, Combinators.combine(where, junk).as((w, j) -> (Function<String, String>) s -> replaceValue(s, w, j))),
                Tuple.of(2, junk.map(j -> (Function<String, String>) s -> j)),
                Tuple.of(1, Arbitraries.of("<html><body><h1>502 Bad Gateway</h1></body></html>", "", " ", "\u0000\u0001\u00ff",
                        "OK", "{\"message\":\"App is locked\",\"deployments\":[{\"id\":null}]}",
                        "{\"message\":\"Object is not valid\",\"details\":[{\"path\":5,\"errors\":\"no list\"}]}",
                        "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}").map(b -> (Function<String, String>) s -> b)),
                Tuple.of(1, Arbitraries.of(2_000, 50_000).map(d -> (Function<String, String>) s -> "[".repeat(d) + "]".repeat(d))),
                Tuple.of(1, Arbitraries.of(100_000, 2_000_000).map(n -> (Function<String, String>) s ->
                        s.replaceFirst("\"([a-z]+)\"", "\"" + "a".repeat(n) + "\""))));
    }

    /** The value after the field-separating colon nearest to {@code where} replaced by {@code junk}. */
    private static String replaceValue(String json, double where, String junk) {
        int colon = json.indexOf(':', (int) (json.length() * where));
        if (colon < 0) {
            colon = json.lastIndexOf(':');
        }
        if (colon < 0) {
            return junk;
        }
        int end = colon + 1;
        int depth = 0;
        boolean inString = false;
        for (; end < json.length(); end++) {
            char c = json.charAt(end);
            if (inString) {
                if (c == '\\') {
                    end++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        end++;
                        break;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    break;
                }
                depth--;
                if (depth == 0) {
                    end++;
                    break;
                }
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        return json.substring(0, colon + 1) + junk + json.substring(Math.min(end, json.length()));
    }
}
