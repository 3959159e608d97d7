package io.opsbot.cluster.weave;

import static io.opsbot.cluster.testing.Responses.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.RetryPolicy;
import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.cluster.testing.TestSshServer;
import io.opsbot.cluster.testing.TestSshServer.Answer;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeaveClientTest {

    /** GET /report as Weave Net 2.x answers it (Router, DNS and IPAM sections; Proxy/Plugin left out). */
    static final String REPORT = """
            {"Ready": true, "Version": "2.8.1", "VersionCheck": {"Enabled": false},
             "Router": {"Protocol": "weave", "ProtocolMinVersion": 1, "ProtocolMaxVersion": 2, "Encryption": false,
              "PeerDiscovery": true, "Name": "06:d9:13:68:49:1d", "NickName": "node1", "Port": 6783,
              "Peers": [
                {"Name": "06:d9:13:68:49:1d", "NickName": "node1", "UID": 16185570645536730095, "ShortID": 1901, "Version": 10,
                 "Connections": [{"Name": "42:23:27:ab:ad:59", "NickName": "node2", "Address": "10.0.0.12:6783",
                   "Outbound": true, "Established": true}]},
                {"Name": "42:23:27:ab:ad:59", "NickName": "node2", "UID": 1, "ShortID": 2, "Version": 3,
                 "Connections": [{"Name": "06:d9:13:68:49:1d", "NickName": "node1", "Address": "10.0.0.11:43512",
                   "Outbound": false, "Established": true}]}],
              "UnicastRoutes": [], "BroadcastRoutes": [],
              "Connections": [
                {"Address": "10.0.0.12:6783", "Outbound": true, "State": "established", "Info": "fastdp 42:23:27:ab:ad:59(node2)", "Attrs": {"name": "fastdp"}},
                {"Address": "10.0.0.13:6783", "Outbound": true, "State": "failed", "Info": "dial tcp4 :0->10.0.0.13:6783: connect: connection refused, retry: 2026-11-25 10:00:00"}],
              "TerminationCount": 0, "Targets": ["10.0.0.12", "10.0.0.13"], "OverlayDiagnostics": {}, "TrustedSubnets": []},
             "IPAM": {"Paxos": null, "Range": "10.32.0.0/12", "RangeNumIPs": 1048576, "ActiveIPs": 3,
              "DefaultSubnet": "10.32.0.0/12", "Entries": [{"Token": "10.32.0.0", "Size": 524288, "Peer": "06:d9:13:68:49:1d",
               "Nickname": "node1", "IsKnownPeer": true, "Version": 2}], "PendingClaims": null, "PendingAllocates": null},
             "DNS": {"Domain": "weave.local.", "Upstream": ["10.0.2.3"], "Address": "172.17.0.1:53", "TTL": 1,
              "Entries": [{"Hostname": "nodeapp.weave.local.", "Origin": "06:d9:13:68:49:1d", "ContainerID": "3d6f1ba1e2c7",
               "Address": "10.32.0.2", "Version": 0, "Tombstone": 0}]}}""";

    /** GET /name: weaveDNS entries with the lower-case JSON tags of nameserver.Entry. */
    static final String NAMES = """
            [{"containerid": "3d6f1ba1e2c7", "origin": "06:d9:13:68:49:1d", "address": "10.32.0.2",
              "hostname": "nodeapp.weave.local.", "version": 0, "tombstone": 0},
             {"containerid": "99aa", "origin": "42:23:27:ab:ad:59", "address": "10.44.0.1",
              "hostname": "mongo.weave.local.", "version": 1, "tombstone": 1732528800}]""";

    @TempDir
    Path dir;

    WeaveClient httpClient(MockWebServer server) {
        return new WeaveClient(new HttpWeaveTransport(server.url("/").toString(), HttpClients.createShared(), ClientMetrics.NOOP,
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2))), "node1");
    }

    @Test
    void reportIsReadIntoPeersConnectionsDnsAndIpam() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(json(200, REPORT));

            WeaveReport report = httpClient(server).report();

            RecordedRequest request = server.takeRequest();
            assertThat(request.getTarget()).isEqualTo("/report");
            assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
            assertThat(report.ready()).isTrue();
            assertThat(report.version()).isEqualTo("2.8.1");
            assertThat(report.router().nickName()).isEqualTo("node1");
            assertThat(report.router().peers()).extracting(WeaveReport.Peer::nickName).containsExactly("node1", "node2");
            assertThat(report.router().peers().get(0).connections()).containsExactly(
                    new WeaveReport.PeerConnection("42:23:27:ab:ad:59", "node2", "10.0.0.12:6783", true, true));
            assertThat(report.router().connections()).extracting(WeaveReport.Connection::state)
                    .containsExactly("established", "failed");
            assertThat(report.dns().domain()).isEqualTo("weave.local.");
            assertThat(report.dns().entries()).containsExactly(
                    new DnsEntry("nodeapp.weave.local.", "10.32.0.2", "3d6f1ba1e2c7", "06:d9:13:68:49:1d", false));
            assertThat(report.ipam()).isEqualTo(new WeaveReport.Ipam("10.32.0.0/12", "10.32.0.0/12", 1048576, 3));
        }
    }

    @Test
    void dnsEntriesReadTheLowerCaseTagsAndFlagTombstones() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(json(200, NAMES));

            List<DnsEntry> entries = httpClient(server).dnsEntries();

            assertThat(server.takeRequest().getTarget()).isEqualTo("/name");
            assertThat(entries).containsExactly(
                    new DnsEntry("nodeapp.weave.local.", "10.32.0.2", "3d6f1ba1e2c7", "06:d9:13:68:49:1d", false),
                    new DnsEntry("mongo.weave.local.", "10.44.0.1", "99aa", "42:23:27:ab:ad:59", true));
        }
    }

    @Test
    void aRouterStillStartingWithPartialReportIsTolerated() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(json(200, "{\"Ready\": false, \"Version\": \"2.8.1\", \"Router\": {\"Name\": \"x\", \"Peers\": null}, \"Future\": 1}"));

            WeaveReport report = httpClient(server).report();

            assertThat(report.ready()).isFalse();
            assertThat(report.router().peers()).isEmpty();
            assertThat(report.dns()).isNull();
            assertThat(report.ipam()).isNull();
        }
    }

    @Test
    void truncatedReportIsAClearError() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(json(200, REPORT.substring(0, 300)));

            assertThatThrownBy(() -> httpClient(server).report()).isInstanceOf(OpsException.class)
                    .hasMessageStartingWith("Weave on node1 answered /report with malformed JSON");
        }
    }

    @Test
    void overSshTheFixedCurlCommandIsRunOnTheNode() throws Exception {
        String reportLine = RemoteCommand.weaveGet("report", "application/json").commandLine();
        try (TestSshServer node = new TestSshServer(dir, "ops", command -> command.equals(reportLine)
                ? Answer.ok(REPORT) : new Answer(new byte[0], "unexpected", 127))) {
            SshRunner ssh = new SshRunner("ops", node.clientKeyFile, node.knownHosts(), Duration.ofSeconds(20));

            WeaveClient weave = new WeaveClient(new SshWeaveTransport(ssh, "127.0.0.1", node.port()), "node1");

            assertThat(weave.peers()).hasSize(2);
            assertThat(node.commands).containsExactly(
                    "curl --silent --show-error --max-time 5 --header 'Accept: application/json' 'http://127.0.0.1:6784/report'");
        }
    }

    @Test
    void overSshARouterThatIsDownIsTransient() throws Exception {
        try (TestSshServer node = new TestSshServer(dir, "ops", command -> new Answer(new byte[0],
                "curl: (7) Failed to connect to 127.0.0.1 port 6784: Connection refused\n", 7))) {
            SshRunner ssh = new SshRunner("ops", node.clientKeyFile, node.knownHosts(), Duration.ofSeconds(20));
            WeaveClient weave = new WeaveClient(new SshWeaveTransport(ssh, "127.0.0.1", node.port()), "node1");

            assertThatThrownBy(weave::report).isInstanceOf(TransientException.class)
                    .hasMessage("Weave on 127.0.0.1 is not answering on 127.0.0.1:6784: curl: (7) Failed to connect "
                            + "to 127.0.0.1 port 6784: Connection refused");
        }
    }

    @Test
    void plainStatusIsPassedThrough() throws Exception {
        String status = "\n        Version: 2.8.1 (up to date; next check at 2026/11/25 12:00:00)\n\n        Service: router\n";
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            server.enqueue(new mockwebserver3.MockResponse(200, okhttp3.Headers.of("Content-Type", "text/plain"), status));

            assertThat(httpClient(server).status()).isEqualTo(status);
            assertThat(server.takeRequest().getHeaders().get("Accept")).isEqualTo("text/plain");
        }
    }
}
