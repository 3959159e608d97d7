package io.opsbot.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs operations idempotently: plan (checks only), then apply step by step under per-resource locks, every
 * transition journaled before it takes effect; bounded, retried on transient faults, cancellable, recoverable.
 * <p>{@link #apply} blocks the caller's thread; step work runs on an internal executor so timeouts can be enforced.
 */
public final class Engine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final Journal journal;
    private final ExecutorService executor;
    private final ScheduledExecutorService heartbeats;
    /** Recovery sweeps run here: a resumed operation may take minutes, and must not hold up the heartbeat. */
    private final ScheduledExecutorService sweeps;
    private final EngineInstance self;
    private final ResourceLocks locks;
    private final Map<String, RunningOperation> running = new ConcurrentHashMap<>();
    private final RandomGenerator random;
    private final OperationRunner runner;
    private final Recovery recovery;
    /** An operation of this engine ended without the journal recording its end: recover it as soon as it answers. */
    private final java.util.concurrent.atomic.AtomicBoolean leftoversOwed = new java.util.concurrent.atomic.AtomicBoolean();
    /** The sweep {@link #recoverEvery} set up, run sooner when leftovers are owed; null until then. */
    private volatile Runnable sweep;

    public Engine(Journal journal, EngineSettings settings, Clock clock) {
        this(journal, settings, clock, Sleeper.REAL);
    }

    /** @param sleeper pauses between retries; tests pass one that does not really sleep */
    public Engine(Journal journal, EngineSettings settings, Clock clock, Sleeper sleeper) {
        this.journal = Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        this.random = new java.util.Random(); // thread-safe, unlike most RandomGenerators
        this.executor = Executors.newCachedThreadPool(daemon("opsbot-step"));
        this.self = EngineInstance.current(settings.lease());
        this.locks = new ResourceLocks(new SharedLocks(journal, self, clock));
        Recorder recorder = new Recorder(journal, self, clock);
        StepRunner stepRunner = new StepRunner(recorder, new Retrier(settings.retry(), sleeper, random),
                new TimeBox(executor), clock);
        this.runner = new OperationRunner(recorder, stepRunner, locks, running, settings, clock, () -> leftoversOwed.set(true));
        this.recovery = new Recovery(journal, runner, recorder, running, self, clock);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("opsbot-heartbeat"));
        this.sweeps = Executors.newSingleThreadScheduledExecutor(daemon("opsbot-recovery"));
        long period = EngineInstance.HEARTBEAT.toMillis();
        heartbeats.scheduleWithFixedDelay(() -> heartbeat(clock), period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Renews this engine's leases while it runs something, so engines sharing the journal leave its work alone, and
     * picks up the cancels that reached another process.
     */
    private void heartbeat(Clock clock) {
        Runnable owedSweep = sweep;
        if (owedSweep != null && leftoversOwed.get()) {
            // every heartbeat while the journal is away, so what it missed is finished within seconds of its return
            try {
                sweeps.execute(() -> {
                    if (leftoversOwed.getAndSet(false)) {
                        try {
                            owedSweep.run();
                        } catch (RuntimeException journalStillDown) {
                            leftoversOwed.set(true);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return;
            }
        }
        if (running.isEmpty()) {
            return;
        }
        try {
            journal.heartbeat(self.id(), clock.instant());
            journal.cancelRequests(self.id()).forEach((id, by) -> {
                RunningOperation op = running.get(id);
                if (op != null && !op.isCancelled()) {
                    log.info("op={} event=cancel_from_journal requested_by={}", id, by);
                    op.cancel(by);
                }
            });
        } catch (RuntimeException journalDown) {
            log.warn("event=heartbeat_failed owner={} error=\"{}\"", self.id(), journalDown.getMessage());
        }
    }

    /** What the operation would change, from every step's check; changes nothing and takes no lock. */
    public Plan plan(Operation op) {
        return runner.plan(op, () -> {});
    }

    /**
     * Runs the operation in the caller's thread and answers how it ended; never throws for a failed step.
     * The new operation's id reaches the listener first, in {@link ProgressListener#planned}.
     */
    public Outcome apply(Operation op, Origin origin, ProgressListener listener) {
        return runner.run(newOperationId(), op, origin, listener, null);
    }

    /**
     * Asks a running operation to stop: it does between steps, or inside a step that calls
     * {@link StepContext#checkCancelled()}. One that another process sharing the journal runs is asked through the
     * journal, and stops within a heartbeat or two.
     *
     * @return false when no operation with that id runs, here or elsewhere
     */
    public boolean cancel(String operationId, String requestedBy) {
        RunningOperation op = running.get(operationId);
        if (op == null) {
            return journal.requestCancel(operationId, requestedBy);
        }
        op.cancel(requestedBy);
        return true;
    }

    public Optional<LockHolder> holderOf(String resource) {
        return locks.holderOf(resource);
    }

    /** The operations running now, oldest first. */
    public List<LockHolder> running() {
        return running.values().stream().map(RunningOperation::holder)
                .sorted(Comparator.comparing(LockHolder::since).thenComparing(LockHolder::operationId))
                .toList();
    }

    /**
     * Finishes what a crash left RUNNING in the journal, one by one, under the same ids: each is re-planned from
     * its origin and resumed through fresh checks (never a blind re-apply), or marked FAILED when it cannot be
     * re-planned. Call it at start, before taking new commands.
     */
    public List<Outcome> recover(Replanner replanner, ProgressListener listener) {
        return recovery.recover(replanner, listener);
    }

    /**
     * Looks again every {@code period} for what a dead engine sharing the journal left running (a replica that died
     * while this one goes on) and finishes it as {@link #recover} does, on a thread of its own. Stops with close.
     */
    public void recoverEvery(Duration period, Replanner replanner, ProgressListener listener) {
        long millis = period.toMillis();
        Runnable once = () -> recover(replanner, listener).forEach(o -> log.info("event=recovered op={} title=\"{}\" state={}",
                o.operationId(), o.title(), o.state()));
        sweep = once;
        sweeps.scheduleWithFixedDelay(() -> {
            try {
                once.run();
            } catch (RuntimeException e) {
                log.warn("event=recovery_sweep_failed error=\"{}\"", e.getMessage());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the step threads, the heartbeat and recovery sweeps. The journal belongs to the caller and stays open. */
    @Override
    public void close() {
        sweeps.shutdownNow();
        heartbeats.shutdownNow();
        executor.shutdownNow();
    }

    /** "op-7f3a2c": short enough to type in a cancel command; unique among running and journaled ones. */
    private String newOperationId() {
        while (true) {
            String id = "op-" + HexFormat.of().toHexDigits(random.nextInt(1 << 24)).substring(2);
            if (!running.containsKey(id) && !journaled(id)) {
                return id;
            }
        }
    }

    /** A journal that cannot answer will not take the operation either, and apply then reports that. */
    private boolean journaled(String id) {
        try {
            return journal.find(id).isPresent();
        } catch (RuntimeException journalDown) {
            return false;
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return work -> {
            Thread thread = new Thread(work, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
