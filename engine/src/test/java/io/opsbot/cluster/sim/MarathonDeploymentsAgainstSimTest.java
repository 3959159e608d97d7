package io.opsbot.cluster.sim;

import static io.opsbot.cluster.sim.Apps.NODEAPP;
import static io.opsbot.cluster.sim.Apps.NODEAPP_1_0;
import static io.opsbot.cluster.sim.Apps.REGISTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.opsbot.cluster.marathon.App;
import io.opsbot.cluster.marathon.AppDefinitions;
import io.opsbot.cluster.marathon.AppLockedException;
import io.opsbot.cluster.marathon.Deployment;
import io.opsbot.cluster.marathon.DeploymentOutcome;
import io.opsbot.cluster.marathon.DeploymentOutcome.Status;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.MarathonEvent;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.cluster.mesos.Framework;
import io.opsbot.cluster.mesos.MesosState;
import io.opsbot.cluster.mesos.MesosTask;
import io.opsbot.cluster.weave.DnsEntry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deployments end to end: MarathonClient, MarathonEvents and DeploymentWatcher against the sim's Marathon over
 * HTTP, cross-checked with what the Mesos master and Weave DNS report for the same tasks.
 */
class MarathonDeploymentsAgainstSimTest {

    private static final String NODEAPP_1_1 = REGISTRY + "/nodeapp:1.1";
    /** An image the sim runs but whose health checks never pass (marked through /_sim/images/failing). */
    private static final String BROKEN = REGISTRY + "/nodeapp:6.6.6";
    private static final Duration DEPLOY_BOUND = Duration.ofSeconds(20);

    private static SimHarness h;
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private MarathonEvents.Subscription subscription;

    @BeforeAll
    static void startSim() {
        h = new SimHarness();
    }

    @AfterAll
    static void stopSim() {
        h.close();
    }

    @BeforeEach
    void resetSim() {
        h.reset();
    }

    @AfterEach
    void closeSubscription() {
        if (subscription != null) {
            subscription.close();
        }
    }

    @Test
    void scaleReachesTheNewCountInMarathonMesosAndWeaveDns() {
        DeploymentRef ref = h.marathon.scale("nodeapp", 3, false);

        DeploymentOutcome outcome = h.watcher.awaitDeployment(ref.deploymentId(), "nodeapp", DEPLOY_BOUND, progress::add);

        assertThat(outcome.status()).as(outcome.reason()).isEqualTo(Status.SUCCEEDED);
        // Marathon always embeds counts and deployments in GET /v2/apps/{id}, whatever embed asks for.
        App app = h.marathon.app("nodeapp", Embed.TASKS);
        assertThat(app.instances()).isEqualTo(3);
        assertThat(app.tasksRunning()).isEqualTo(3);
        assertThat(app.tasksHealthy()).isEqualTo(3);
        assertThat(app.deployments()).isEmpty();
        assertThat(app.tasks()).hasSize(3).allSatisfy(t -> {
            assertThat(t.isRunning()).isTrue();
            assertThat(t.healthy()).isTrue();
            assertThat(t.ports()).hasSize(1);
        });

        MesosState mesos = h.mesos.state();
        Map<String, String> hostByAgentId = mesos.agents().stream().collect(Collectors.toMap(Agent::id, Agent::hostname));
        assertThat(hostByAgentId.values()).containsExactlyInAnyOrder("node1", "node2", "node3");
        Framework framework = mesos.frameworks().stream().filter(f -> f.name().equals("marathon")).findFirst().orElseThrow();
        Map<String, MesosTask> mesosTasks = framework.tasks().stream().filter(t -> t.name().equals("nodeapp"))
                .collect(Collectors.toMap(MesosTask::id, Function.identity()));
        assertThat(mesosTasks.keySet()).containsExactlyInAnyOrderElementsOf(app.tasks().stream().map(Task::id).toList());
        for (Task task : app.tasks()) {
            MesosTask seen = mesosTasks.get(task.id());
            assertThat(seen.state()).isEqualTo("TASK_RUNNING");
            assertThat(seen.slaveId()).isEqualTo(task.slaveId());
            assertThat(hostByAgentId.get(seen.slaveId())).isEqualTo(task.host());
        }
        // nginx 0.25 + nodeapp 3 × 0.5 + mongo 0.5: what the agents report as used is what Marathon runs.
        double expectedCpus = h.marathon.apps().stream().mapToDouble(a -> a.instances() * a.cpus()).sum();
        assertThat(expectedCpus).isEqualTo(2.25);
        assertThat(mesos.agents().stream().mapToDouble(a -> a.used().cpus()).sum()).isEqualTo(expectedCpus);

        assertThat(nodeappDnsEntries("node1")).hasSize(3);
        assertThat(nodeappDnsEntries("node3")).hasSize(3);

        DeploymentRef down = h.marathon.scale("nodeapp", 1, false);
        assertThat(h.watcher.awaitDeployment(down.deploymentId(), "nodeapp", DEPLOY_BOUND, progress::add).status())
                .isEqualTo(Status.SUCCEEDED);
        assertThat(h.marathon.app("nodeapp").tasksRunning()).isEqualTo(1);
        assertThat(nodeappDnsEntries("node2")).hasSize(1);
    }

    @Test
    void rollingUpgradeStartsHealthyNewTasksBeforeTheLastOldOneIsKilled() {
        // Tasks stage for 2 simulated seconds: at the harness' time x50 that is one 50 ms tick, less than a loaded
        // machine may take to attach the watcher's event stream, which would then miss TASK_RUNNING. Slower here.
        h.timeScale(5);
        List<MarathonEvent> seen = subscribeAll();
        Set<String> oldTasks = h.marathon.appTasks("nodeapp").stream().map(Task::id).collect(Collectors.toSet());
        assertThat(oldTasks).hasSize(2);

        DeploymentRef ref = h.marathon.updateApp("nodeapp", Apps.nodeapp(NODEAPP_1_1), false);
        DeploymentOutcome outcome = h.watcher.awaitDeployment(ref.deploymentId(), "nodeapp", DEPLOY_BOUND, progress::add);

        assertThat(outcome.status()).as(outcome.reason()).isEqualTo(Status.SUCCEEDED);
        App app = h.marathon.app("nodeapp", Embed.TASKS);
        assertThat(app.image()).isEqualTo(NODEAPP_1_1);
        assertThat(app.tasks()).hasSize(2).allSatisfy(t -> {
            assertThat(t.version()).isEqualTo(ref.version());
            assertThat(t.healthy()).isTrue();
            assertThat(oldTasks).doesNotContain(t.id());
        });
        assertThat(h.marathon.versions("nodeapp").get(0)).isEqualTo(ref.version());

        // The watcher may learn of the end from its own stream or a read before this test's stream has delivered
        // everything: wait for this stream's deployment_success, which Marathon sends after the events it replays.
        org.awaitility.Awaitility.await("deployment_success on the test's stream").atMost(Duration.ofSeconds(60))
                .until(() -> seen.stream().anyMatch(e -> e instanceof MarathonEvent.DeploymentFinished f
                        && ref.deploymentId().equals(f.deploymentId())));
        // Replay the stream: with minimumHealthCapacity 0.5 of 2, at most one old task may go before a new one is
        // healthy, and at no point may fewer than one task be healthy.
        List<MarathonEvent> events = List.copyOf(seen);
        int firstNewHealthy = indexOf(events, e -> e instanceof MarathonEvent.HealthChanged hc && hc.alive()
                && ref.version().equals(hc.version()));
        assertThat(firstNewHealthy).as("a health_status_changed_event (alive) for a new task").isNotNegative();
        int firstNewRunning = indexOf(events, e -> e instanceof MarathonEvent.StatusUpdate su
                && su.taskStatus().equals("TASK_RUNNING") && ref.version().equals(su.version()));
        assertThat(firstNewRunning).isNotNegative().isLessThan(firstNewHealthy);
        List<Integer> oldKills = new java.util.ArrayList<>();
        Set<String> healthy = new HashSet<>(oldTasks);
        int minHealthy = healthy.size();
        for (int i = 0; i < events.size(); i++) {
            MarathonEvent e = events.get(i);
            if (e instanceof MarathonEvent.StatusUpdate su && su.terminal()) {
                healthy.remove(su.taskId());
                if (oldTasks.contains(su.taskId())) {
                    assertThat(su.taskStatus()).isEqualTo("TASK_KILLED");
                    oldKills.add(i);
                }
            } else if (e instanceof MarathonEvent.HealthChanged hc && NODEAPP.equals(hc.appId())) {
                if (hc.alive()) {
                    healthy.add(hc.instanceId());
                } else {
                    healthy.remove(hc.instanceId());
                }
            }
            minHealthy = Math.min(minHealthy, healthy.size());
        }
        assertThat(oldKills).hasSize(2);
        assertThat(oldKills.stream().filter(i -> i < firstNewHealthy).count()).isLessThanOrEqualTo(1);
        assertThat(oldKills.get(1)).isGreaterThan(firstNewHealthy);
        assertThat(minHealthy).isGreaterThanOrEqualTo(1);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(MarathonEvent.DeploymentFinished.class,
                f -> {
                    assertThat(f.deploymentId()).isEqualTo(ref.deploymentId());
                    assertThat(f.success()).isTrue();
                }));
        assertThat(progress).anyMatch(line -> line.contains("TASK_RUNNING")).anyMatch(line -> line.endsWith("is healthy"));
    }

    @Test
    void secondUpdateDuringADeploymentIsRefusedWithTheBlockingDeploymentUnlessForced() {
        h.markFailing(BROKEN);
        DeploymentRef stuck = h.marathon.updateApp("nodeapp", Apps.nodeapp(BROKEN), false);
        int versionsBefore = h.marathon.versions("nodeapp").size();

        AppLockedException locked = catchThrowableOfType(AppLockedException.class,
                () -> h.marathon.updateApp("nodeapp", Apps.nodeapp(NODEAPP_1_1), false));

        assertThat(locked).isNotNull();
        List<Deployment> running = h.marathon.deployments();
        assertThat(running).extracting(Deployment::id).containsExactly(stuck.deploymentId());
        assertThat(running.get(0).affects(NODEAPP)).isTrue();
        assertThat(locked.deploymentIds()).containsExactly(stuck.deploymentId());
        assertThat(locked.appId()).isEqualTo(NODEAPP);
        assertThat(locked.marathonMessage()).startsWith("App is locked by one or more deployments.")
                .contains("/v2/deployments/" + stuck.deploymentId());
        assertThat(locked.getMessage()).isEqualTo("app /nodeapp is locked by deployment " + stuck.deploymentId()
                + "; wait for it to finish or cancel it");
        assertThat(h.marathon.versions("nodeapp")).hasSize(versionsBefore);

        DeploymentRef forced = h.marathon.updateApp("nodeapp", Apps.nodeapp(NODEAPP_1_1), true);

        assertThat(forced.deploymentId()).isNotBlank().isNotEqualTo(stuck.deploymentId());
        assertThat(h.marathon.deployments()).extracting(Deployment::id).doesNotContain(stuck.deploymentId());
        DeploymentOutcome outcome = h.watcher.awaitDeployment(forced.deploymentId(), "nodeapp", DEPLOY_BOUND, progress::add);
        assertThat(outcome.status()).as(outcome.reason()).isEqualTo(Status.SUCCEEDED);
        assertThat(h.marathon.app("nodeapp").image()).isEqualTo(NODEAPP_1_1);
    }

    @Test
    void failingHealthChecksTimeOutTheWatchAndRollbackRestoresThePreviousVersion() {
        App before = h.marathon.app("nodeapp");
        h.markFailing(BROKEN);
        DeploymentRef bad = h.marathon.updateApp("nodeapp", Apps.nodeapp(BROKEN), false);
        Duration bound = Duration.ofMillis(1500);
        long start = System.nanoTime();

        DeploymentOutcome outcome = h.watcher.awaitDeployment(bad.deploymentId(), "nodeapp", bound, progress::add);

        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(outcome.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(outcome.reason()).startsWith("deployment " + bad.deploymentId() + " of /nodeapp did not finish within 1 s");
        assertThat(waitedMillis).isBetween(bound.toMillis(), bound.toMillis() + 3_000);
        assertThat(progress).anyMatch(line -> line.endsWith("is unhealthy"));
        assertThat(h.marathon.deployments()).extracting(Deployment::id).containsExactly(bad.deploymentId());
        App during = h.marathon.app("nodeapp", Embed.TASKS, Embed.LAST_TASK_FAILURE);
        assertThat(during.tasks()).filteredOn(t -> bad.version().equals(t.version()))
                .noneMatch(t -> Boolean.TRUE.equals(t.healthy()));
        assertThat(during.lastTaskFailure()).isNotNull();
        assertThat(during.lastTaskFailure().version()).isEqualTo(bad.version());
        assertThat(during.lastTaskFailure().state()).isEqualTo("TASK_KILLED");

        DeploymentRef rollback = h.marathon.rollbackDeployment(bad.deploymentId());

        assertThat(rollback.deploymentId()).isNotBlank().isNotEqualTo(bad.deploymentId());
        DeploymentOutcome back = h.watcher.awaitDeployment(rollback.deploymentId(), "nodeapp", DEPLOY_BOUND, progress::add);
        assertThat(back.status()).as(back.reason()).isEqualTo(Status.SUCCEEDED);
        App after = h.marathon.app("nodeapp", Embed.TASKS);
        assertThat(after.image()).isEqualTo(NODEAPP_1_0);
        assertThat(AppDefinitions.diff(before.raw(), after.raw())).isEmpty();
        assertThat(after.tasks()).hasSize(2).allSatisfy(t -> {
            assertThat(t.isRunning()).isTrue();
            assertThat(t.healthy()).isTrue();
            assertThat(t.version()).isNotEqualTo(bad.version());
        });
        assertThat(h.marathon.deployments()).isEmpty();
    }

    private List<DnsEntry> nodeappDnsEntries(String node) {
        List<DnsEntry> entries = h.weave(node).dnsEntries().stream()
                .filter(e -> e.hostname().equals("nodeapp.weave.local.")).toList();
        assertThat(entries).allSatisfy(e -> assertThat(e.tombstone()).isFalse());
        assertThat(entries.stream().map(DnsEntry::containerId).distinct()).hasSameSizeAs(entries);
        assertThat(entries.stream().map(DnsEntry::address).distinct()).hasSameSizeAs(entries);
        return entries;
    }

    /** Subscribes to every event and waits until the stream is attached, so nothing after this is missed. */
    private List<MarathonEvent> subscribeAll() {
        List<MarathonEvent> seen = new CopyOnWriteArrayList<>();
        subscription = h.events.subscribe(List.of(), seen::add);
        org.awaitility.Awaitility.await("event_stream_attached").atMost(Duration.ofSeconds(60))
                .until(() -> seen.stream().anyMatch(e -> "event_stream_attached".equals(e.eventType())));
        return seen;
    }

    private static int indexOf(List<MarathonEvent> events, java.util.function.Predicate<MarathonEvent> match) {
        for (int i = 0; i < events.size(); i++) {
            if (match.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
