package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsbot.bot.render.OperationView.Snapshot;
import io.opsbot.bot.render.OperationView.StepLine;
import io.opsbot.bot.render.OperationView.StepStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepResultsTest {

    private static Snapshot with(StepLine... steps) {
        return new Snapshot("deploy nodeapp", "op-1", List.of(steps), null, null, true);
    }

    private static StepLine line(StepStatus status, String detail, double fraction) {
        return new StepLine("run /nodeapp in Marathon", status, detail, Duration.ofSeconds(1), fraction);
    }

    @Test
    void whatAStepSaidAtOneHundredPercentStaysOnItsLineOnceItFinishes() {
        CommandRunner.StepResults results = new CommandRunner.StepResults();
        results.apply(with(line(StepStatus.RUNNING, "2 of 2 running", 0.95)));
        results.apply(with(line(StepStatus.RUNNING, "nodeapp is healthy: 2 of 2 running", 1.0)));

        Snapshot done = results.apply(with(line(StepStatus.CHANGED, "image: 1.0 → 2.0", 1)));

        assertThat(done.steps().get(0).detail()).isEqualTo("nodeapp is healthy: 2 of 2 running (image: 1.0 → 2.0)");
        assertThat(done.steps().get(0).status()).isEqualTo(StepStatus.CHANGED);
    }

    @Test
    void aStepThatNeverReachedOneHundredPercentOrFailedKeepsTheEnginesDetail() {
        CommandRunner.StepResults results = new CommandRunner.StepResults();
        results.apply(with(line(StepStatus.RUNNING, "2 of 2 running", 0.95)));
        assertThat(results.apply(with(line(StepStatus.CHANGED, "image: 1.0 → 2.0", 1))).steps().get(0).detail())
                .isEqualTo("image: 1.0 → 2.0");

        CommandRunner.StepResults failing = new CommandRunner.StepResults();
        failing.apply(with(line(StepStatus.RUNNING, "nodeapp is healthy", 1.0)));
        assertThat(failing.apply(with(line(StepStatus.FAILED, "health checks failed", 1))).steps().get(0).detail())
                .isEqualTo("health checks failed");
    }

    @Test
    void aRetryBelowOneHundredPercentForgetsWhatWasSaidBefore() {
        CommandRunner.StepResults results = new CommandRunner.StepResults();
        results.apply(with(line(StepStatus.RUNNING, "nodeapp is healthy", 1.0)));
        results.apply(with(line(StepStatus.RUNNING, "deployment started", 0.1)));

        assertThat(results.apply(with(line(StepStatus.CHANGED, "image: 1.0 → 2.0", 1))).steps().get(0).detail())
                .isEqualTo("image: 1.0 → 2.0");
    }
}
