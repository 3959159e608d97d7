package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.config.ClusterConfig;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.Report;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** logs over SSH against the emulated nodes, whose SSH servers answer exactly the fixed command forms. */
class LogsOperationTest {

    @TempDir
    static Path home;
    static SimCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SimCluster(home);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aConnectionDroppedAtLoginIsTriedAgainAndTheLogsAreRead() throws Exception {
        cluster.control("/_sim/faults", "{\"service\": \"ssh\", \"node\": \"node2\", \"kind\": \"drop\", \"count\": 2}");

        Report logs = cluster.ops.logs("docker", null, null, null, 5);

        assertThat(logs.sections()).extracting(Report.Section::heading)
                .containsExactly("node1: journal of docker", "node2: journal of docker", "node3: journal of docker");
        assertThat(logs.sections().get(1).lines()).isNotEmpty().allMatch(l -> l.contains(" node2 "));
        assertThat(cluster.read("/_sim/faults").path("armed")).isEmpty();
    }

    @Test
    void aRefusedLoginEndsTheReadAtOnceNamingTheNodeAndSsh() throws Exception {
        cluster.control("/_sim/faults", "{\"service\": \"ssh\", \"node\": \"node1\", \"kind\": \"refuse-login\", \"count\": 5}");
        try {
            assertThatThrownBy(() -> cluster.ops.logs("marathon", null, null, null, 5))
                    .isInstanceOf(OpsException.class)
                    .hasMessageStartingWith("cannot read the logs on node1: SSH login as opsbot to 127.0.0.1:")
                    .hasMessageEndingWith(" was refused; check the configured key");
            // a refused key is not tried again: one login, one fault used
            assertThat(cluster.read("/_sim/faults").path("armed").get(0).path("remaining").asInt()).isEqualTo(4);
        } finally {
            cluster.delete("/_sim/faults");
        }
    }

    @Test
    void aServiceWithoutANodeIsReadFromTheNodeThatRunsIt() {
        Report logs = cluster.ops.logs("marathon", null, Duration.ofMinutes(30), null, 20);

        assertThat(logs.sections()).singleElement().satisfies(s -> {
            assertThat(s.heading()).isEqualTo("node1: journal of marathon");
            assertThat(s.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(20).allMatch(l -> l.contains(" node1 marathon["));
        });
    }

    @Test
    void aServiceOnEveryNodeIsReadFromEachOrFromTheOneNamed() {
        assertThat(cluster.ops.logs("docker", null, null, null, 5).sections()).extracting(Report.Section::heading)
                .containsExactly("node1: journal of docker", "node2: journal of docker", "node3: journal of docker");
        assertThat(cluster.ops.logs("flocker", "node2", null, null, 5).sections().get(0).heading())
                .isEqualTo("node2: journal of flocker-dataset-agent");
    }

    @Test
    void anAppIsReadFromTheCentralLogHostWithGrepAndLines() {
        Report logs = cluster.ops.logs("nodeapp", null, null, "get /visits", 3);

        Report.Section section = logs.sections().get(0);
        assertThat(section.heading()).isEqualTo("node1: /var/log/remote/nodeapp.log");
        assertThat(section.lines()).hasSize(3).allMatch(l -> l.contains("GET /visits"));
    }

    @Test
    void sinceFiltersFileLinesByTheirTimestamps() {
        List<String> all = cluster.ops.logs("nodeapp", null, null, null, 200).sections().get(0).lines();
        List<String> recent = cluster.ops.logs("nodeapp", null, Duration.ofSeconds(30), null, 200).sections().get(0).lines();

        // The emulated cluster keeps writing between the two reads: compare with the filtered read's own newest line.
        assertThat(recent).isNotEmpty().hasSizeLessThan(all.size());
        java.time.Instant newest = LogsReport.timestampOf(recent.get(recent.size() - 1));
        assertThat(recent).allSatisfy(l -> assertThat(LogsReport.timestampOf(l)).isAfterOrEqualTo(newest.minusSeconds(30)));
        assertThat(LogsReport.timestampOf(all.get(0))).as("the unfiltered read goes further back").isBefore(newest.minusSeconds(30));
    }

    @Test
    void aServiceTheInventoryGivesALogFileIsReadFromThatFileOnItsNodes(@TempDir Path otherHome) {
        // The emulated nodes serve files under /var/log/remote only (node1, the central log host), so the
        // inventory points marathon at nodeapp's file there.
        Map<String, ClusterConfig.Service> inventory = Map.of(
                "marathon", new ClusterConfig.Service(List.of("node1"), null, "/var/log/remote/nodeapp.log"),
                "mesos-slave", new ClusterConfig.Service(List.of("node2", "node3"), "mesos-agent", null));
        try (SimCluster withInventory = new SimCluster(otherHome, c -> new ClusterConfig(c.marathon(), c.mesos(), c.flocker(),
                c.registry(), c.docker(), c.weave(), c.ssh(), c.nodes(), inventory, c.emulated()))) {
            Report logs = withInventory.ops.logs("marathon", null, null, "get /visits", 3);

            assertThat(logs.title()).isEqualTo("logs of marathon matching 'get /visits'");
            assertThat(logs.sections()).singleElement().satisfies(s -> {
                assertThat(s.heading()).isEqualTo("node1: /var/log/remote/nodeapp.log");
                // A fresh emulator has written only a few lines yet.
                assertThat(s.lines()).hasSizeBetween(1, 3).allMatch(l -> l.contains(" nodeapp[") && l.contains("GET /visits"));
            });
            assertThat(withInventory.ops.logs("mesos-slave", null, null, null, 5).sections())
                    .extracting(Report.Section::heading).containsExactly("node2: journal of mesos-agent", "node3: journal of mesos-agent");
            assertThatThrownBy(() -> withInventory.ops.logs("mesos-slave", "node1", null, null, 5))
                    .isInstanceOf(OpsException.class).hasMessage("mesos-slave runs on node2, node3, not on node1");
        }
    }

    @Test
    void hostileSearchTextIsOneQuotedLiteralArgument() {
        for (String hostile : List.of("; rm -rf /", "$(touch /tmp/pwned)", "`id`", "it's | cat /etc/passwd", "a' ; echo 'b")) {
            Report logs = cluster.ops.logs("nodeapp", null, null, hostile, 10);
            // The emulated shell refuses anything but the fixed forms (exit 127): reaching grep proves the quoting.
            assertThat(logs.sections().get(0).lines()).as(hostile).containsExactly("no lines");
        }
        assertThat(RemoteCommand.tailFile(LogsReport.CENTRAL_LOG_DIR, "nodeapp.log", 10, "a' ; echo 'b", true).commandLine())
                .isEqualTo("grep --fixed-strings --ignore-case '--regexp=a'\\'' ; echo '\\''b' -- '/var/log/remote/nodeapp.log'"
                        + " | tail --lines=10");
    }

    @Test
    void journalsAndFilesAreSearchedByOneRuleIgnoringCaseUnlessExactCaseIsAsked() {
        // A scale is a Marathon deployment: its journal says "Deployment … started" and "… finished".
        assertThat(cluster.run(cluster.ops.scale("nginx", 2)).state()).isEqualTo(io.opsbot.engine.Outcome.State.SUCCEEDED);

        // The README's example: logs marathon --since 1h --grep deployment
        Report found = cluster.ops.logs("marathon", null, Duration.ofHours(1), "deployment", 100);
        assertThat(found.sections().get(0).lines()).anyMatch(l -> l.contains("INFO  Deployment ") && l.contains(" of /nginx "))
                .allMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("deployment"));
        Report exact = cluster.ops.logs("marathon", null, Duration.ofHours(1), "deployment", 100, true);
        assertThat(exact.title()).isEqualTo("logs of marathon (last 1h, matching 'deployment' (exact case))");
        assertThat(exact.sections().get(0).lines()).containsExactly("no lines");
        assertThat(cluster.ops.logs("marathon", null, Duration.ofHours(1), "Deployment", 100, true).sections().get(0).lines())
                .isEqualTo(found.sections().get(0).lines().stream().filter(l -> l.contains("Deployment")).toList());

        // An app's file: the same rule.
        assertThat(cluster.ops.logs("nodeapp", null, null, "GET /VISITS", 3).sections().get(0).lines())
                .hasSize(3).allMatch(l -> l.contains("GET /visits"));
        assertThat(cluster.ops.logs("nodeapp", null, null, "get /visits", 3, true).sections().get(0).lines())
                .containsExactly("no lines");
        assertThat(cluster.ops.logs("nodeapp", null, null, "GET /visits", 3, true).sections().get(0).lines())
                .hasSize(3).allMatch(l -> l.contains("GET /visits"));
    }

    @Test
    void aServiceJournalIsSearchedForLiteralText() {
        List<String> found = cluster.ops.logs("marathon", null, Duration.ofMinutes(30), "Received resource offers", 5)
                .sections().get(0).lines();
        assertThat(found).hasSize(5).allMatch(l -> l.contains(" node1 marathon[") && l.contains("Received resource offers"));

        for (String hostile : List.of("; rm -rf /", "$(touch /tmp/pwned)", "Received.*offers", "a' ; echo 'b")) {
            assertThat(cluster.ops.logs("marathon", null, Duration.ofMinutes(30), hostile, 5).sections().get(0).lines())
                    .as(hostile).containsExactly("no lines");
        }
    }

    @Test
    void searchTextWithANewlineOrTooLongAndTooManyLinesAreRefusedClearly() {
        assertThatThrownBy(() -> cluster.ops.logs("nodeapp", null, null, "a\nreboot", 10))
                .isInstanceOf(OpsException.class)
                .hasMessage("the --grep text must be one line without control characters (found U+000A)");
        assertThatThrownBy(() -> cluster.ops.logs("marathon", null, null, "x".repeat(201), 10))
                .isInstanceOf(OpsException.class)
                .hasMessage("the --grep text must be 1 to 200 characters long, not 201");
        assertThatThrownBy(() -> cluster.ops.logs("marathon", null, null, null, 501))
                .isInstanceOf(OpsException.class)
                .hasMessage("--lines: '501' is out of range: the number of lines must be a whole number from 1 to 500");
        assertThatThrownBy(() -> cluster.ops.logs("marathon", "node2", null, null, 10))
                .isInstanceOf(OpsException.class).hasMessage("marathon runs on node1, not on node2");
    }

    @Test
    void outputIsBoundedInLinesAndBytesKeepingTheNewestAndSaysHowManyWereCut() {
        List<String> many = java.util.stream.IntStream.range(0, 600).mapToObj(i -> "line " + i).toList();
        List<String> byLines = LogsReport.bounded(many);
        assertThat(byLines).hasSize(501).startsWith("(100 lines cut)", "line 100").endsWith("line 599");

        List<String> wide = java.util.stream.IntStream.range(0, 300).mapToObj(i -> i + " " + "x".repeat(1000)).toList();
        List<String> byBytes = LogsReport.bounded(wide);
        // 65 lines of 1005 bytes fit in 64 KiB; the 66th would not.
        assertThat(byBytes).hasSize(66);
        assertThat(byBytes.get(0)).isEqualTo("(235 lines cut)");
        assertThat(byBytes.subList(1, byBytes.size()).stream().mapToInt(l -> l.length() + 1).sum())
                .isLessThanOrEqualTo(LogsReport.MAX_REPORT_BYTES);
        assertThat(byBytes.get(byBytes.size() - 1)).startsWith("299 ");
    }

    @Test
    void theThreeCommandFormsAreExactlyTheFixedOnes() {
        assertThat(RemoteCommand.journalctl("marathon", Duration.ofMinutes(15), 50, null).commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='marathon' '--since=-900s' --lines=50");
        assertThat(RemoteCommand.journalctl("docker", Duration.ofHours(1), 5, "it's").commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='docker' '--since=-3600s'"
                        + " | grep --fixed-strings --ignore-case '--regexp=it'\\''s' | tail --lines=5");
        assertThat(RemoteCommand.journalctl("docker", Duration.ofHours(1), 5, "it's", false).commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='docker' '--since=-3600s'"
                        + " | grep --fixed-strings '--regexp=it'\\''s' | tail --lines=5");
        assertThat(RemoteCommand.tailFile(LogsReport.CENTRAL_LOG_DIR, "nodeapp.log", 20, null, true).commandLine())
                .isEqualTo("tail -n 20 -- '/var/log/remote/nodeapp.log'");
        assertThat(RemoteCommand.tailFile(LogsReport.CENTRAL_LOG_DIR, "nodeapp.log", 20, "-v", false).commandLine())
                .isEqualTo("grep --fixed-strings '--regexp=-v' -- '/var/log/remote/nodeapp.log' | tail --lines=20");
        assertThatThrownBy(() -> cluster.ops.logs("sshd", null, Duration.ofMinutes(1), null, 5))
                .isInstanceOf(OpsException.class).hasMessageStartingWith("no service or app named 'sshd'; services: ");
        assertThatThrownBy(() -> cluster.ops.logs("../etc/passwd", null, null, null, 5))
                .isInstanceOf(OpsException.class).hasMessageStartingWith("no service or app named '../etc/passwd'");
        assertThatThrownBy(() -> RemoteCommand.tailFile(LogsReport.CENTRAL_LOG_DIR, "../etc/passwd.log", 5, null, true))
                .isInstanceOf(OpsException.class).hasMessage("'../etc/passwd.log' is not a valid log file name");
    }
}
