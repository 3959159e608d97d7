package io.opsbot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineLocksTest {

    private final JdbcJournal journal = JdbcJournal.inMemory();
    private final ExecutorService callers = Executors.newFixedThreadPool(100);

    @AfterEach
    void close() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(5, TimeUnit.SECONDS);
        journal.close();
    }

    /** Per resource, how many step bodies run right now; any value above 1 is an interleaving. */
    private final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    private final AtomicInteger overlapsOnOneResource = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();

    private TestStep body(String... resources) {
        return TestStep.alwaysDrift("work on " + String.join(",", resources), context -> {
            for (String resource : resources) {
                if (inside.computeIfAbsent(resource, r -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlapsOnOneResource.incrementAndGet();
                }
            }
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(3);
            running.decrementAndGet();
            for (String resource : resources) {
                inside.get(resource).decrementAndGet();
            }
        });
    }

    private Operation op(String title, String... resources) {
        return new Operation("deploy", title, List.of(resources), List.of(body(resources), body(resources)));
    }

    @Test
    void conflictingOperationsNeverInterleaveWhileOthersRunInParallel() throws Exception {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(60), RetryPolicy.none());
        try (Engine engine = new Engine(journal, settings, Clock.systemUTC())) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int pair = 0; pair < 50; pair++) {
                String app = "app:/app" + pair;
                // Every other pair also shares a second resource, named in opposite orders: sorted locking means no deadlock.
                String shared = "dataset:d" + (pair / 2);
                Operation first = pair % 2 == 0 ? op("deploy app" + pair, app) : op("move app" + pair, app, shared);
                Operation second = pair % 2 == 0 ? op("scale app" + pair, app) : op("restart app" + pair, shared, app);
                for (Operation op : List.of(first, second)) {
                    outcomes.add(callers.submit(() -> {
                        start.await();
                        return engine.apply(op, new Origin("U" + op.title().hashCode(), "C1", op.title()), ProgressListener.NONE);
                    }));
                }
            }
            start.countDown();
            for (Future<Outcome> outcome : outcomes) {
                assertThat(outcome.get(60, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
            }
        }
        assertThat(overlapsOnOneResource).hasValue(0);
        assertThat(maxRunning.get()).isGreaterThan(1);
        assertThat(journal.history(null, 1000)).hasSize(100);
    }

    @Test
    void aConflictingOperationWaitsThenIsRefusedNamingTheHolder() throws Exception {
        Clock tenOhTwo = Clock.fixed(Instant.parse("2024-05-02T10:02:00Z"), ZoneOffset.UTC);
        EngineSettings settings = new EngineSettings(Duration.ofMillis(200), RetryPolicy.none());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine(journal, settings, tenOhTwo)) {
            Operation deploy = new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(
                    TestStep.alwaysDrift("push image", context -> {
                        holding.countDown();
                        release.await();
                    })));
            RecordingListener deployListener = new RecordingListener();
            Future<Outcome> deploying = callers.submit(() -> engine.apply(deploy, new Origin("U123", "C1", "deploy nodeapp"), deployListener));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            String holderId = deployListener.operationId;
            assertThat(engine.holderOf("app:/nodeapp")).get().extracting(LockHolder::operationId).isEqualTo(holderId);
            assertThat(engine.running()).extracting(LockHolder::title).containsExactly("deploy nodeapp");

            RecordingListener scaleListener = new RecordingListener();
            long before = System.nanoTime();
            Outcome scale = engine.apply(new Operation("scale", "scale nodeapp 3", List.of("app:/nodeapp"),
                    List.of(new Counter().set("n", 3))), new Origin("U999", "C1", "scale nodeapp 3"), scaleListener);
            Duration waited = Duration.ofNanos(System.nanoTime() - before);

            assertThat(scale.state()).isEqualTo(Outcome.State.REFUSED);
            assertThat(scale.message()).isEqualTo("nodeapp is busy: " + holderId
                    + " 'deploy nodeapp' started by U123 at 10:02; try again when it finishes");
            assertThat(waited).isBetween(Duration.ofMillis(190), Duration.ofSeconds(5));
            assertThat(scaleListener.waitedFor.operationId()).isEqualTo(holderId);
            assertThat(scaleListener.events).startsWith("waiting app:/nodeapp held by " + holderId).endsWith("outcome REFUSED");
            assertThat(journal.find(scale.operationId()).orElseThrow().state()).isEqualTo("REFUSED");

            release.countDown();
            assertThat(deploying.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(engine.holderOf("app:/nodeapp")).isEmpty();
            assertThat(engine.running()).isEmpty();
        }
    }

    @Test
    void aWaitingOperationProceedsOnceTheHolderFinishes() throws Exception {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(30), RetryPolicy.none());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine(journal, settings, Clock.systemUTC())) {
            Operation deploy = new Operation("deploy", "deploy nodeapp", List.of("app:/nodeapp"), List.of(
                    TestStep.alwaysDrift("push image", context -> {
                        holding.countDown();
                        release.await();
                    })));
            Future<Outcome> deploying = callers.submit(() -> engine.apply(deploy, new Origin("U1", "C1", "deploy nodeapp"), ProgressListener.NONE));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            RecordingListener listener = new RecordingListener();
            Future<Outcome> scaling = callers.submit(() -> engine.apply(new Operation("scale", "scale nodeapp 3",
                    List.of("app:/nodeapp"), List.of(new Counter().set("n", 3))), new Origin("U2", "C1", "scale nodeapp 3"), listener));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listener.waitedFor != null);

            release.countDown();

            assertThat(deploying.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
            assertThat(scaling.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
        }
    }

    @Test
    void anOperationWaitingForALockCanBeCancelled() throws Exception {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(30), RetryPolicy.none());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine(journal, settings, Clock.systemUTC())) {
            Future<Outcome> deploying = callers.submit(() -> engine.apply(new Operation("deploy", "deploy nodeapp",
                    List.of("app:/nodeapp"), List.of(TestStep.alwaysDrift("push image", context -> {
                        holding.countDown();
                        release.await();
                    }))), new Origin("U1", "C1", "deploy nodeapp"), ProgressListener.NONE));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            TestStep scaleStep = new Counter().set("n", 3);
            Future<Outcome> scaling = callers.submit(() -> engine.apply(new Operation("scale", "scale nodeapp 3",
                    List.of("app:/nodeapp"), List.of(scaleStep)), new Origin("U2", "C1", "scale nodeapp 3"), ProgressListener.NONE));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.running().size() == 2);
            String waitingId = engine.running().get(1).operationId();

            assertThat(engine.cancel(waitingId, "U2")).isTrue();
            Outcome cancelled = scaling.get(10, TimeUnit.SECONDS);

            assertThat(cancelled.state()).isEqualTo(Outcome.State.CANCELLED);
            assertThat(cancelled.message()).isEqualTo("cancelled by U2 while waiting for its turn; nothing was done");
            assertThat(scaleStep.checks).hasValue(0);
            release.countDown();
            assertThat(deploying.get(10, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.SUCCEEDED);
        }
    }

    @Test
    void anOperationWaitingForALockHasItsIdBeforeItWaitsSoThatItCanBeCancelledByIt() throws Exception {
        EngineSettings settings = new EngineSettings(Duration.ofSeconds(30), RetryPolicy.none());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine(journal, settings, Clock.systemUTC())) {
            Future<Outcome> deploying = callers.submit(() -> engine.apply(new Operation("deploy", "deploy nodeapp",
                    List.of("app:/nodeapp"), List.of(TestStep.alwaysDrift("push image", context -> {
                        holding.countDown();
                        release.await();
                    }))), new Origin("U1", "C1", "deploy nodeapp"), ProgressListener.NONE));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            ProgressListener listener = new ProgressListener() {
                @Override
                public void started(String operationId) {
                    events.add("id " + operationId);
                }

                @Override
                public void waitingForLock(String resource, LockHolder holder) {
                    events.add("waiting " + resource + " held by " + holder.operationId());
                }
            };
            Future<Outcome> scaling = callers.submit(() -> engine.apply(new Operation("scale", "scale nodeapp 3",
                    List.of("app:/nodeapp"), List.of(new Counter().set("n", 3))), new Origin("U2", "C1", "scale nodeapp 3"),
                    listener));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.size() >= 2);

            assertThat(events.get(0)).startsWith("id op-");
            assertThat(events.get(1)).startsWith("waiting app:/nodeapp held by ");
            String id = events.get(0).substring("id ".length());
            assertThat(engine.cancel(id, "U2")).isTrue();
            assertThat(scaling.get(30, TimeUnit.SECONDS).state()).isEqualTo(Outcome.State.CANCELLED);
            release.countDown();
            deploying.get(30, TimeUnit.SECONDS);
        }
    }
}
