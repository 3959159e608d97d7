package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import mesosphere.marathon.client.Marathon;
import mesosphere.marathon.client.MarathonClient;
import mesosphere.marathon.client.MarathonException;
import mesosphere.marathon.client.model.v2.App;
import mesosphere.marathon.client.model.v2.Container;
import mesosphere.marathon.client.model.v2.Deployment;
import mesosphere.marathon.client.model.v2.Docker;
import mesosphere.marathon.client.model.v2.Group;
import mesosphere.marathon.client.model.v2.Port;
import mesosphere.marathon.client.model.v2.QueueElement;
import mesosphere.marathon.client.model.v2.Result;
import mesosphere.marathon.client.model.v2.Task;
import mesosphere.marathon.client.model.v2.VersionedApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sim as a Marathon that a client nobody here wrote talks to: Mesosphere's own Java client
 * ({@code com.mesosphere:marathon-client}, Feign + Gson), every call of its {@link Marathon} interface, each result
 * checked as a user of that client would check it. Prints "N of M calls pass"; every call must pass.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThirdPartyMarathonClientTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir
  static Path home;
  static Sim sim;
  static Marathon marathon;
  /** Interface method (name and parameter types) → whether every use of it did what a user expects. */
  static final Map<String, Boolean> outcomes = new LinkedHashMap<>();
  static final List<String> failures = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false));
    marathon = MarathonClient.getInstance(sim.endpoints().marathonUrl());
  }

  @AfterAll
  static void report() {
    sim.close();
    Set<String> all = Arrays.stream(Marathon.class.getMethods()).map(ThirdPartyMarathonClientTest::signature)
        .collect(Collectors.toCollection(TreeSet::new));
    long passing = all.stream().filter(m -> Boolean.TRUE.equals(outcomes.get(m))).count();
    System.out.printf("marathon-client 0.6.3 against the sim: %d of %d calls pass%n", passing, all.size());
    all.forEach(m -> System.out.printf("  %-4s %s%n", outcomes.get(m) == null ? "--" : outcomes.get(m) ? "ok" : "FAIL", m));
    failures.forEach(f -> System.out.println("  failure: " + f));
  }

  static String signature(Method m) {
    return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /** Runs one use of a client call, recording whether it worked; a failure is rethrown so the test fails. */
  static <T> T call(String signature, ThrowingSupplier<T> use) {
    try {
      T out = use.get();
      outcomes.merge(signature, true, Boolean::logicalAnd);
      return out;
    } catch (Throwable t) {
      outcomes.put(signature, false);
      failures.add(signature + ": " + t);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error e) {
        throw e;
      }
      throw new AssertionError(t);
    }
  }

  static void run(String signature, Runnable use) {
    call(signature, () -> {
      use.run();
      return null;
    });
  }

  static App dockerApp(String id, int instances) {
    App app = new App();
    app.setId(id);
    app.setInstances(instances);
    app.setCpus(0.1);
    app.setMem(32.0);
    Docker docker = new Docker();
    docker.setImage("node1:5000/nodeapp:1.0");
    docker.setNetwork("BRIDGE");
    Port port = new Port();
    port.setContainerPort(3000);
    port.setHostPort(0);
    docker.setPortMappings(List.of(port));
    Container container = new Container();
    container.setType("DOCKER");
    container.setDocker(docker);
    app.setContainer(container);
    app.setLabels(Map.of("owner", "third-party"));
    return app;
  }

  static int running(String appId) {
    VersionedApp app = marathon.getApp(appId).getApp();
    return app.getTasksRunning() == null ? 0 : app.getTasksRunning();
  }

  static boolean settled(String appId) {
    VersionedApp app = marathon.getApp(appId).getApp();
    return app.getDeployments() == null || app.getDeployments().isEmpty();
  }

  static Set<String> taskIds(String appId) {
    return marathon.getAppTasks(appId).getTasks().stream().map(Task::getId).collect(Collectors.toSet());
  }

  @Test
  @Order(1)
  void serverInfoSaysMarathonAndHowEventsAreDelivered() {
    run("getServerInfo()", () -> {
      var info = marathon.getServerInfo();
      assertThat(info.getName()).isEqualTo("marathon");
      assertThat(info.getVersion()).startsWith("1.");
      assertThat(info.getElected()).isTrue();
      assertThat(info.getFrameworkId()).isNotBlank();
      assertThat(info.getEvent_subscriber().getType()).isEqualTo("http_callback");
    });
  }

  @Test
  @Order(2)
  void theSeededAppsAreListedAndFilteredAndShowTheirTasks() {
    run("getApps()", () -> assertThat(marathon.getApps().getApps()).extracting(App::getId)
        .contains("/nginx", "/nodeapp", "/mongo"));
    run("getApps(Map)", () -> assertThat(marathon.getApps(Map.of("id", "node")).getApps()).extracting(App::getId)
        .containsExactly("/nodeapp"));
    run("getApp(String)", () -> {
      VersionedApp app = marathon.getApp("/nodeapp").getApp();
      assertThat(app.getInstances()).isEqualTo(2);
      assertThat(app.getVersion()).endsWith("Z");
      assertThat(app.getTasks()).hasSize(2);
      assertThat(app.getContainer().getDocker().getImage()).isEqualTo("node1:5000/nodeapp:1.0");
    });
    run("getAppTasks(String)", () -> assertThat(marathon.getAppTasks("nodeapp").getTasks()).hasSize(2)
        .allSatisfy(t -> {
          assertThat(t.getState()).isEqualTo("TASK_RUNNING");
          assertThat(t.getAppId()).isEqualTo("/nodeapp");
          assertThat(t.getHealthCheckResults()).isNotEmpty().allSatisfy(r -> assertThat(r.getAlive()).isTrue());
        }));
    run("getTasks()", () -> assertThat(marathon.getTasks().getTasks()).extracting(Task::getAppId)
        .contains("/nginx", "/nodeapp", "/mongo"));
  }

  @Test
  @Order(3)
  void anAppIsCreatedScaledRestartedAndRolledBack() {
    String id = "/thirdparty/web";
    VersionedApp created = call("createApp(App)", () -> {
      VersionedApp v = marathon.createApp(dockerApp(id, 1));
      assertThat(v.getId()).isEqualTo(id);
      assertThat(v.getVersion()).endsWith("Z");
      await().atMost(CONVERGE).until(() -> running(id) == 1 && settled(id));
      return v;
    });
    run("createApp(App)", () -> {
      MarathonException twice = catchMarathon(() -> marathon.createApp(dockerApp(id, 1)));
      assertThat(twice.getStatus()).isEqualTo(409);
    });

    run("updateApp(String, App, boolean)", () -> {
      App scale = new App();
      scale.setInstances(3);
      Result r = marathon.updateApp(id, scale, false);
      assertThat(r.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> running(id) == 3 && settled(id));
    });
    List<String> versions = call("getAppVersions(String)", () -> {
      List<String> vs = new ArrayList<>(marathon.getAppVersions(id).getVersions());
      assertThat(vs).hasSize(2).startsWith(marathon.getApp(id).getApp().getVersion()).endsWith(created.getVersion());
      return vs;
    });
    App first = call("getAppVersion(String, String)", () -> {
      App v = marathon.getAppVersion(id, versions.get(1));
      assertThat(v.getInstances()).isEqualTo(1);
      assertThat(v.getId()).isEqualTo(id);
      return v;
    });
    run("updateApp(String, App, boolean)", () -> {
      // A client user's rollback: PUT the definition of an older version back.
      Result r = marathon.updateApp(id, first, true);
      assertThat(r.getVersion()).isNotEqualTo(versions.get(0));
      await().atMost(CONVERGE).until(() -> running(id) == 1 && settled(id));
      assertThat(marathon.getApp(id).getApp().getInstances()).isEqualTo(1);
    });

    Set<String> before = taskIds(id);
    run("restartApp(String, boolean)", () -> {
      Result r = marathon.restartApp(id, false);
      assertThat(r.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> settled(id) && running(id) == 1 && !taskIds(id).equals(before)
          && taskIds(id).stream().noneMatch(before::contains));
    });
  }

  @Test
  @Order(4)
  void killedTasksAreReplacedOrTheAppScalesDown() {
    String id = "/thirdparty/web";
    run("updateApp(String, App, boolean)", () -> {
      App scale = new App();
      scale.setInstances(3);
      marathon.updateApp(id, scale, false);
      await().atMost(CONVERGE).until(() -> running(id) == 3 && settled(id));
    });
    List<Task> tasks = new ArrayList<>(marathon.getAppTasks(id).getTasks());
    run("deleteAppTask(String, String, String)", () -> {
      Task killed = marathon.deleteAppTask(id, tasks.get(0).getId(), "false").getTask();
      assertThat(killed.getId()).isEqualTo(tasks.get(0).getId());
      await().atMost(CONVERGE).until(() -> running(id) == 3 && !taskIds(id).contains(killed.getId()));
      assertThat(marathon.getApp(id).getApp().getInstances()).isEqualTo(3);
    });
    run("deleteAppTask(String, String, String)", () -> {
      String victim = marathon.getAppTasks(id).getTasks().iterator().next().getId();
      marathon.deleteAppTask(id, victim, "true");
      await().atMost(CONVERGE).until(() -> settled(id) && running(id) == 2 && !taskIds(id).contains(victim));
      assertThat(marathon.getApp(id).getApp().getInstances()).isEqualTo(2);
    });
    run("deleteAppTasks(String, String, String)", () -> {
      Collection<Task> killed = marathon.deleteAppTasks(id, null, "false").getTasks();
      assertThat(killed).hasSize(2);
      Set<String> gone = killed.stream().map(Task::getId).collect(Collectors.toSet());
      await().atMost(CONVERGE).until(() -> running(id) == 2 && taskIds(id).stream().noneMatch(gone::contains));
    });
    run("deleteAppTasks(String, String, String)", () -> {
      Task one = marathon.getAppTasks(id).getTasks().iterator().next();
      long onHost = marathon.getAppTasks(id).getTasks().stream().filter(t -> t.getHost().equals(one.getHost())).count();
      marathon.deleteAppTasks(id, one.getHost(), "true");
      await().atMost(CONVERGE).until(() -> settled(id) && running(id) == 2 - onHost);
      assertThat(marathon.getApp(id).getApp().getInstances()).isEqualTo(2 - (int) onHost);
      assertThat(marathon.getAppTasks(id).getTasks()).noneMatch(t -> t.getHost().equals(one.getHost()));
    });
  }

  @Test
  @Order(5)
  void aDeploymentThatCannotFinishIsQueuedListedAndRolledBackOrCancelled() {
    String id = "/thirdparty/web";
    int instancesBefore = marathon.getApp(id).getApp().getInstances();
    App tooBig = new App();
    tooBig.setCpus(64.0);
    Result r = marathon.updateApp(id, tooBig, true);
    run("getQueue()", () -> await().atMost(CONVERGE).until(() -> {
      Collection<QueueElement> queue = marathon.getQueue().getQueue();
      return queue.stream().anyMatch(q -> q.getApp().getId().equals(id) && q.getCount() >= 1
          && q.getDelay().isOverdue());
    }));
    run("getDeployments()", () -> {
      List<Deployment> ds = marathon.getDeployments();
      Deployment d = ds.stream().filter(x -> x.getId().equals(r.getDeploymentId())).findFirst().orElseThrow();
      assertThat(d.getAffectedApps()).containsExactly(id);
      assertThat(d.getCurrentActions()).isNotEmpty().allSatisfy(a -> assertThat(a.getApp()).isEqualTo(id));
      assertThat(d.getTotalSteps()).isPositive();
    });
    run("cancelDeploymentAndRollback(String)", () -> {
      Result back = marathon.cancelDeploymentAndRollback(r.getDeploymentId());
      assertThat(back.getDeploymentId()).isNotEqualTo(r.getDeploymentId());
      await().atMost(CONVERGE).until(() -> settled(id) && running(id) == instancesBefore);
      assertThat(marathon.getApp(id).getApp().getCpus()).isEqualTo(0.1);
    });

    Result again = marathon.updateApp(id, tooBig, true);
    run("cancelDeployment(String)", () -> {
      marathon.cancelDeployment(again.getDeploymentId());
      await().atMost(CONVERGE).until(() -> marathon.getDeployments().stream()
          .noneMatch(d -> d.getId().equals(again.getDeploymentId())));
      // Cancelled where it stood: the new definition stays, nothing rolls back.
      assertThat(marathon.getApp(id).getApp().getCpus()).isEqualTo(64.0);
    });
    run("deleteApp(String)", () -> {
      Result deleted = marathon.deleteApp(id);
      assertThat(deleted.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> status(() -> marathon.getApp(id)) == 404);
      await().atMost(CONVERGE).until(() -> marathon.getTasks().getTasks().stream().noneMatch(t -> t.getAppId().equals(id)));
    });
  }

  @Test
  @Order(6)
  void aGroupIsCreatedScaledAndDeletedWithItsApps() {
    run("createGroup(Group)", () -> {
      Group g = new Group();
      g.setId("/tp-shop");
      g.setApps(List.of(dockerApp("/tp-shop/front", 1), dockerApp("back", 1)));
      Result r = marathon.createGroup(g);
      assertThat(r.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> running("/tp-shop/front") == 1 && running("/tp-shop/back") == 1
          && settled("/tp-shop/front") && settled("/tp-shop/back"));
    });
    run("getGroup(String)", () -> {
      Group g = marathon.getGroup("/tp-shop");
      assertThat(g.getId()).isEqualTo("/tp-shop");
      assertThat(g.getApps()).extracting(App::getId).containsExactlyInAnyOrder("/tp-shop/front", "/tp-shop/back");
      assertThat(g.getVersion()).endsWith("Z");
    });
    run("updateGroup(String, boolean, Group)", () -> {
      Group g = new Group();
      g.setId("/tp-shop");
      g.setApps(List.of(dockerApp("/tp-shop/front", 2), dockerApp("/tp-shop/back", 1)));
      Result r = marathon.updateGroup("tp-shop", false, g);
      assertThat(r.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> running("/tp-shop/front") == 2 && settled("/tp-shop/front"));
      assertThat(marathon.getGroup("/tp-shop").getApps()).hasSize(2);
    });
    run("deleteGroup(String, boolean)", () -> {
      Result r = marathon.deleteGroup("/tp-shop", false);
      assertThat(r.getDeploymentId()).isNotBlank();
      await().atMost(CONVERGE).until(() -> status(() -> marathon.getGroup("/tp-shop")) == 404);
      assertThat(marathon.getApps().getApps()).extracting(App::getId).noneMatch(a -> a.startsWith("/tp-shop/"));
      await().atMost(CONVERGE).until(() -> marathon.getTasks().getTasks().stream()
          .noneMatch(t -> t.getAppId().startsWith("/tp-shop/")));
    });
  }

  @Test
  @Order(7)
  void aSubscriberIsSentTheEventsUntilItUnregisters() throws IOException {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    callback.createContext("/events", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    callback.start();
    String url = "http://127.0.0.1:" + callback.getAddress().getPort() + "/events";
    try {
      run("register(String)", () -> {
        var r = marathon.register(url);
        assertThat(r.getCallbackUrl()).isEqualTo(url);
        assertThat(r.getEventType()).isEqualTo("subscribe_event");
      });
      run("subscriptions()", () -> assertThat(marathon.subscriptions().getCallbackUrls()).contains(url));
      run("register(String)", () -> {
        App scale = new App();
        scale.setInstances(2);
        marathon.updateApp("/nginx", scale, false);
        await().atMost(CONVERGE).until(() -> received.stream().anyMatch(e -> e.contains("\"deployment_success\"")));
        assertThat(received).anyMatch(e -> e.contains("\"status_update_event\"") && e.contains("/nginx"));
      });
      run("unregister(String)", () -> {
        var r = marathon.unregister(url);
        assertThat(r.getCallbackUrl()).isEqualTo(url);
        assertThat(r.getEventType()).isEqualTo("unsubscribe_event");
        assertThat(marathon.subscriptions().getCallbackUrls()).doesNotContain(url);
      });
    } finally {
      callback.stop(0);
    }
  }

  @Test
  @Order(8)
  void everyCallOfTheClientWasUsedAndPassed() {
    Set<String> all = Arrays.stream(Marathon.class.getMethods()).map(ThirdPartyMarathonClientTest::signature)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(outcomes.keySet()).containsExactlyInAnyOrderElementsOf(all);
    assertThat(outcomes.entrySet()).allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isTrue());
  }

  static MarathonException catchMarathon(ThrowingSupplier<?> call) {
    try {
      call.get();
    } catch (MarathonException e) {
      return e;
    } catch (Throwable t) {
      throw new AssertionError("expected a MarathonException, got " + t, t);
    }
    throw new AssertionError("expected a MarathonException, the call succeeded");
  }

  /** The HTTP status a call answers with: 200 when it succeeds. */
  static int status(ThrowingSupplier<?> call) {
    try {
      call.get();
      return 200;
    } catch (MarathonException e) {
      return e.getStatus();
    } catch (Throwable t) {
      throw new AssertionError("expected an answer or a MarathonException, got " + t, t);
    }
  }
}
