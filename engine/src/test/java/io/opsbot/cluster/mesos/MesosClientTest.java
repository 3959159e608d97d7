package io.opsbot.cluster.mesos;

import static io.opsbot.cluster.testing.Responses.json;
import static io.opsbot.cluster.testing.Responses.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MesosClientTest {

    static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2));

    /** GET /master/state as a Mesos 1.x master answers it (trimmed to the fields around the ones we read). */
    static String state(String leaderHostPort) {
        return """
                {"version": "1.4.1", "git_sha": "c844db9ac7c0cef59be87438c6781bfb71adcc42",
                 "build_date": "2017-11-02 15:38:38", "start_time": 1511172000.1, "elected_time": 1511172001.2,
                 "id": "4f9b2a3c-8c1e-4d2f-9a7e-111111111111", "pid": "master@%1$s", "hostname": "node1",
                 "activated_slaves": 2.0, "deactivated_slaves": 0.0, "cluster": "opsbot",
                 "leader": "master@%1$s",
                 "leader_info": {"id": "4f9b2a3c", "pid": "master@%1$s", "port": %2$s, "hostname": "%3$s"},
                 "flags": {"quorum": "1", "zk": "zk://node1:2181/mesos"},
                 "slaves": %4$s,
                 "frameworks": [
                   {"id": "20171120-100000-1-5050-1-0000", "name": "marathon", "pid": "scheduler-1@10.0.0.11:39953",
                    "used_resources": {"cpus": 1.0, "mem": 512.0}, "active": true, "role": "*",
                    "tasks": [
                      {"id": "nodeapp.1f0c2b7e-aa11-11ee-9f3a-0242ac110002", "name": "nodeapp.",
                       "framework_id": "20171120-100000-1-5050-1-0000", "executor_id": "", "slave_id": "c1c0e3b2-S1",
                       "state": "TASK_RUNNING", "resources": {"cpus": 0.5, "mem": 256.0},
                       "statuses": [{"state": "TASK_RUNNING", "timestamp": 1511172020.1}]}
                    ],
                    "completed_tasks": [], "offers": [], "executors": []}
                 ],
                 "completed_frameworks": [], "orphan_tasks": [], "unregistered_frameworks": []}"""
                .formatted(leaderHostPort, leaderHostPort.substring(leaderHostPort.indexOf(':') + 1),
                        leaderHostPort.substring(0, leaderHostPort.indexOf(':')), AGENTS);
    }

    MockWebServer standby = new MockWebServer();
    MockWebServer leader = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        standby.start();
        leader.start();
    }

    @AfterEach
    void stop() {
        standby.close();
        leader.close();
    }

    static int closedPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    MesosClient client(MockWebServer... masters) {
        return new MesosClient(java.util.Arrays.stream(masters).map(m -> m.url("/").toString()).toList(), Auth.none(),
                HttpClients.createShared(), ClientMetrics.NOOP, FAST);
    }

    static MockResponse redirectTo(MockWebServer target) {
        return new MockResponse(307, Headers.of("Location", "//127.0.0.1:" + target.getPort()), "");
    }

    static String hostPort(MockWebServer server) {
        return "127.0.0.1:" + server.getPort();
    }

    @Test
    void readsAgentsWithResourcesAndFrameworksWithTasks() throws Exception {
        leader.enqueue(json(200, state(hostPort(leader))));

        MesosState state = client(leader).state();

        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/state");
        assertThat(state.version()).isEqualTo("1.4.1");
        assertThat(state.agents()).containsExactly(
                new Agent("c1c0e3b2-S1", "node2", true, new Resources(2, 1872, 35164), new Resources(1, 512, 0)),
                new Agent("c1c0e3b2-S2", "node3", false, new Resources(2, 1872, 35164), new Resources(0, 0, 0)));
        assertThat(state.frameworks()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("marathon");
            assertThat(f.tasks()).containsExactly(new MesosTask("nodeapp.1f0c2b7e-aa11-11ee-9f3a-0242ac110002", "nodeapp.",
                    "TASK_RUNNING", "c1c0e3b2-S1", "20171120-100000-1-5050-1-0000"));
        });
    }

    /** The agents a Mesos 1.x master lists, in /master/state and /master/slaves alike (an unknown field included). */
    private static final String AGENTS = """
            [
               {"id": "c1c0e3b2-S1", "pid": "slave(1)@10.0.0.12:5051", "hostname": "node2", "port": 5051,
                "registered_time": 1511172010.5,
                "resources": {"disk": 35164.0, "mem": 1872.0, "gpus": 0.0, "cpus": 2.0, "ports": "[31000-32000]"},
                "used_resources": {"disk": 0.0, "mem": 512.0, "gpus": 0.0, "cpus": 1.0, "ports": "[31001-31002]"},
                "offered_resources": {"disk": 0.0, "mem": 0.0, "gpus": 0.0, "cpus": 0.0},
                "reserved_resources": {}, "unreserved_resources": {"disk": 35164.0, "mem": 1872.0, "cpus": 2.0},
                "attributes": {}, "active": true, "version": "1.4.1", "capabilities": ["MULTI_ROLE"]},
               {"id": "c1c0e3b2-S2", "hostname": "node3", "resources": {"cpus": 2, "mem": 1872, "disk": 35164},
                "used_resources": null, "active": false, "someNewField": [1]}
             ]""";

    /** GET /master/slaves as a Mesos 1.x master answers it: the agents of the state, without any task. */
    static final String SLAVES = "{\"slaves\": " + AGENTS + ", \"recovered_slaves\": []}";

    @Test
    void agentsAreReadFromTheSlavesEndpointWithoutTheTasks() throws Exception {
        leader.enqueue(json(200, SLAVES));

        assertThat(client(leader).agents()).containsExactly(
                new Agent("c1c0e3b2-S1", "node2", true, new Resources(2, 1872, 35164), new Resources(1, 512, 0)),
                new Agent("c1c0e3b2-S2", "node3", false, new Resources(2, 1872, 35164), new Resources(0, 0, 0)));
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/slaves");
        assertThat(leader.getRequestCount()).isEqualTo(1);
    }

    @Test
    void mastersWithoutTheSlavesEndpointGiveTheAgentsOfTheirState() throws Exception {
        leader.enqueue(status(404));
        leader.enqueue(json(200, state(hostPort(leader))));

        assertThat(client(leader).agents()).extracting(Agent::hostname).containsExactly("node2", "node3");

        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/slaves");
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/state");
    }

    @Test
    void theStateWithoutActiveTasksHasEverythingElseOfTheState() throws Exception {
        String body = state(hostPort(leader)).replace("\"completed_tasks\": []", """
                "completed_tasks": [{"id": "nodeapp.0aa", "name": "nodeapp", "framework_id": "f", "slave_id": "c1c0e3b2-S1",
                  "state": "TASK_FAILED", "statuses": [{"state": "TASK_RUNNING", "timestamp": 1511172020.1},
                  {"state": "TASK_FAILED", "timestamp": 1511172030.5, "message": "Container exited with status 1"}]}]""");
        leader.enqueue(json(200, body));
        leader.enqueue(json(200, body));

        MesosState full = client(leader).state();
        MesosState light = client(leader).stateWithoutActiveTasks();

        assertThat(full.frameworks().get(0).tasks()).hasSize(1);
        assertThat(full.frameworks().get(0).completedTasks()).singleElement().satisfies(t -> {
            assertThat(t.failed()).isTrue();
            assertThat(t.message()).isEqualTo("Container exited with status 1");
        });
        assertThat(light.frameworks()).singleElement().satisfies(f -> {
            assertThat(f.tasks()).as("active tasks are skipped").isEmpty();
            assertThat(f.completedTasks()).isEqualTo(full.frameworks().get(0).completedTasks());
            assertThat(f.id()).isEqualTo(full.frameworks().get(0).id());
            assertThat(f.name()).isEqualTo("marathon");
        });
        assertThat(light.agents()).isEqualTo(full.agents());
        assertThat(light.version()).isEqualTo(full.version());
        assertThat(light.leader()).isEqualTo(full.leader());
        assertThat(light.cluster()).isEqualTo(full.cluster());
    }

    @Test
    void aMalformedStateReadWithoutActiveTasksSaysWhoSentIt() {
        leader.enqueue(json(200, "{\"slaves\": [{\"id\": \"S1\", "));

        assertThatThrownBy(() -> client(leader).stateWithoutActiveTasks()).isInstanceOf(OpsException.class)
                .hasMessageContaining("Mesos master at").hasMessageContaining("malformed JSON");
    }

    @Test
    void olderMastersAreAskedForStateJson() throws Exception {
        leader.enqueue(status(404));
        leader.enqueue(json(200, state(hostPort(leader))));

        assertThat(client(leader).state().agents()).hasSize(2);

        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/state");
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/state.json");
    }

    @Test
    void followsTheRedirectToTheLeaderAndCachesIt() throws Exception {
        standby.enqueue(redirectTo(leader));
        leader.enqueue(json(200, state(hostPort(leader))));
        leader.enqueue(json(200, "{\"master/elected\": 1.0, \"master/slaves_active\": 2, \"master/uptime_secs\": 120.5, \"x\": \"text\"}"));
        MesosClient mesos = client(standby, leader);

        assertThat(mesos.state().agents()).hasSize(2);
        assertThat(mesos.metrics()).containsEntry("master/elected", 1.0).containsEntry("master/slaves_active", 2.0)
                .doesNotContainKey("x");

        assertThat(standby.getRequestCount()).isEqualTo(1);
        assertThat(standby.takeRequest().getTarget()).isEqualTo("/master/redirect");
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/state");
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/metrics/snapshot");
        assertThat(mesos.leaderUrl()).isEqualTo("http://" + hostPort(leader) + "/");
    }

    @Test
    void findsTheNewLeaderWhenTheCachedOneStopsLeading() throws Exception {
        // At first the second master leads; then it hands over to the first and redirects everything there.
        standby.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return switch (request.getUrl().encodedPath()) {
                    case "/master/redirect" -> standby.getRequestCount() <= 1 ? redirectTo(leader) : redirectTo(standby);
                    case "/master/state" -> json(200, state(hostPort(standby)));
                    default -> status(404);
                };
            }
        });
        leader.enqueue(json(200, state(hostPort(leader))));
        leader.enqueue(redirectTo(standby)); // lost leadership
        leader.enqueue(redirectTo(standby));
        MesosClient mesos = client(standby, leader);

        assertThat(mesos.state().leader()).isEqualTo("master@" + hostPort(leader));
        MesosState after = mesos.state();

        assertThat(after.leader()).isEqualTo("master@" + hostPort(standby));
        assertThat(mesos.leaderUrl()).isEqualTo("http://" + hostPort(standby) + "/");
    }

    @Test
    void aDeadMasterIsSkippedAndTheLeaderFieldOfStateIsTheFallback() throws Exception {
        String deadUrl = "http://127.0.0.1:" + closedPort();
        // A master without /master/redirect (404) still names the leader in its state.
        standby.enqueue(status(404));
        standby.enqueue(json(200, state(hostPort(leader))));
        leader.enqueue(json(200, "{}"));
        leader.enqueue(status(200));
        MesosClient mesos = new MesosClient(List.of(deadUrl, standby.url("/").toString()), Auth.none(),
                HttpClients.createShared(), ClientMetrics.NOOP, FAST);

        assertThat(mesos.metrics()).isEmpty();
        assertThat(mesos.healthy()).isTrue();
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/metrics/snapshot");
        assertThat(leader.takeRequest().getTarget()).isEqualTo("/master/health");
    }

    @Test
    void noReachableMasterIsATransientErrorListingWhatWasTried() throws Exception {
        for (int i = 0; i < 4; i++) { // two attempts at /master/redirect, two at /master/state
            standby.enqueue(status(503));
        }
        int port = closedPort();
        MesosClient mesos = new MesosClient(List.of(standby.url("/").toString(), "http://127.0.0.1:" + port),
                Auth.none(), HttpClients.createShared(), ClientMetrics.NOOP, FAST);

        assertThatThrownBy(mesos::state).isInstanceOf(TransientException.class)
                .hasMessageStartingWith("no leading Mesos master found: ")
                .hasMessageContaining("answered HTTP 503 to /master/redirect")
                .hasMessageContaining("Mesos master at http://127.0.0.1:" + port + " is unreachable: connection refused");
    }

    @Test
    void unhealthyMasterAndMalformedStateAreReported() {
        leader.enqueue(status(503));
        leader.enqueue(status(503));
        leader.enqueue(json(200, "{\"slaves\": [{\"id\": \"S1\", "));

        MesosClient mesos = client(leader);
        assertThat(mesos.healthy()).isFalse();
        assertThatThrownBy(mesos::state).isInstanceOf(OpsException.class)
                .hasMessageContaining("answered GET /master/state with malformed JSON");
    }
}
