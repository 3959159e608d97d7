package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.mesos.Agent;
import io.opsbot.engine.JdbcJournal;
import io.opsbot.engine.Report;
import io.opsbot.health.HealthReport;
import io.opsbot.health.Problem;
import io.opsbot.health.Section;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and the health report read Mesos, Marathon, the Weave routers and Flocker at the same time
 * ({@link ParallelReads}): a component that fails or answers late shows in its own section, and every other section
 * is complete and right, as when the reads ran one after the other.
 */
class ConcurrentSectionsTest {

    /** One emulated cluster for the class (starting one costs seconds); each test clears the faults it armed. */
    @TempDir
    static Path home;
    static SimCluster cluster;
    static JdbcJournal journal;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
        journal = JdbcJournal.inMemory();
    }

    @AfterAll
    static void stop() {
        journal.close();
        cluster.close();
    }

    @AfterEach
    void clearFaults() throws Exception {
        cluster.delete("/_sim/faults");
    }

    @Test
    void aComponentThatFailsShowsItsErrorInItsOwnSectionAndEveryOtherSectionIsComplete() throws Exception {
        cluster.control("/_sim/faults", "{\"service\": \"marathon\", \"method\": \"GET\", \"pathPrefix\": \"/v2/apps\","
                + " \"status\": 503, \"count\": 1000}");

        Report status = cluster.ops.status(null);
        assertThat(lines(status, "Marathon apps")).singleElement().asString().startsWith("unreachable: ").contains("503");
        assertEveryOtherStatusSectionIsComplete(status, "Marathon apps");

        HealthReport report = reporter().build("Health report", Instant.now().minus(Duration.ofHours(1)), ZoneId.of("UTC"));
        assertThat(section(report, "apps").lines()).singleElement().asString().startsWith("unreachable: ").contains("503");
        assertThat(report.problems()).anyMatch(p -> p.subject().equals("Marathon") && p.severity() == Problem.Severity.CRITICAL
                && p.what().startsWith("unreachable (") && p.what().contains("503"));
        assertThat(section(report, "agents").heading()).startsWith("Agents: 3 up, 0 down");
        assertThat(report.agents()).extracting(a -> a.hostname()).containsExactly("node1", "node2", "node3");
        assertThat(section(report, "weave").lines()).hasSize(3).allMatch(l -> l.contains(": ready, Weave "));
        assertThat(section(report, "flocker").lines()).anyMatch(l -> l.startsWith("Flocker dataset mongo ("));
    }

    @Test
    void aComponentThatAnswersLateLeavesEveryAnswerAsCompleteAsWithoutTheDelay() throws Exception {
        long mesosDelays = injected("mesos");
        long flockerDelays = injected("flocker");
        cluster.control("/_sim/faults", "{\"service\": \"mesos\", \"method\": \"GET\", \"kind\": \"slow\", \"hangMillis\": 1000,"
                + " \"count\": 1}");

        Report status = cluster.ops.status(null);
        assertThat(injected("mesos") - mesosDelays).as("the delay happened").isEqualTo(1);
        assertThat(lines(status, "Mesos agents")).as("the late answer, in full").hasSize(3)
                .anyMatch(l -> l.startsWith("node1 active: cpus ")).anyMatch(l -> l.startsWith("node2 active: cpus "))
                .anyMatch(l -> l.startsWith("node3 active: cpus "));
        assertEveryOtherStatusSectionIsComplete(status, "Mesos agents");

        cluster.control("/_sim/faults", "{\"service\": \"flocker\", \"method\": \"GET\", \"kind\": \"slow\", \"hangMillis\": 1000,"
                + " \"count\": 1}");
        HealthReport report = reporter().build("Health report", Instant.now().minus(Duration.ofHours(1)), ZoneId.of("UTC"));
        assertThat(injected("flocker") - flockerDelays).as("the delay happened").isEqualTo(1);
        assertThat(section(report, "flocker").lines()).anyMatch(l -> l.startsWith("Flocker dataset mongo ("));
        assertThat(section(report, "agents").heading()).startsWith("Agents: 3 up, 0 down");
        assertThat(section(report, "apps").heading()).isEqualTo("Apps: 3");
        assertThat(section(report, "weave").lines()).hasSize(3).allMatch(l -> l.contains(": ready, Weave "));
        assertThat(report.problems()).noneMatch(p -> p.what().contains("unreachable"));
    }

    @Test
    void aComponentThatNeverAnswersIsShownUnreachableAndEveryOtherSectionIsComplete() throws Exception {
        // clients with little patience: a read without an answer fails after 2 s (and its retries), not 30
        try (ClusterClients impatient = ClusterClients.connect(SimCluster.config(cluster.sim.endpoints()), Duration.ofMillis(200),
                ClientMetrics.NOOP, Duration.ofSeconds(2))) {
            cluster.control("/_sim/faults", "{\"service\": \"mesos\", \"kind\": \"hang\", \"hangMillis\": 30000, \"count\": 100}");

            Report status = new StatusReport(impatient, cluster.catalog).build(null);
            assertThat(lines(status, "Mesos agents")).singleElement().asString().startsWith("unreachable: ");
            assertEveryOtherStatusSectionIsComplete(status, "Mesos agents");
        }
    }

    @Test
    void theSlavesEndpointGivesTheAgentsOfTheStateWithTheirResources() throws Exception {
        // status reads the agents from /master/slaves (no tasks) instead of the whole /master/state: against the
        // emulated master both give the same agents, connected or not — the client reads both shapes alike
        List<Agent> agents = cluster.clients.mesos().agents();
        assertThat(agents).extracting(Agent::hostname).containsExactly("node1", "node2", "node3");
        assertThat(agents).allSatisfy(a -> {
            assertThat(a.id()).isNotBlank();
            assertThat(a.active()).isTrue();
            assertThat(a.total().cpus()).isPositive();
            assertThat(a.total().mem()).isPositive();
        });
        assertThat(agents).filteredOn(a -> a.hostname().equals("node2")).singleElement()
                .satisfies(a -> assertThat(a.used().cpus()).as("apps run on node2").isPositive());
        assertThat(agents).isEqualTo(cluster.clients.mesos().state().agents());

        cluster.control("/_sim/agents/node3/down", "{}");
        try {
            List<Agent> afterDown = cluster.clients.mesos().agents();
            assertThat(afterDown).filteredOn(a -> a.hostname().equals("node3")).singleElement()
                    .satisfies(a -> assertThat(a.active()).isFalse());
            // tasks of the lost agent may be moving meanwhile: what is used can change between two reads, not who is there
            assertThat(afterDown).extracting(Agent::id, Agent::hostname, Agent::active, Agent::total)
                    .isEqualTo(cluster.clients.mesos().state().agents().stream()
                            .map(a -> tuple(a.id(), a.hostname(), a.active(), a.total())).toList());
        } finally {
            cluster.control("/_sim/agents/node3/up", "{}");
        }
    }

    /** Every section of {@code status} but the named one shows what the emulated cluster runs. */
    private static void assertEveryOtherStatusSectionIsComplete(Report status, String except) {
        assertThat(status.sections()).extracting(Report.Section::heading).containsExactly("Mesos agents", "Marathon apps",
                "Deployments in progress", "Weave peers", "Flocker datasets");
        if (!except.equals("Mesos agents")) {
            assertThat(lines(status, "Mesos agents")).hasSize(3).anyMatch(l -> l.startsWith("node2 "))
                    .anyMatch(l -> l.startsWith("node3 "));
        }
        if (!except.equals("Marathon apps")) {
            assertThat(lines(status, "Marathon apps")).hasSize(3).anyMatch(l -> l.startsWith("/nodeapp "))
                    .anyMatch(l -> l.startsWith("/mongo ")).anyMatch(l -> l.startsWith("/nginx "));
        }
        assertThat(lines(status, "Deployments in progress")).containsExactly("none");
        assertThat(lines(status, "Weave peers")).hasSize(3).allMatch(l -> l.contains(": ready, Weave "));
        assertThat(lines(status, "Flocker datasets")).anyMatch(l -> l.startsWith("Flocker dataset mongo ("));
    }

    private static long injected(String service) throws Exception {
        return cluster.read("/_sim/faults").at("/injected/" + service + "/slow").asLong();
    }

    private static List<String> lines(Report report, String heading) {
        return report.sections().stream().filter(s -> s.heading().equals(heading)).findFirst().orElseThrow().lines();
    }

    private static Section section(HealthReport report, String key) {
        return report.sections().stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    private static HealthReporter reporter() {
        return new HealthReporter(cluster.clients, cluster.catalog, cluster.ops, journal, Clock.systemUTC(), List.of());
    }
}
