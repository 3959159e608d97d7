package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FullPoolTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstRefusalIsLoggedThenAtMostOneLinePerIntervalCarryingEveryRefusalSinceTheLastLine() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        FullPool full = new FullPool(8, 64, 10 * SECOND, now::get);

        assertThat(full.refused()).as("the first refusal is logged at once").isEqualTo(1);
        assertThat(full.refused()).isZero();
        now.addAndGet(4 * SECOND);
        assertThat(full.refused()).isZero();
        assertThat(full.refused()).isZero();
        now.addAndGet(6 * SECOND);
        assertThat(full.refused()).as("10 s after the first line: the 3 not logged and this one").isEqualTo(4);
        now.addAndGet(9 * SECOND);
        assertThat(full.refused()).isZero();
        now.addAndGet(SECOND);
        assertThat(full.refused()).isEqualTo(2);
    }

    @Test
    void theAnswerNamesTheFullPoolsThreadsAndQueue() {
        assertThat(new FullPool(8, 64, SECOND, System::nanoTime).answer())
                .isEqualTo("opsbot is busy (8 commands running, 64 waiting); try again in a minute");
    }

    @Test
    void aFullPoolRefusesWithoutItsOwnDescriptionOrAStackTrace() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), FullPool.REFUSE);
        try {
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            assertThatThrownBy(() -> pool.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class)
                    .satisfies(e -> assertThat(e.getStackTrace()).as("no stack trace filled in").isEmpty())
                    .satisfies(e -> assertThat(e.getMessage()).as("AbortPolicy's message carries the pool's toString()")
                            .doesNotContain("ThreadPoolExecutor"));
        } finally {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
