package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshSimTest {
  @TempDir
  static Path home;
  static Sim sim;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void start() {
    sim = Sim.start(new SimOptions(TestHomes.withKeys(home), 0, null, 100, false));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static Run exec(String node, String command) throws IOException {
    try (SSHClient ssh = new SSHClient()) {
      ssh.loadKnownHosts(sim.endpoints().sshKnownHosts().toFile()); // every node's host key is listed there
      ssh.connect("127.0.0.1", sim.endpoints().sshPorts().get(node));
      ssh.authPublickey(sim.endpoints().sshUser(), ssh.loadKeys(sim.endpoints().sshKey().toString()));
      try (Session session = ssh.startSession()) {
        Session.Command cmd = session.exec(command);
        String out = new String(cmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(cmd.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        cmd.join(5, TimeUnit.SECONDS);
        return new Run(cmd.getExitStatus(), out, err);
      }
    }
  }

  @Test
  void journalctlShowsTheNodesServiceLogWithRealEvents() throws IOException {
    new SimClient(sim.endpoints().marathonUrl()).put("/v2/apps/nodeapp", "{\"instances\": 3}");
    Run r = exec("node1", "journalctl --no-pager --output=short-iso --unit='marathon' --since='-3600s' --lines='200'");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains(" node1 marathon[").contains("/nodeapp");
    assertThat(r.out().lines().count()).isLessThanOrEqualTo(200);
    Run filtered = exec("node1", "journalctl --no-pager --output=short-iso --unit='marathon' --since=-3600s --lines=5 --grep='Deployment'");
    assertThat(filtered.out().lines()).hasSizeLessThanOrEqualTo(5).allSatisfy(l -> assertThat(l).contains("Deployment"));
    Run other = exec("node2", "journalctl --no-pager --output=short-iso --unit=marathon --since=-60s --lines=10");
    assertThat(other.out()).isEqualTo("-- No entries --\n");
  }

  @Test
  void centralLogTailAndGrepShowAppLines() throws IOException {
    Run tail = exec("node1", "tail --lines=5 -- '/var/log/remote/nodeapp.log'");
    assertThat(tail.exit()).isZero();
    assertThat(tail.out().lines()).hasSize(5).allSatisfy(l -> assertThat(l).contains("nodeapp["));
    Run grep = exec("node1", "grep --fixed-strings --ignore-case --regexp='GET /VISITS' -- '/var/log/remote/nodeapp.log' | tail --lines=3");
    assertThat(grep.out().lines()).hasSize(3).allSatisfy(l -> assertThat(l).contains("GET /visits 200"));
    Run mongo = exec("node1", "tail --lines=20 -- /var/log/remote/mongo.log");
    assertThat(mongo.out()).contains("connection accepted");
    Run elsewhere = exec("node2", "tail --lines=5 -- /var/log/remote/nodeapp.log");
    assertThat(elsewhere.exit()).isEqualTo(1);
  }

  @Test
  void curlProxiesTheNodesWeaveApi() throws IOException {
    Run r = exec("node3", "curl --silent --show-error --max-time 5 --header 'Accept: application/json' http://127.0.0.1:6784/report");
    assertThat(r.exit()).isZero();
    assertThat(Json.MAPPER.readTree(r.out()).get("Router").get("NickName").asText()).isEqualTo("node3");
  }

  @Test
  void anythingElseIsRefusedWith127() throws IOException {
    for (String cmd : new String[] {"rm -rf /", "journalctl --no-pager --output=short-iso --unit=marathon --since=-60s --lines=5; id",
        "tail --lines=5 -- /etc/shadow", "cat /var/log/remote/nodeapp.log", "tail --lines=5 -- $(id)",
        "curl --silent --show-error --max-time 5 --header 'Accept: application/json' http://127.0.0.1:6784/../secret"}) {
      Run r = exec("node1", cmd);
      assertThat(r.exit()).as(cmd).isEqualTo(127);
      assertThat(r.err()).as(cmd).isEqualTo("opsbot-sim: command not allowed\n");
      assertThat(r.out()).as(cmd).isEmpty();
    }
  }
}
