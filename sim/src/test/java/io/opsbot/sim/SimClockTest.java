package io.opsbot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimClockTest {

    @Test
    void followsTheWallClockNeverGoesBackAndAfterAnExplicitAdvanceRunsAtHalfSpeedUntilTheWallClockMeetsIt() {
        SimClock clock = new SimClock(1_000_000, 10);
        clock.follow(1_000_500, 500);
        assertThat(clock.millis()).isEqualTo(1_000_500);
        clock.follow(999_000, 500); // a wall clock set back: time does not go back
        assertThat(clock.millis()).isEqualTo(1_000_750);

        clock.advance(60_000);
        clock.follow(1_001_500, 1_000);
        assertThat(clock.millis()).isEqualTo(1_061_250);
        clock.follow(1_200_000, 1_000);
        assertThat(clock.millis()).isEqualTo(1_200_000);
    }

    @Test
    void theScaleShortensTheClustersDurationsNotTheClock() {
        SimClock clock = new SimClock(0, 10);
        assertThat(clock.scaled(30_000)).isEqualTo(3_000);
        assertThat(clock.after(5_000)).isEqualTo(500);
        // never shorter than a watcher needs to see the step, and a short one stays as it is
        assertThat(clock.scaled(2_000)).isEqualTo(250);
        assertThat(clock.scaled(100)).isEqualTo(100);
        clock.follow(1_000, 1_000);
        assertThat(clock.millis()).isEqualTo(1_000);
    }
}
