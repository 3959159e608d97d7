package io.opsbot.bench;

import com.slack.api.app_backend.SlackSignature;
import io.opsbot.bot.command.Command;
import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH, for item 1: the CPU work of one slash command before its ack, without the network — Slack's signature
 * check (HMAC-SHA256 over the body, as Bolt's RequestVerification does it) and opsbot's parsing of the command text.
 * It tells how much of the ack's latency is work and how much is waiting for a thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AckWorkBenchmark {

    private SlackSignature.Verifier verifier;
    private CommandParser parser;
    private String body;
    private String timestamp;
    private String signature;

    @Setup
    public void setUp() {
        verifier = new SlackSignature.Verifier(new SlackSignature.Generator(SlashCommands.SECRET));
        parser = new CommandParser(KnownNames.withDefaultServices(List.of("nginx", "nodeapp", "mongo"), List.of("node1", "node2", "node3")), true);
        body = "token=t&team_id=T1&team_domain=t1&channel_id=C0OPS&channel_name=ops&user_id=UOPS&user_name=ops&command=%2Fops&text="
                + URLEncoder.encode(SlashAckBench.COMMAND, StandardCharsets.UTF_8)
                + "&api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx&trigger_id=1.2.3";
        timestamp = Long.toString(System.currentTimeMillis() / 1000);
        signature = SlashCommands.signature(Long.parseLong(timestamp), body);
    }

    @Benchmark
    public Command verifyAndParse() {
        if (!verifier.isValid(timestamp, body, signature, System.currentTimeMillis())) {
            throw new IllegalStateException("the signature did not verify");
        }
        return parser.parse(SlashAckBench.COMMAND);
    }
}
