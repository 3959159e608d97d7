package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timeouts, retries and cancellation: every wait ends, and says how. */
class EngineBoundsTest {

    private static final Origin ALICE = new Origin("U123", "C1", "deploy nodeapp");

    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final RetryPolicy fourAttempts = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8));
    private final Engine engine = new Engine(journal, new EngineSettings(Duration.ofSeconds(5), fourAttempts),
            Clock.systemUTC(), pauses::add);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        callers.shutdownNow();
        engine.close();
        journal.close();
    }

    private static Operation deploy(Step... steps) {
        return new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(steps));
    }

    @Test
    void aStepThatHangsFailsWithATimeoutWithinItsBoundAndIsInterrupted() {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch never = new CountDownLatch(1);
        TestStep hanging = new TestStep("wait for nodeapp to be healthy", () -> Check.drift("0 of 2 healthy"),
                context -> {}, context -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                }, Duration.ofMillis(300));

        long before = System.nanoTime();
        Outcome outcome = engine.apply(deploy(hanging), ALICE, ProgressListener.NONE);
        Duration took = Duration.ofNanos(System.nanoTime() - before);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(outcome.message()).isEqualTo("step 1 of 1 'wait for nodeapp to be healthy' failed: "
                + "timed out after 300ms waiting for 'wait for nodeapp to be healthy' to be in place");
        assertThat(took).isBetween(Duration.ofMillis(290), Duration.ofSeconds(3));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
    }

    @Test
    void aTimeoutWhileRetryingATransientFailureNamesWhatFailed() {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        TestStep flaky = new TestStep("set instances of /nodeapp to 3", () -> Check.drift("2 → 3"),
                context -> {}, context -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new TransientException("Marathon at http://node1:8080 failed on GET /v2/apps/nodeapp (HTTP 503: no leader)");
                    }
                    never.await();
                }, Duration.ofMillis(300));

        Outcome outcome = engine.apply(deploy(flaky), ALICE, ProgressListener.NONE);

        // "timed out" alone would not say that Marathon was failing all along
        assertThat(outcome.message()).isEqualTo("step 1 of 1 'set instances of /nodeapp to 3' failed: "
                + "timed out after 300ms waiting for 'set instances of /nodeapp to 3' to be in place; the last attempt "
                + "failed: Marathon at http://node1:8080 failed on GET /v2/apps/nodeapp (HTTP 503: no leader)");
    }

    @Test
    void timeoutMessagesReadLikeAPerson() {
        assertThat(TimeBox.human(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(TimeBox.human(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(TimeBox.human(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(TimeBox.human(Duration.ofMinutes(61))).isEqualTo("1h1m");
    }

    @Test
    void aTransientFaultIsRetriedUntilItPasses() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicBoolean applied = new AtomicBoolean();
        TestStep flaky = new TestStep("put app definition", () -> applied.get() ? Check.inSync("in place") : Check.drift("new app"),
                context -> {
                    if (attempts.incrementAndGet() <= 2) {
                        throw new TransientException("Marathon answered 503");
                    }
                    applied.set(true);
                });

        Outcome outcome = engine.apply(deploy(flaky), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(outcome.steps()).extracting(StepReport::result).containsExactly(StepResult.CHANGED);
        assertThat(flaky.applies).hasValue(3);
        assertThat(pauses).hasSize(2);
        assertThat(pauses.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(pauses.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void aConnectErrorInCheckIsRetriedToo() {
        AtomicInteger checks = new AtomicInteger();
        TestStep step = new TestStep("read app", () -> {
            if (checks.incrementAndGet() == 2) { // the first check is the plan's
                throw new ConnectException("Connection refused");
            }
            return Check.inSync("in place");
        }, context -> {});

        Outcome outcome = engine.apply(deploy(step), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(step.checks).hasValue(3);
        assertThat(pauses).hasSize(1);
    }

    @Test
    void aPermanentFaultIsAttemptedExactlyOnce() {
        TestStep rejected = TestStep.alwaysDrift("put app definition", context -> {
            throw new OpsException("Marathon rejected the app (422): /cpus must be positive");
        });

        Outcome outcome = engine.apply(deploy(rejected), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(rejected.applies).hasValue(1);
        assertThat(pauses).isEmpty();
        assertThat(outcome.message()).endsWith("failed: Marathon rejected the app (422): /cpus must be positive");
    }

    @Test
    void exhaustedRetriesFailWithTheLastErrorAndKeepTheEarlierOnesSuppressed() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        TestStep down = TestStep.alwaysDrift("push image", context -> {
            throw new TransientException("registry answered 502 (attempt " + attempts.incrementAndGet() + ")");
        });

        Outcome outcome = engine.apply(deploy(down), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.FAILED);
        assertThat(down.applies).hasValue(4);
        assertThat(down.checks).hasValue(1 + 1 + 3); // plan, run, then before each retry
        assertThat(outcome.message()).isEqualTo("step 1 of 1 'push image' failed: registry answered 502 (attempt 4)");
        assertThat(pauses).hasSize(3);
        assertThat(pauses).allSatisfy(pause -> assertThat(pause).isLessThanOrEqualTo(Duration.ofSeconds(8)));

        // The exception itself, as the Retrier hands it over: the last, with the earlier ones suppressed.
        Retrier retrier = new Retrier(new RetryPolicy(3, Duration.ZERO, Duration.ZERO), d -> {}, new java.util.Random());
        AtomicInteger calls = new AtomicInteger();
        Exception last = org.assertj.core.api.Assertions.catchException(() -> retrier.call("test", () -> {
            throw new IOException("connect failed " + calls.incrementAndGet());
        }, () -> {}));
        assertThat(last).hasMessage("connect failed 3");
        assertThat(last.getSuppressed()).extracting(Throwable::getMessage).containsExactly("connect failed 1", "connect failed 2");
    }

    @Test
    void aRetriedApplyChecksFirstAndDoesNotRepeatWhatTookEffect() {
        AtomicBoolean applied = new AtomicBoolean();
        TestStep step = new TestStep("scale nodeapp to 3", () -> applied.get() ? Check.inSync("at 3") : Check.drift("2 → 3"),
                context -> {
                    applied.set(true);
                    throw new TransientException("connection reset after the request was sent");
                });

        Outcome outcome = engine.apply(deploy(step), ALICE, ProgressListener.NONE);

        assertThat(outcome.state()).isEqualTo(Outcome.State.SUCCEEDED);
        assertThat(step.applies).hasValue(1);
    }

    @Test
    void backoffGrowsExponentiallyWithJitterUpToTheCap() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            assertThat(fourAttempts.backoffAfter(1, random)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
            assertThat(fourAttempts.backoffAfter(3, random)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            assertThat(fourAttempts.backoffAfter(10, random)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        }
    }

    @Test
    void cancellationBetweenStepsSkipsTheRestAndSaysWhatWasDone() throws Exception {
        CountDownLatch inStep2 = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        Counter world = new Counter();
        TestStep step3 = world.set("c", 1);
        Operation op = deploy(world.set("a", 1), TestStep.alwaysDrift("second", context -> {
            inStep2.countDown();
            cancelled.await();
        }), step3, world.set("d", 1));
        RecordingListener listener = new RecordingListener();

        Future<Outcome> running = callers.submit(() -> engine.apply(op, ALICE, listener));
        assertThat(inStep2.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.cancel(listener.operationId, "U777")).isTrue();
        cancelled.countDown();
        Outcome outcome = running.get(10, TimeUnit.SECONDS);

        assertThat(outcome.state()).isEqualTo(Outcome.State.CANCELLED);
        assertThat(outcome.message()).isEqualTo("cancelled by U777 after step 2 of 4; steps 3-4 not run");
        assertThat(outcome.steps()).extracting(StepReport::result)
                .containsExactly(StepResult.CHANGED, StepResult.CHANGED, StepResult.SKIPPED, StepResult.SKIPPED);
        assertThat(step3.applies).hasValue(0);
        assertThat(world.values).doesNotContainKeys("c", "d");
        assertThat(journal.find(outcome.operationId()).orElseThrow().state()).isEqualTo("CANCELLED");
        assertThat(journal.steps(outcome.operationId())).last().extracting(StepEntry::state).isEqualTo(StepState.SKIPPED);
        assertThat(engine.cancel(outcome.operationId(), "U777")).as("no longer running").isFalse();
    }

    @Test
    void aStepWaitingInsideNoticesCancellation() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        TestStep watch = new TestStep("wait for nodeapp to be healthy", () -> Check.drift("0 of 2 healthy"), context -> {},
                context -> {
                    waiting.countDown();
                    while (true) {
                        context.checkCancelled();
                        Thread.sleep(5);
                    }
                }, Duration.ofSeconds(30));
        RecordingListener listener = new RecordingListener();

        Future<Outcome> running = callers.submit(() -> engine.apply(deploy(watch, new Counter().set("x", 1)), ALICE, listener));
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        engine.cancel(listener.operationId, "U777");
        Outcome outcome = running.get(10, TimeUnit.SECONDS);

        assertThat(outcome.state()).isEqualTo(Outcome.State.CANCELLED);
        assertThat(outcome.message()).isEqualTo("cancelled by U777 during step 1 of 2 'wait for nodeapp to be healthy', "
                + "which stopped part-way (cancelled by U777); step 2 not run");
        assertThat(outcome.steps()).extracting(StepReport::result).containsExactly(StepResult.FAILED, StepResult.SKIPPED);
    }

    @Test
    void cancelOfAnUnknownOperationAnswersFalse() {
        assertThat(engine.cancel("op-000000", "U1")).isFalse();
    }
}
