package io.opsbot.sim;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.opsbot.sim.cluster.ClusterModel;
import io.opsbot.sim.cluster.Topology;
import io.opsbot.sim.control.ControlApi;
import io.opsbot.sim.flocker.FlockerApi;
import io.opsbot.sim.flocker.FlockerCertificates;
import io.opsbot.sim.http.Faults;
import io.opsbot.sim.http.Response;
import io.opsbot.sim.http.RequestCounts;
import io.opsbot.sim.http.Router;
import io.opsbot.sim.marathon.EventStream;
import io.opsbot.sim.marathon.MarathonApi;
import io.opsbot.sim.mesos.MesosApi;
import io.opsbot.sim.registry.RegistryApi;
import io.opsbot.sim.ssh.LoginFaults;
import io.opsbot.sim.ssh.RemoteCommands;
import io.opsbot.sim.ssh.SshNodes;
import io.opsbot.sim.weave.WeaveApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulated cluster on loopback: Marathon (+ /_sim/ control), Mesos master, Flocker (HTTPS, client
 * certificates), Weave per node, a Docker registry and SSH per node, all driven by one {@link ClusterModel}
 * whose state is persisted under {@link SimOptions#home()}.
 */
public final class Sim implements AutoCloseable {

  static {
    // The JDK's server sends headers and body as two writes: without TCP_NODELAY the body of every answer on a
    // kept-alive connection waits for the client's delayed ACK (40 ms on Linux). Read once, when the JVM's first
    // server starts; an explicit -Dsun.net.httpserver.nodelay is left alone.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private enum State { STARTED, CLOSED }

  private static final Logger log = LoggerFactory.getLogger(Sim.class);
  /** The ticker's period: short enough that deployments look continuous, long enough to cost nothing. */
  private static final long TICK_MS = 50;

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
  private final SimOptions options;
  private final Topology topology;
  private final ClusterModel model;
  private final Faults faults;
  private final RequestCounts requests = new RequestCounts();
  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService httpThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sim-http");
    t.setDaemon(true);
    return t;
  });
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sim-ticker");
    t.setDaemon(true);
    return t;
  });
  private EventStream events;
  private MarathonApi marathonApi;
  private RegistryApi registry;
  private SshNodes ssh;
  private SimEndpoints endpoints;

  private Sim(SimOptions options) {
    this.options = options;
    this.topology = Topology.load(options.topologyFile());
    SimClock clock = new SimClock(System.currentTimeMillis(), options.timeScale());
    this.model = new ClusterModel(topology, clock, options.home().resolve("state.json"), options.reset());
    this.faults = new Faults(() -> model.writes().total());
  }

  public static Sim start(SimOptions options) {
    Sim sim = new Sim(options);
    try {
      sim.startServices();
      return sim;
    } catch (RuntimeException | IOException e) {
      sim.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the sim", io);
      }
      throw (RuntimeException) e;
    }
  }

  private void startServices() throws IOException {
    Path home = options.home();
    Files.createDirectories(home);
    events = new EventStream(model);
    events.onDrop(dropped -> faults.count("marathon", null, "drop-stream", dropped));

    HttpServer marathon = http(options.marathonPort());
    String marathonUrl = url("http", marathon);
    Router marathonRouter = router("marathon");
    marathonApi = new MarathonApi(model, events, "127.0.0.1:" + marathon.getAddress().getPort());
    marathonApi.register(marathonRouter);
    new ControlApi(model, faults, requests, events, () -> endpoints, this::reset).register(marathonRouter);
    marathon.createContext("/", marathonRouter);

    HttpServer mesos = http(0);
    new MesosApi(model, "127.0.0.1:" + mesos.getAddress().getPort()).register(router("mesos", mesos));

    FlockerCertificates certs = FlockerCertificates.loadOrCreate(home.resolve("flocker"));
    HttpsServer flocker = https(certs.serverContext());
    new FlockerApi(model).register(router("flocker", flocker));

    HttpServer registryServer = http(0);
    registry = new RegistryApi(model, home.resolve("registry").resolve("blobs"));
    registry.register(router("registry", registryServer));
    seedRegistry();

    Map<String, WeaveApi> weaves = new LinkedHashMap<>();
    Map<String, String> weaveUrls = new LinkedHashMap<>();
    for (Topology.Node n : topology.nodes()) {
      HttpServer w = http(0);
      WeaveApi api = new WeaveApi(model, n.name());
      api.register(router("weave", w));
      weaves.put(n.name(), api);
      weaveUrls.put(n.name(), url("http", w));
    }
    ssh = new SshNodes(home.resolve("ssh"), topology.nodes().stream().map(Topology.Node::name).toList(),
        new RemoteCommands(model, weaves), this::loginFault);

    endpoints = new SimEndpoints(marathonUrl, url("http", mesos), url("https", flocker), certs.caFile(),
        certs.userCert(), certs.userKey(), url("http", registryServer), weaveUrls, ssh.ports(), SshNodes.USER,
        ssh.clientKey(), topology.addresses(), ssh.knownHosts());
    servers.forEach(HttpServer::start);
    long[] last = {System.nanoTime()};
    ticker.scheduleAtFixedRate(() -> {
      try {
        long nowNanos = System.nanoTime();
        model.advanceReal((nowNanos - last[0]) / 1_000_000, System.currentTimeMillis());
        last[0] = nowNanos;
      } catch (RuntimeException e) {
        log.warn("sim tick failed", e);
      }
    }, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    log.info("sim started home={} marathon={} scale={}", home, marathonUrl, options.timeScale());
  }

  private void seedRegistry() throws IOException {
    String prefix = topology.registry() + "/";
    for (var app : topology.apps()) {
      String image = app.path("container").path("docker").path("image").asText("");
      if (image.startsWith(prefix)) {
        String ref = image.substring(prefix.length());
        int colon = ref.lastIndexOf(':');
        registry.seed(colon < 0 ? ref : ref.substring(0, colon), colon < 0 ? "latest" : ref.substring(colon + 1));
      }
    }
  }

  private void reset() {
    model.seed();
    faults.clear();
    try {
      seedRegistry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpServer http(int port) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    s.setExecutor(httpThreads);
    servers.add(s);
    return s;
  }

  private HttpsServer https(SSLContext context) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = context.getDefaultSSLParameters();
        // Flocker refuses any client without a certificate signed by the cluster CA.
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    s.setExecutor(httpThreads);
    servers.add(s);
    return s;
  }

  private Router router(String service) {
    return new Router(service).faults((request, exchange) -> {
      if (request.path().startsWith("/_sim/")) {
        return Optional.empty();
      }
      requests.count(service, request.method());
      return faults.take(service, request.method(), request.path()).flatMap(Sim::inject);
    });
  }

  /** An SSH login on {@code node}: a fault armed for service "ssh" (path "/NODE") may refuse it or drop it. */
  private LoginFaults.Effect loginFault(String node) {
    return faults.take("ssh", "LOGIN", "/" + node).map(f -> switch (f.kind()) {
      case REFUSE_LOGIN, STATUS -> LoginFaults.Effect.REFUSE;
      case SLOW -> {
        pause(f.hangMillis());
        yield LoginFaults.Effect.NONE;
      }
      case HANG -> {
        pause(f.hangMillis());
        yield LoginFaults.Effect.DROP;
      }
      case DROP, LOSE_ANSWER, MALFORMED -> LoginFaults.Effect.DROP;
    }).orElse(LoginFaults.Effect.NONE);
  }

  /** A body cut off in the middle of a JSON document (the kind "malformed"). */
  private static final byte[] MALFORMED_BODY = "{\"opsbot-sim\":\"injected malformed body\",\"slaves\":[{\"hostname\":\"node"
      .getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** What a fault that fired does to its request (see {@link Faults.Kind}). */
  private static Optional<Router.Injection> inject(Faults.Fault f) {
    Response status = f.status() > 0
        ? Response.json(f.status(), Map.of("message", "opsbot-sim injected fault: HTTP " + f.status())) : null;
    return switch (f.kind()) {
      case STATUS, REFUSE_LOGIN -> Optional.of(Router.Injection.answer(status));
      case SLOW -> {
        pause(f.hangMillis());
        // a slow answer without a status is the real one, late: the request goes on to its route
        yield status == null ? Optional.empty() : Optional.of(Router.Injection.answer(status));
      }
      case HANG -> {
        pause(f.hangMillis());
        yield Optional.of(Router.Injection.drop());
      }
      case DROP -> Optional.of(Router.Injection.drop());
      case LOSE_ANSWER -> Optional.of(new Router.Injection(status, true));
      case MALFORMED -> Optional.of(Router.Injection.answer(Response.bytes(f.status() > 0 ? f.status() : 200,
          "application/json", MALFORMED_BODY)));
    };
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
  private Router router(String service, HttpServer server) {
    Router r = router(service);
    server.createContext("/", r);
    return r;
  }

  private static String url(String scheme, HttpServer s) {
    return scheme + "://127.0.0.1:" + s.getAddress().getPort();
  }

  public SimEndpoints endpoints() {
    return endpoints;
  }

  /** For tests and demos: the simulated clock. */
  public SimClock clock() {
    return model.clock();
  }

  /** One line per service, for `opsbot sim`. */
  public String describe() {
    SimEndpoints e = endpoints;
    StringBuilder sb = new StringBuilder("opsbot sim (emulated cluster, time x" + model.clock().scale() + ", home "
        + options.home() + ")\n");
    sb.append(String.format("  %-10s %s  (control: %s/_sim/)%n", "marathon", e.marathonUrl(), e.marathonUrl()));
    sb.append(String.format("  %-10s %s%n", "mesos", e.mesosUrl()));
    sb.append(String.format("  %-10s %s  (ca %s, cert %s, key %s)%n", "flocker", e.flockerUrl(), e.flockerCa(),
        e.flockerCert(), e.flockerKey()));
    sb.append(String.format("  %-10s %s%n", "registry", e.registryUrl()));
    e.weaveUrls().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(w -> sb.append(String.format("  %-10s %s (%s)%n", "weave", w.getValue(), w.getKey())));
    e.sshPorts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(p -> sb.append(String.format("  %-10s %s@127.0.0.1:%d (%s, key %s)%n", "ssh", e.sshUser(),
            p.getValue(), p.getKey(), e.sshKey())));
    return sb.toString();
  }

  @Override
  public void close() {
    if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
      return;
    }
    try {
      ticker.shutdownNow();
      if (events != null) {
        events.close();
      }
      if (marathonApi != null) {
        marathonApi.close();
      }
      // HttpServer.stop waits for its dispatcher's next wake-up (up to a second): stop them all at once.
      List<Thread> stopping = servers.stream().map(s -> new Thread(() -> s.stop(0), "sim-stop")).toList();
      stopping.forEach(Thread::start);
      for (Thread t : stopping) {
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (ssh != null) {
        ssh.close();
      }
    } finally {
      httpThreads.shutdownNow();
      model.persist();
    }
  }
}
