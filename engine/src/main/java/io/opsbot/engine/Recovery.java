package io.opsbot.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what a crash left RUNNING in the journal: re-plans each from its origin and runs it through fresh
 * checks under its old id, so a step that had taken effect reports OK and is never applied twice.
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    /** Operations per resource looked at for a newer one: history is newest first, so the first few tell. */
    private static final int NEWER_LOOKED_AT = 5;

    private final Journal journal;
    private final OperationRunner runner;
    private final Recorder recorder;
    private final Map<String, RunningOperation> running;
    private final EngineInstance self;
    private final Clock clock;

    Recovery(Journal journal, OperationRunner runner, Recorder recorder, Map<String, RunningOperation> running,
             EngineInstance self, Clock clock) {
        this.journal = journal;
        this.runner = runner;
        this.recorder = recorder;
        this.running = running;
        this.self = self;
        this.clock = clock;
    }

    List<Outcome> recover(Replanner replanner, ProgressListener listener) {
        List<Outcome> outcomes = new ArrayList<>();
        for (OperationEntry entry : journal.unfinished()) {
            if (running.containsKey(entry.id())) {
                continue; // this engine runs it right now: not a leftover
            }
            Lease lease = journal.leaseOf(entry.id());
            Instant now = clock.instant();
            // This engine's own, yet not running here: the journal stopped recording it part-way (its database was
            // down), so the operation ended without its end journaled. It is finished now like a dead engine's.
            boolean ownLeftover = self.id().equals(lease.owner());
            if (!ownLeftover && self.isAlive(lease, now)) {
                // another opsbot process sharing the journal runs it (a second `opsbot exec`, a replica)
                log.info("op={} state=RUNNING_ELSEWHERE owner={} heartbeat={}", entry.id(), lease.owner(), lease.heartbeatAt());
                continue;
            }
            if (!journal.claim(entry.id(), lease, self.id(), now)) {
                log.info("op={} taken over by another engine first", entry.id());
                continue;
            }
            Optional<Newer> newer = newerOnItsResources(entry);
            if (newer.isPresent()) {
                outcomes.add(failSuperseded(entry, newer.get(), listener));
                continue;
            }
            log.info("op={} state=RECOVERING requester={} own_leftover={} title=\"{}\"", entry.id(), entry.origin().requester(),
                    ownLeftover, entry.title());
            Operation op;
            try {
                op = replanner.replan(entry);
            } catch (RuntimeException e) {
                if (!(e instanceof OpsException)) {
                    log.warn("op={} could not be re-planned", entry.id(), e);
                }
                outcomes.add(failUnplannable(entry, StepRunner.reason(e), listener));
                continue;
            }
            outcomes.add(runner.run(entry.id(), op, entry.origin(), listener, entry));
        }
        return outcomes;
    }

    /**
     * An operation started after this one on one of its resources that got as far as its steps (another process
     * went on while this one's engine was dead): resuming the older one now would undo the newer one's work. One that
     * was refused or cancelled while it waited for the lock did nothing, and does not count.
     */
    private Optional<Newer> newerOnItsResources(OperationEntry entry) {
        for (String resource : entry.resources()) {
            Optional<OperationEntry> newer = journal.history(resource, NEWER_LOOKED_AT).stream()
                    .filter(e -> !e.id().equals(entry.id()) && e.startedAt().isAfter(entry.startedAt()))
                    .filter(e -> !journal.steps(e.id()).isEmpty())
                    .findFirst();
            if (newer.isPresent()) {
                return Optional.of(new Newer(resource, newer.get()));
            }
        }
        return Optional.empty();
    }

    /** An operation that ran on {@code resource} after the one to recover had started. */
    private record Newer(String resource, OperationEntry operation) {}

    private Outcome failSuperseded(OperationEntry entry, Newer newer, ProgressListener listener) {
        OperationEntry op = newer.operation();
        log.info("op={} state=SUPERSEDED by={}", entry.id(), op.id());
        return fail(entry, "not resumed after a restart: " + op.id() + " '" + op.title() + "' (" + op.origin().requester()
                + ") ran on " + OperationRunner.displayName(newer.resource()) + " after it; nothing more was done", listener);
    }

    private Outcome failUnplannable(OperationEntry entry, String reason, ProgressListener listener) {
        return fail(entry, "could not resume after a restart: " + reason + "; nothing more was done", listener);
    }

    private Outcome fail(OperationEntry entry, String message, ProgressListener listener) {
        Outcome outcome = new Outcome(entry.id(), entry.title(), Outcome.State.FAILED, List.of(), message, Duration.ZERO);
        recorder.finished(entry.id(), entry.origin().requester(), Outcome.State.FAILED, message + " (" + outcome.recap() + ")");
        listener.finished(outcome);
        return outcome;
    }
}
