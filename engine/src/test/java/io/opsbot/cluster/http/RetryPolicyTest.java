package io.opsbot.cluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    final RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(1000));

    @Test
    void delaysDoubleUpToTheBoundAndJitterStaysBelowIt() {
        assertThat(policy.delayMillis(2, 1.0)).isEqualTo(100);
        assertThat(policy.delayMillis(3, 1.0)).isEqualTo(200);
        assertThat(policy.delayMillis(4, 1.0)).isEqualTo(400);
        assertThat(policy.delayMillis(5, 1.0)).isEqualTo(800);
        assertThat(policy.delayMillis(6, 1.0)).isEqualTo(1000);
        assertThat(policy.delayMillis(60, 1.0)).isEqualTo(1000);
        assertThat(policy.delayMillis(4, 0.5)).isEqualTo(200);
        assertThat(policy.delayMillis(4, 0.0)).isZero();
    }

    @Test
    void atLeastOneAttempt() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.NONE.maxAttempts()).isEqualTo(1);
    }
}
