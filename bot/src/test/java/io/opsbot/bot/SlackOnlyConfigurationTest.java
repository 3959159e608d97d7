package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.bot.slack.FakeSlack;
import io.opsbot.bot.slack.SlackBot;
import io.opsbot.config.ConfigLoader;
import io.opsbot.config.OpsbotConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Try it without a cluster" configuration, exactly as printed there: only a slack section, so the
 * Slack bot runs against the emulated cluster.
 */
class SlackOnlyConfigurationTest {

    private static final Map<String, String> ENV = Map.of("SLACK_BOT_TOKEN", "xoxb-try-1", "SLACK_APP_TOKEN", "xapp-try-2");

    @TempDir
    Path home;

    /** The yaml block the README shows after "Try it without a cluster", with the Slack API URL of a fake. */
    private Path readmeConfiguration(String apiUrl) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("**Try it without a cluster.**");
        assertThat(at).as("README has the 'Try it without a cluster' paragraph").isPositive();
        Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find(at)).as("a yaml block follows it").isTrue();
        String yaml = block.group(1);
        assertThat(yaml).contains("slack:").doesNotContain("cluster:");
        Path file = home.resolve("slack-try.yaml");
        Files.writeString(file, yaml.replace("slack:\n", "slack:\n  apiUrl: " + apiUrl + "\n")
                + "journal: { url: \"jdbc:h2:file:" + home.resolve("journal") + "\" }\n");
        return file;
    }

    @Test
    void aConfigurationWithOnlyASlackSectionServesSlackAgainstTheEmulatedCluster() throws Exception {
        try (FakeSlack slack = new FakeSlack()) {
            OpsbotConfig config = new ConfigLoader(ENV::get).load(readmeConfiguration(slack.apiUrl()));
            assertThat(config.cluster()).isNull();
            try (Opsbot bot = Opsbot.startWith(config, home);
                 SlackBot served = Main.slackBuilder(bot).editInterval(Duration.ofMillis(50)).start()) {
                assertThat(bot.emulated()).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(slack::socketConnected);
                slack.sendOverSocket("{\"envelope_id\":\"env-1\",\"type\":\"slash_commands\",\"accepts_response_payload\":true,"
                        + "\"payload\":{\"token\":\"t\",\"team_id\":\"T1\",\"team_domain\":\"t1\",\"channel_id\":\"C0OPS\","
                        + "\"channel_name\":\"ops\",\"user_id\":\"UANYONE\",\"user_name\":\"v\",\"command\":\"/ops\","
                        + "\"text\":\"status nodeapp\",\"api_app_id\":\"A1\",\"response_url\":\"" + slack.apiUrl() + "resp\","
                        + "\"trigger_id\":\"trig-1\"}}");
                await().atMost(Duration.ofSeconds(60)).until(() -> slack.calls("chat.postMessage").stream()
                        .anyMatch(c -> c.shown().contains("/nodeapp")));
                assertThat(slack.calls("chat.postMessage").stream().map(FakeSlack.Call::shown))
                        .anySatisfy(shown -> assertThat(shown).contains("emulated"));
            }
        }
    }

    @Test
    void aRejectedTokenStopsStartUpWithOneLineAndExitStatus2() throws Exception {
        RejectedTokenRun.assertStartStopsWithOneLineAndStatus2(home, apiUrl -> {
            Path file = readmeConfiguration(apiUrl);
            // the launcher's environment is this JVM's: put the tokens in the file as a person may do
            Files.writeString(file, Files.readString(file).replace("${SLACK_BOT_TOKEN}", "xoxb-bad")
                    .replace("${SLACK_APP_TOKEN}", "xapp-bad"));
            return file;
        });
    }
}
