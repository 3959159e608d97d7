package io.opsbot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A configuration printed whole (a log line, an exception, a debugger) shows no password, token or secret. */
class ConfigSecretsHiddenTest {

    @Test
    void theWholeConfigurationPrintsWithoutItsSecrets() {
        ClusterConfig cluster = new ClusterConfig(new ClusterConfig.Marathon("http://node1:8080", "ops", "marathon-pw-5c1d", "tok-9f2e"),
                null, null, null, null, null, null, Map.of(), Map.of(), false);
        OpsbotConfig config = new OpsbotConfig(cluster,
                new OpsbotConfig.JournalConfig("jdbc:postgresql://db/opsbot", "opsbot", "db-pw-77a1"), null, null,
                new OpsbotConfig.SlackConfig("http", 3000, "xoxb-bot-3e4f", "xapp-app-8b9c", "signing-6d7e", null), null, null);

        assertThat(config.toString()).contains("jdbc:postgresql://db/opsbot", "user=opsbot", "http://node1:8080")
                .doesNotContain("db-pw-77a1", "marathon-pw-5c1d", "tok-9f2e", "xoxb-bot-3e4f", "xapp-app-8b9c", "signing-6d7e");
    }
}
