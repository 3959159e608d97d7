package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsbot.config.OpsbotConfig;
import io.opsbot.engine.ops.SimControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures, not a timed test: how long from a task failure in the emulated cluster to its alert reaching the fake
 * Slack, over 100 failures one after the other. The 2 s edit throttle is a deliberate delay, so it is set to zero
 * here to see the pipeline itself (sim → event stream → watcher → journal → Slack). Asserts only that every failure
 * arrived, in order, with its count.
 */
class AlertLatencyFiguresTest {

    private static final int EVENTS = 100;

    @TempDir
    Path home;

    @Test
    void everyFailureReachesSlackInOrderAndTheLatencyIsPrinted() throws Exception {
        try (FakeSlack slack = new FakeSlack();
             AlertRig rig = new AlertRig(OpsbotConfig.empty().withAlerts(AlertRig.alerts()), home, slack, true,
                     SlackBotTest.BOT_TOKEN, Duration.ZERO)) {
            SimControl sim = new SimControl(rig.opsbot.config().cluster().marathon().url());
            List<Long> micros = new ArrayList<>();
            for (int n = 1; n <= EVENTS; n++) {
                int count = n;
                long start = System.nanoTime();
                sim.crash("nodeapp", 1);
                FakeSlack.Call shown = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                        .until(() -> slack.calls().stream().filter(c -> c.method().startsWith("chat.")
                                && c.param("text").startsWith("🔴 nodeapp: " + count + " task failure")).findFirst(),
                                java.util.Optional::isPresent).orElseThrow();
                micros.add((shown.atNanos() - start) / 1_000);
            }
            assertThat(micros).hasSize(EVENTS);
            List<Long> sorted = new ArrayList<>(micros);
            Collections.sort(sorted);
            System.out.printf("measured: sim task failure → alert at the fake Slack over %d events: p50 %.1f ms, p99 %.1f ms,"
                            + " max %.1f ms (edit throttle off)%n", EVENTS, sorted.get(EVENTS / 2) / 1000.0,
                    sorted.get(EVENTS * 99 / 100 - 1) / 1000.0, sorted.get(EVENTS - 1) / 1000.0);
        }
    }
}
