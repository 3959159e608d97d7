package io.opsbot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.config.OpsbotConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reports.misfireThreshold reaches the report scheduler; without it the default (1 minute) holds. */
class MisfireThresholdConfigTest {

    @Test
    void theConfiguredThresholdWinsOverTheDefault() {
        OpsbotConfig configured = OpsbotConfig.empty().withReports(new OpsbotConfig.ReportsConfig(null, List.of(), "90s"));
        assertThat(Opsbot.misfireThreshold(configured, Opsbot.DEFAULT_MISFIRE_THRESHOLD)).isEqualTo(Duration.ofSeconds(90));
        assertThat(Opsbot.misfireThreshold(OpsbotConfig.empty(), Opsbot.DEFAULT_MISFIRE_THRESHOLD))
                .isEqualTo(Duration.ofMinutes(1));
        OpsbotConfig zoneOnly = OpsbotConfig.empty().withReports(new OpsbotConfig.ReportsConfig("UTC", null, null));
        assertThat(Opsbot.misfireThreshold(zoneOnly, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }
}
