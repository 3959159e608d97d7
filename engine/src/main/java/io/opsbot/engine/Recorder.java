package io.opsbot.engine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes an operation's transitions to the journal first, then one log line each. */
final class Recorder {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final Journal journal;
    private final EngineInstance self;
    private final Clock clock;

    Recorder(Journal journal, EngineInstance self, Clock clock) {
        this.journal = journal;
        this.self = self;
        this.clock = clock;
    }

    /** A new operation, owned by this engine from its first row on, so no other engine mistakes it for a leftover. */
    void started(OperationEntry entry) {
        journal.operationStarted(entry, new Lease(self.id(), clock.instant()));
        log.info("op={} state=RUNNING kind={} requester={} channel={} title=\"{}\"",
                entry.id(), entry.kind(), entry.origin().requester(), entry.origin().channel(), entry.title());
    }

    void recovered(OperationEntry entry, java.time.Instant at) {
        journal.operationRecovered(entry.id(), at);
        log.info("op={} state=RECOVERED requester={} title=\"{}\"", entry.id(), entry.origin().requester(), entry.title());
    }

    /**
     * Records a step's transition. A check-only one (CHECKING, or OK: the step found nothing to do) is held back and
     * written with the operation's next transition that must be on disk before it takes effect (APPLYING before a
     * write, NOTED, VERIFYING, CHANGED, FAILED, SKIPPED) or with its end, in one commit: it changes nothing in the
     * cluster, and after a crash before that commit recovery re-checks the step, as it does any step without
     * APPLYING.
     *
     * @throws JournalUnavailableException when the journal cannot record it: the transition must not take effect
     */
    void step(RunningOperation op, int index, String description, StepState state, String detail) {
        StepEntry transition = new StepEntry(op.id(), index, description, state, detail, clock.instant());
        if (state == StepState.CHECKING || state == StepState.OK) {
            op.holdBack(transition);
        } else {
            List<StepEntry> batch = new ArrayList<>(op.takeHeldBack());
            batch.add(transition);
            try {
                if (batch.size() == 1) {
                    journal.stepTransition(op.id(), index, description, state, detail);
                } else {
                    journal.stepTransitions(batch);
                }
            } catch (JournalUnavailableException e) {
                throw e;
            } catch (RuntimeException journalDown) {
                log.warn("op={} step={} state={} event=journal_unavailable error=\"{}\"", op.id(), index + 1, state,
                        journalDown.getMessage());
                throw new JournalUnavailableException("the journal could not record it: " + journalDown.getMessage(), journalDown);
            }
        }
        log.info("op={} step={} state={} requester={} detail=\"{}\"", op.id(), index + 1, state, op.requester(),
                detail == null ? "" : detail);
    }

    /** What the journal holds of an operation's steps so far (a recovered one: its earlier run's). */
    List<StepEntry> steps(String operationId) {
        return journal.steps(operationId);
    }

    /** Records the end of an operation that holds no lock and has no held-back transitions (recovery's). */
    void finished(String operationId, String requester, Outcome.State state, String summary) {
        journal.operationFinished(operationId, state, summary);
        log.info("op={} state={} requester={} summary=\"{}\"", operationId, state, requester, summary);
    }

    /**
     * Records the operation's end with its held-back step transitions and, in the same commit, the release of its
     * shared locks on {@code resources} (the caller then frees them in this process).
     */
    void finished(RunningOperation op, Outcome.State state, String summary, List<String> resources) {
        journal.operationFinished(op.id(), state, summary, op.takeHeldBack(), resources);
        log.info("op={} state={} requester={} summary=\"{}\"", op.id(), state, op.requester(), summary);
    }
}
