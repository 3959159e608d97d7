package io.opsbot.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsbot.engine.OpsException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reads of one answer run at once; each one's result, or failure, is its own. */
class ParallelReadsTest {

    @Test
    void readsStartedTogetherRunAtTheSameTime() {
        CountDownLatch secondStarted = new CountDownLatch(1);
        ParallelReads reads = new ParallelReads();
        // the first read can only end well once the second has started: run one after the other, it would wait in vain
        ParallelReads.Read<Boolean> first = reads.start("first", () -> await(secondStarted));
        ParallelReads.Read<String> second = reads.start("second", () -> {
            secondStarted.countDown();
            return "second";
        });

        assertThat(first.join()).as("the second read started while the first was still running").isTrue();
        assertThat(second.join()).isEqualTo("second");
    }

    @Test
    void aReadThatHangsDelaysNoOtherReadsResult() {
        CountDownLatch gate = new CountDownLatch(1);
        ParallelReads reads = new ParallelReads();
        ParallelReads.Read<String> slow = reads.start("slow", () -> await(gate) ? "slow, released" : "slow, never released");
        ParallelReads.Read<String> fast = reads.start("fast", () -> "fast");
        try {
            assertThat(fast.join()).isEqualTo("fast");
        } finally {
            gate.countDown();
        }
        assertThat(slow.join()).isEqualTo("slow, released");
    }

    @Test
    void aFailingReadThrowsItsOwnErrorToItsCallerAndTheOthersStillAnswer() {
        ParallelReads reads = new ParallelReads();
        OpsException unreachable = new OpsException("Marathon at http://127.0.0.1:9 is unreachable");
        ParallelReads.Read<String> failing = reads.start("Marathon", () -> {
            throw unreachable;
        });
        ParallelReads.Read<String> fine = reads.start("Mesos", () -> "agents");

        assertThatThrownBy(failing::join).isSameAs(unreachable);
        assertThat(fine.join()).isEqualTo("agents");
    }

    @Test
    void aReadThatDoesNotEndWithinTheBoundBecomesAnErrorNamingIt() {
        CountDownLatch gate = new CountDownLatch(1);
        ParallelReads reads = new ParallelReads(Duration.ofSeconds(1));
        ParallelReads.Read<Boolean> stuck = reads.start("the Mesos master", () -> await(gate));
        try {
            assertThatThrownBy(stuck::join).isInstanceOf(OpsException.class)
                    .hasMessage("no answer from the Mesos master within 1 s");
        } finally {
            gate.countDown();
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
