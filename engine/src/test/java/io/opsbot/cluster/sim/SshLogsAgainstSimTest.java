package io.opsbot.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.cluster.marathon.DeploymentOutcome.Status;
import io.opsbot.cluster.marathon.DeploymentRef;
import io.opsbot.cluster.ssh.RemoteCommand;
import io.opsbot.cluster.ssh.SshRunner;
import io.opsbot.cluster.weave.SshWeaveTransport;
import io.opsbot.cluster.weave.WeaveClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SshRunner with the sim's key against the emulated nodes' SSH servers, sending exactly the lines
 * {@link RemoteCommand} builds: service journals, the central log host's app files, and Weave through curl.
 */
class SshLogsAgainstSimTest extends AgainstSim {

    private static final String LOG_DIR = "/var/log/remote";
    /** journalctl's short-iso line: time, host, process[pid]: message. */
    private static final String JOURNAL_LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+0000 node1 marathon\\[\\d+]: .+";
    private static final List<String> HOSTILE = List.of(".*", "Deployment.*finished", "'; cat /etc/passwd; echo '",
            "$(id)", "`id`", "a|b", "\" && id && \"", "\\");

    @Test
    void journalctlReturnsTheServiceLinesOfTheNodeIncludingARecentDeployment() {
        String deploymentId = scaleNodeapp(3);

        SshRunner.Result recent = run("node1", RemoteCommand.journalctl("marathon", Duration.ofHours(1), 50, null));
        SshRunner.Result lastFive = run("node1", RemoteCommand.journalctl("marathon", null, 5, null));

        assertThat(recent.exitStatus()).as(recent.stderr()).isZero();
        assertThat(recent.truncated()).isFalse();
        assertThat(recent.stdout().lines().toList()).hasSizeBetween(2, 50).allMatch(l -> l.matches(JOURNAL_LINE))
                .anyMatch(l -> l.contains("Deployment " + deploymentId));
        assertThat(lastFive.exitStatus()).as(lastFive.stderr()).isZero();
        assertThat(lastFive.stdout().lines().toList()).hasSize(5).allMatch(l -> l.matches(JOURNAL_LINE));
    }

    @Test
    void journalctlSearchIsALiteralTextAndHostilePatternsStayLiteral() {
        String deploymentId = scaleNodeapp(3);

        SshRunner.Result found = run("node1",
                RemoteCommand.journalctl("marathon", Duration.ofHours(1), 100, "Deployment " + deploymentId));

        assertThat(found.exitStatus()).as(found.stderr()).isZero();
        // "started" and "finished": both lines of this deployment, nothing else.
        assertThat(found.stdout().lines().toList()).hasSize(2)
                .allSatisfy(l -> assertThat(l).matches(JOURNAL_LINE).contains("Deployment " + deploymentId));
        for (String pattern : HOSTILE) {
            SshRunner.Result r = run("node1", RemoteCommand.journalctl("marathon", Duration.ofHours(1), 100, pattern));
            assertThat(r.exitStatus()).as("exit for %s: %s", pattern, r.stderr()).isZero();
            assertThat(r.stdout()).as("lines matching the literal text %s", pattern).isEmpty();
        }
    }

    @Test
    void tailFileReadsAnAppLogOnTheCentralLogHostAndSearchesItLiterally() {
        // Right after a reset the app may have written fewer lines than asked for; give it two minutes.
        h.advance(120);
        SshRunner.Result tail = run("node1", RemoteCommand.tailFile(LOG_DIR, "nodeapp.log", 5, null));
        SshRunner.Result visits = run("node1", RemoteCommand.tailFile(LOG_DIR, "nodeapp.log", 3, "GET /visits 200"));
        SshRunner.Result otherCase = run("node1", RemoteCommand.tailFile(LOG_DIR, "nodeapp.log", 3, "get /visits 200", false));
        SshRunner.Result anyCase = run("node1", RemoteCommand.tailFile(LOG_DIR, "nodeapp.log", 3, "get /visits 200"));

        assertThat(tail.exitStatus()).as(tail.stderr()).isZero();
        assertThat(tail.stdout().lines().toList()).hasSize(5).allSatisfy(l -> assertThat(l).contains(" nodeapp["));
        assertThat(visits.exitStatus()).as(visits.stderr()).isZero();
        assertThat(visits.stdout().lines().toList()).hasSize(3).allSatisfy(l -> assertThat(l).contains("GET /visits 200"));
        assertThat(otherCase.stdout()).as("exact case").isEmpty();
        assertThat(anyCase.stdout().lines().toList()).as("ignoring case, the default").hasSize(3)
                .allSatisfy(l -> assertThat(l).contains("GET /visits 200"));
        for (String pattern : HOSTILE) {
            SshRunner.Result r = run("node1", RemoteCommand.tailFile(LOG_DIR, "nodeapp.log", 10, pattern));
            assertThat(r.exitStatus()).as("exit for %s: %s", pattern, r.stderr()).isZero();
            assertThat(r.stdout()).as("lines containing the literal text %s", pattern).isEmpty();
        }
    }

    @Test
    void weaveReadThroughTheNodeOverSshAgreesWithItsHttpApi() {
        WeaveClient overSsh = new WeaveClient(new SshWeaveTransport(h.ssh, "127.0.0.1", h.endpoints.sshPorts().get("node2")),
                "node2");

        assertThat(overSsh.dnsEntries()).isEqualTo(h.weave("node2").dnsEntries()).hasSize(4);
        assertThat(overSsh.report().router().nickName()).isEqualTo("node2");
        assertThat(overSsh.report().router().peers()).hasSize(3);
        assertThat(overSsh.status()).contains("Service: router").contains("Name: ").contains("Entries: 4");
    }

    private static SshRunner.Result run(String node, RemoteCommand command) {
        return h.ssh.run("127.0.0.1", h.endpoints.sshPorts().get(node), command);
    }

    private static String scaleNodeapp(int instances) {
        DeploymentRef ref = h.marathon.scale("nodeapp", instances, false);
        assertThat(h.watcher.awaitDeployment(ref.deploymentId(), "nodeapp", Duration.ofSeconds(20), null).status())
                .isEqualTo(Status.SUCCEEDED);
        return ref.deploymentId();
    }
}
