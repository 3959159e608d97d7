package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.bot.command.CommandParser;
import io.opsbot.bot.command.KnownNames;
import io.opsbot.bot.metrics.OpsHttpEndpoint;
import io.opsbot.bot.metrics.OpsMetrics;
import io.opsbot.bot.slack.FakeSlack;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.config.OpsbotConfig.MetricsConfig;
import io.opsbot.config.OpsbotConfig.SlackConfig;
import io.opsbot.engine.Report;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bot's own endpoints — /metrics and /health, and Slack's HTTP mode — listen on loopback unless the configuration
 * says otherwise (metrics.bind, OPSBOT_SLACK_BIND), so a default install exposes nothing to the network. Checked on
 * the bound socket and, where this machine has a non-loopback address, on the wire: a connection to that address is
 * refused with the default and accepted when bound to all addresses.
 */
class LoopbackBindTest {

    static final Set<String> LOOPBACK = Set.of("127.0.0.1");

    final OpsMetrics metrics = OpsMetrics.of(new CommandParser(KnownNames.withDefaultServices(Set.of("nodeapp"),
            Set.of("node1"), Set.of()), false).grammar());

    @Test
    void metricsAndHealthListenOnLoopbackByDefault() throws Exception {
        MetricsConfig config = new MetricsConfig(0, null); // metrics: { port: 0 } — no bind given

        try (OpsHttpEndpoint endpoint = OpsHttpEndpoint.start(metrics, config.bindOrDefault(), config.portOrDefault(), Map.of())) {
            assertThat(endpoint.address().getAddress().isLoopbackAddress()).as("bound to %s", endpoint.address()).isTrue();
            assertThat(new MetricsConfig(null, " ").bindOrDefault()).isEqualTo("127.0.0.1");
            assertThat(new MetricsConfig(null, null).portOrDefault()).isEqualTo(9404);
            otherAddress().ifPresent(other -> assertThatThrownBy(() -> connect(other, endpoint.port()))
                    .as("reaching %s:%d from the network", other, endpoint.port()).isInstanceOf(ConnectException.class));
        }
    }

    @Test
    void metricsListenOnTheConfiguredAddress() throws Exception {
        MetricsConfig config = new MetricsConfig(0, "0.0.0.0");

        try (OpsHttpEndpoint endpoint = OpsHttpEndpoint.start(metrics, config.bindOrDefault(), config.portOrDefault(), Map.of())) {
            assertThat(endpoint.address().getAddress().isAnyLocalAddress()).as("bound to %s", endpoint.address()).isTrue();
            connect(InetAddress.getLoopbackAddress(), endpoint.port());
            Optional<InetAddress> other = otherAddress();
            if (other.isPresent()) {
                connect(other.get(), endpoint.port());
            }
        }
    }

    @Test
    void slackHttpModeListensOnLoopbackByDefaultAndOnTheConfiguredAddressOtherwise() throws Exception {
        assertThat(System.getenv("OPSBOT_SLACK_BIND")).as("this test checks the default: OPSBOT_SLACK_BIND must be unset").isNull();
        try (FakeSlack slack = new FakeSlack()) {
            SlackConfig config = new SlackConfig("http", 0, "xoxb-bind-test", null, "bind-test-secret", slack.apiUrl());
            AccessConfig access = new AccessConfig(Map.of("viewer", List.of("*")), null, null);
            CommandHandler handler = (request, progress) -> new Response.Answer(new Report("status", List.of(), false));

            try (SlackBot bot = SlackBot.builder(config, access, handler).start()) {
                assertThat(bot.httpAddress().getAddress().isLoopbackAddress()).as("bound to %s", bot.httpAddress()).isTrue();
                otherAddress().ifPresent(other -> assertThatThrownBy(() -> connect(other, bot.httpPort()))
                        .isInstanceOf(ConnectException.class));
            }
            try (SlackBot bot = SlackBot.builder(config, access, handler).bindAddress("0.0.0.0").start()) {
                assertThat(bot.httpAddress().getAddress().isAnyLocalAddress()).as("bound to %s", bot.httpAddress()).isTrue();
                connect(InetAddress.getLoopbackAddress(), bot.httpPort());
            }
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
        }
    }

    /** An IPv4 address of this machine other than loopback, if it has one. */
    private static Optional<InetAddress> otherAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
