package io.opsbot.engine.ops;

import io.opsbot.cluster.docker.DockerImages;
import io.opsbot.cluster.flocker.FlockerClient;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.cluster.weave.HttpWeaveTransport;
import io.opsbot.cluster.weave.SshWeaveTransport;
import io.opsbot.cluster.weave.WeaveClient;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.cluster.marathon.DeploymentWatcher;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.mesos.MesosClient;
import io.opsbot.cluster.registry.RegistryClient;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.OpsException;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The cluster's API clients, built once from the configuration over one shared HTTP client. A component that
 * is not configured is null here and reported as "not configured" where it is needed.
 */
public final class ClusterClients implements Closeable {

    private final ClusterConfig config;
    private final MarathonClient marathon;
    private final MarathonEvents events;
    private final DeploymentWatcher watcher;
    private final MesosClient mesos;
    private final RegistryClient registry;
    private final RegistryPusher pusher;
    private final DockerImages docker;
    /** Made on first use: its TLS set-up (PEM files, key store, handshake certificates) costs what most commands never need. */
    private final java.util.function.Supplier<FlockerClient> flocker;
    private final Map<String, WeaveClient> weave;
    /** Flocker's connection being opened ahead of the command ({@link #connectFlockerAhead()}); null until asked. */
    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Void>> flockerAhead =
            new java.util.concurrent.atomic.AtomicReference<>();

    private ClusterClients(ClusterConfig config, MarathonClient marathon, MarathonEvents events, Duration pollInterval,
                           MesosClient mesos, RegistryClient registry, RegistryPusher pusher, DockerImages docker,
                           java.util.function.Supplier<FlockerClient> flocker, Map<String, WeaveClient> weave) {
        this.config = config;
        this.marathon = marathon;
        this.events = events;
        this.watcher = marathon == null ? null : new DeploymentWatcher(marathon, events, pollInterval);
        this.mesos = mesos;
        this.registry = registry;
        this.pusher = pusher;
        this.docker = docker;
        this.flocker = flocker;
        this.weave = weave;
    }

    public static ClusterClients connect(ClusterConfig config) {
        return connect(config, DeploymentWatcher.DEFAULT_POLL);
    }

    /** @param pollInterval how often a deployment is polled when the event stream is quiet or lost */
    public static ClusterClients connect(ClusterConfig config, Duration pollInterval) {
        return connect(config, pollInterval, ClientMetrics.NOOP);
    }

    /** @param metrics counts and times every call to the cluster's APIs */
    public static ClusterClients connect(ClusterConfig config, Duration pollInterval, ClientMetrics metrics) {
        return connect(config, pollInterval, metrics, HttpClients.READ_TIMEOUT);
    }

    /** @param readTimeout the bound of any single read from a cluster API (tests give a hanging one less patience) */
    public static ClusterClients connect(ClusterConfig config, Duration pollInterval, ClientMetrics metrics,
                                         Duration readTimeout) {
        OkHttpClient shared = HttpClients.createShared(anyHttps(config), readTimeout);
        RetryPolicy retry = RetryPolicy.DEFAULT;
        MarathonClient marathon = null;
        MarathonEvents events = null;
        if (config.marathon() != null && config.marathon().url() != null) {
            Auth auth = marathonAuth(config.marathon());
            marathon = new MarathonClient(config.marathon().url(), auth, shared, metrics, retry);
            events = new MarathonEvents(config.marathon().url(), auth, shared, metrics, MarathonEvents.MIN_BACKOFF,
                    MarathonEvents.MAX_BACKOFF);
        }
        MesosClient mesos = config.mesos() == null || config.mesos().all().isEmpty() ? null
                : new MesosClient(config.mesos().all(), Auth.none(), shared, metrics, retry);
        RegistryClient registry = null;
        RegistryPusher pusher = null;
        if (config.registry() != null && config.registry().url() != null) {
            registry = new RegistryClient(config.registry().url(), Auth.none(), shared, metrics, retry);
            pusher = new RegistryPusher(config.registry().url(), shared);
        }
        DockerImages docker = config.docker() == null || config.docker().host() == null || config.docker().host().isBlank()
                ? null : new DockerImages(config.docker().host());
        ClusterConfig.Flocker f = config.flocker();
        java.util.function.Supplier<FlockerClient> flocker = f == null || f.url() == null ? null
                : memoized(() -> new FlockerClient(f.url(), Path.of(f.ca()), Path.of(f.cert()), Path.of(f.key()), shared,
                        metrics, retry));
        return new ClusterClients(config, marathon, events, pollInterval, mesos, registry, pusher, docker, flocker,
                weave(config, shared, metrics));
    }

    /** Whether a service the shared client reaches (all but Flocker, which has its own TLS) is configured with https. */
    static boolean anyHttps(ClusterConfig config) {
        java.util.List<String> urls = new java.util.ArrayList<>();
        if (config.marathon() != null) {
            urls.add(config.marathon().url());
        }
        if (config.mesos() != null) {
            urls.addAll(config.mesos().all());
        }
        if (config.registry() != null) {
            urls.add(config.registry().url());
        }
        if (config.weave() != null) {
            urls.add(config.weave().url());
            if (config.weave().urls() != null) {
                urls.addAll(config.weave().urls().values());
            }
        }
        return urls.stream().anyMatch(u -> u != null && u.trim().toLowerCase(java.util.Locale.ROOT).startsWith("https:"));
    }

    /** One Weave client per node (its router's API is on each node's loopback), or one for a single URL. */
    private static Map<String, WeaveClient> weave(ClusterConfig config, OkHttpClient shared, ClientMetrics metrics) {
        ClusterConfig.Weave w = config.weave();
        Map<String, WeaveClient> clients = new TreeMap<>();
        if (w == null) {
            return clients;
        }
        if (w.viaSsh() && config.ssh() != null && config.ssh().user() != null && config.ssh().key() != null) {
            SshRunner runner = sshRunner(config, Duration.ofSeconds(10));
            config.nodes().keySet().forEach(node -> clients.put(node, new WeaveClient(new SshWeaveTransport(runner,
                    sshHost(config, node), config.ssh().portOf(node)), node)));
        } else if (w.urls() != null && !w.urls().isEmpty()) {
            w.urls().forEach((node, url) -> clients.put(node, new WeaveClient(new HttpWeaveTransport(url, shared, metrics, RetryPolicy.DEFAULT), node)));
        } else if (w.url() != null) {
            clients.put("weave", new WeaveClient(new HttpWeaveTransport(w.url(), shared, metrics, RetryPolicy.DEFAULT), w.url()));
        }
        return clients;
    }

    /**
     * A runner with the configured SSH user and key, or null when cluster.ssh does not give both. Host keys are checked
     * against cluster.ssh.knownHosts, by default ~/.ssh/known_hosts as for OpenSSH's own client.
     */
    static SshRunner sshRunner(ClusterConfig config, Duration timeout) {
        ClusterConfig.Ssh ssh = config.ssh();
        if (ssh == null || ssh.user() == null || ssh.key() == null) {
            return null;
        }
        return new SshRunner(ssh.user(), Path.of(ssh.key()), knownHosts(ssh), timeout);
    }

    /** cluster.ssh.knownHosts, or OpenSSH's default ~/.ssh/known_hosts. */
    static Path knownHosts(ClusterConfig.Ssh ssh) {
        return ssh.knownHosts() == null || ssh.knownHosts().isBlank()
                ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts")
                : Path.of(ssh.knownHosts());
    }

    /** The address SSH reaches a node at: the emulated nodes' SSH servers all listen on loopback, one port each. */
    static String sshHost(ClusterConfig config, String node) {
        return config.isEmulated() ? "127.0.0.1" : config.nodes().get(node);
    }

    private static Auth marathonAuth(ClusterConfig.Marathon m) {
        if (m.token() != null && !m.token().isBlank()) {
            return Auth.bearer(m.token());
        }
        if (m.username() != null && !m.username().isBlank()) {
            return Auth.basic(m.username(), m.password() == null ? "" : m.password());
        }
        return Auth.none();
    }

    public ClusterConfig config() {
        return config;
    }

    public boolean emulated() {
        return config.isEmulated();
    }

    public MarathonClient marathon() {
        if (marathon == null) {
            throw new OpsException("Marathon is not configured (cluster.marathon.url in opsbot.yaml)");
        }
        return marathon;
    }

    /** Marathon's event stream, for a subscriber of its own (the alert watcher). */
    public MarathonEvents events() {
        marathon();
        return events;
    }

    public DeploymentWatcher deployments() {
        marathon();
        return watcher;
    }

    public MesosClient mesos() {
        if (mesos == null) {
            throw new OpsException("the Mesos master is not configured (cluster.mesos.url in opsbot.yaml)");
        }
        return mesos;
    }

    public boolean hasMesos() {
        return mesos != null;
    }

    public RegistryClient registry() {
        requireRegistry();
        return registry;
    }

    RegistryPusher pusher() {
        requireRegistry();
        return pusher;
    }

    private void requireRegistry() {
        if (registry == null) {
            throw new OpsException("the Docker registry is not configured (cluster.registry.url in opsbot.yaml)");
        }
    }

    public FlockerClient flocker() {
        if (flocker == null) {
            throw new OpsException("Flocker is not configured (cluster.flocker.url, ca, cert, key in opsbot.yaml)");
        }
        FlockerClient client = flocker.get();
        awaitFlockerAhead();
        return client;
    }

    /**
     * Starts setting up Flocker's client (its certificates and TLS context) and its connection (the mutual TLS
     * handshake) on a thread of its own, for a process that knows its command will read Flocker ({@code exec status}):
     * a few hundred milliseconds that then overlap the journal's open instead of following it. A read that comes
     * before it has ended waits for it and reuses its connection rather than handshaking a second time. Once per
     * process; nothing when Flocker is not configured. Its failures are not reported: the reads meet them again.
     */
    public void connectFlockerAhead() {
        if (flocker == null) {
            return;
        }
        java.util.concurrent.CompletableFuture<Void> ahead = new java.util.concurrent.CompletableFuture<>();
        if (!flockerAhead.compareAndSet(null, ahead)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                flocker.get().connect();
            } catch (RuntimeException e) {
                // the certificates could not be read: the first read says so, with its own message
            } finally {
                ahead.complete(null);
            }
        }, "flocker-connect");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the connection opened ahead, if one is being opened; never longer than {@link FlockerClient#CONNECT_BOUND}. */
    private void awaitFlockerAhead() {
        java.util.concurrent.CompletableFuture<Void> ahead = flockerAhead.get();
        if (ahead == null || ahead.isDone()) {
            return;
        }
        try {
            ahead.get(FlockerClient.CONNECT_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // it completes normally; past the bound, the read goes on with a connection of its own
        }
    }

    /** {@code make} called once, on the first get; a failure is not kept, so the next get tries again. */
    private static <T> java.util.function.Supplier<T> memoized(java.util.function.Supplier<T> make) {
        return new java.util.function.Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = make.get();
                }
                return value;
            }
        };
    }

    public boolean hasFlocker() {
        return flocker != null;
    }

    /** Weave clients by node name (or one named "weave" for a single URL); empty when Weave is not configured. */
    public Map<String, WeaveClient> weave() {
        return weave;
    }

    /** The Docker engine that builds images, or null when cluster.docker is absent. */
    public DockerImages docker() {
        return docker;
    }

    /** host:port of the registry as image references name it, e.g. "node1:5000". */
    public String imageRegistry() {
        requireRegistry();
        HttpUrl url = HttpUrl.parse(config.registry().url());
        if (url == null) {
            throw new OpsException("cluster.registry.url is not a URL: " + config.registry().url());
        }
        return url.host() + ":" + url.port();
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
        if (docker != null) {
            docker.close();
        }
    }
}
