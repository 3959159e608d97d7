package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import picocli.CommandLine;

/**
 * Starts the bot through its command line, in this JVM, against a Slack whose {@code auth.test} rejects the bot token,
 * and holds it to what a person must see: one line naming the setting and exit status 2.
 */
final class RejectedTokenRun {

    /** Writes the configuration to start with, given the fake Slack's Web API URL. */
    interface Configuration {
        Path withApiUrl(String apiUrl) throws Exception;
    }

    private RejectedTokenRun() {
    }

    static void assertStartStopsWithOneLineAndStatus2(Path home, Configuration configuration) throws Exception {
        try (MockWebServer slack = new MockWebServer()) {
            slack.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body("{\"ok\":false,\"error\":\"invalid_auth\"}").build());
            slack.start(InetAddress.getLoopbackAddress(), 0);
            Path file = configuration.withApiUrl(slack.url("/api/").toString());
            StringWriter err = new StringWriter();
            String before = System.getProperty("opsbot.home");
            System.setProperty("opsbot.home", home.toString());
            int status;
            try {
                status = Main.execute(new CommandLine(new Main()).setErr(new PrintWriter(err, true)), "--config", file.toString());
            } finally {
                if (before == null) {
                    System.clearProperty("opsbot.home");
                } else {
                    System.setProperty("opsbot.home", before);
                }
            }
            assertThat(status).as(err.toString()).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("opsbot: Slack rejected the bot token (slack.botToken): invalid_auth");
        }
    }
}
