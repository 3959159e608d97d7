package io.opsbot.cluster.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteCommandTest {

    static final List<String> HOSTILE = List.of(
            "; rm -rf /", "$(reboot)", "`reboot`", "a' ; reboot ; echo '", "'", "''", "\"$HOME\"", "${IFS}",
            "a && b || c", "x | sh", "> /etc/passwd", "*", "~root", "\\'", "-e", "--help", "$((1+1))", "!!");

    @Test
    void weaveCommandIsTheFixedCurlLine() {
        assertThat(RemoteCommand.weaveGet("report", "application/json").commandLine()).isEqualTo(
                "curl --silent --show-error --max-time 5 --header 'Accept: application/json' 'http://127.0.0.1:6784/report'");
        assertThat(RemoteCommand.weaveGet("status/peers", "text/plain").commandLine()).isEqualTo(
                "curl --silent --show-error --max-time 5 --header 'Accept: text/plain' 'http://127.0.0.1:6784/status/peers'");
    }

    @Test
    void weavePathsAndAcceptOutsideTheTableAreRejected() {
        for (String path : List.of("report; reboot", "../report", "report?x=1", "name\nreboot", "", "connect")) {
            assertThatThrownBy(() -> RemoteCommand.weaveGet(path, "application/json")).isInstanceOf(OpsException.class)
                    .hasMessageContaining("not a Weave status path");
        }
        assertThatThrownBy(() -> RemoteCommand.weaveGet("report", "text/html'; reboot")).isInstanceOf(OpsException.class);
    }

    @Test
    void journalctlLine() {
        assertThat(RemoteCommand.journalctl("marathon", null, 200, null).commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='marathon' --lines=200");
        assertThat(RemoteCommand.journalctl("mesos-slave", Duration.ofMinutes(30), 50, "it's down").commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='mesos-slave' '--since=-1800s'"
                        + " | grep --fixed-strings --ignore-case '--regexp=it'\\''s down' | tail --lines=50");
        assertThat(RemoteCommand.journalctl("mesos-slave", null, 50, "Down", false).commandLine())
                .isEqualTo("journalctl --no-pager --output=short-iso --unit='mesos-slave'"
                        + " | grep --fixed-strings '--regexp=Down' | tail --lines=50");
    }

    @Test
    void hostileUnitsFilesAndDirectoriesAreRejected() {
        for (String hostile : HOSTILE) {
            assertThatThrownBy(() -> RemoteCommand.journalctl(hostile, null, 10, null)).isInstanceOf(OpsException.class);
            assertThatThrownBy(() -> RemoteCommand.tailFile("/var/log/apps", hostile, 10, null)).isInstanceOf(OpsException.class);
            assertThatThrownBy(() -> RemoteCommand.tailFile(hostile, "nodeapp.log", 10, null)).isInstanceOf(OpsException.class);
        }
        assertThatThrownBy(() -> RemoteCommand.tailFile("/var/log/../../etc", "passwd", 10, null)).isInstanceOf(OpsException.class);
        assertThatThrownBy(() -> RemoteCommand.tailFile("/var/log/apps", "..", 10, null)).isInstanceOf(OpsException.class);
        assertThatThrownBy(() -> RemoteCommand.journalctl("marathon", null, 0, null)).hasMessageContaining("lines must be");
        assertThatThrownBy(() -> RemoteCommand.journalctl("marathon", null, 10_001, null)).hasMessageContaining("lines must be");
        assertThatThrownBy(() -> RemoteCommand.journalctl("marathon", Duration.ofSeconds(-5), 10, null)).hasMessageContaining("--since");
    }

    @Test
    void searchTextWithLineBreaksControlCharactersOrHugeLengthIsRejected() {
        for (String bad : List.of("a\nreboot", "a\rb", "nul\u0000", "tab\tx", "ls\u2028rm", "x".repeat(10_000), "")) {
            assertThatThrownBy(() -> RemoteCommand.journalctl("docker", null, 10, bad)).isInstanceOf(OpsException.class)
                    .hasMessageStartingWith("the --grep text must be ");
        }
    }

    @Test
    void quotedTextReachesTheCommandLiterallyThroughARealShell() throws Exception {
        for (String hostile : HOSTILE) {
            assertThat(shellEcho(RemoteCommand.quote(hostile))).isEqualTo(hostile);
        }
        String big = "'$(x)`y`;".repeat(1000); // 9k characters, hundreds of quotes
        assertThat(shellEcho(RemoteCommand.quote(big))).isEqualTo(big);
    }

    @Test
    void grepTextIsMatchedLiterallyByTheBuiltCommand(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("nodeapp.log"),
                "ok line\nerror: $(reboot) happened\nit's `fine`\nlast ; rm -rf / line\n");
        Path marker = dir.resolve("pwned");

        for (String hostile : List.of("$(touch " + marker + ")", "`touch " + marker + "`", "'; touch " + marker + "; echo '",
                "$(reboot)", "it's `fine`", "; rm -rf /")) {
            RemoteCommand command = RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 10, hostile);
            String out = run(command.commandLine());
            assertThat(marker).doesNotExist();
            for (String line : out.lines().toList()) {
                assertThat(line).contains(hostile);
            }
        }
        assertThat(run(RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 10, "$(reboot)").commandLine()))
                .isEqualTo("error: $(reboot) happened\n");
        assertThat(run(RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 2, null).commandLine()))
                .isEqualTo("it's `fine`\nlast ; rm -rf / line\n");
        // One rule: ignoring case by default, exact case when asked; a text that looks like an option stays text.
        assertThat(run(RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 10, "ERROR: $(REBOOT)").commandLine()))
                .isEqualTo("error: $(reboot) happened\n");
        assertThat(run(RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 10, "ERROR: $(REBOOT)", false).commandLine()))
                .isEmpty();
        assertThat(run(RemoteCommand.tailFile(dir.toString(), "nodeapp.log", 10, "-rf /", false).commandLine()))
                .isEqualTo("last ; rm -rf / line\n");
    }

    static String shellEcho(String quoted) throws IOException, InterruptedException {
        return run("printf '%s' " + quoted);
    }

    static String run(String commandLine) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/bin/sh", "-c", commandLine).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
