package io.opsbot.engine;

import java.time.Clock;
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

    /** @throws JournalUnavailableException when the journal cannot record it: the transition must not take effect */
    void step(RunningOperation op, int index, String description, StepState state, String detail) {
        try {
            journal.stepTransition(op.id(), index, description, state, detail);
        } catch (JournalUnavailableException e) {
            throw e;
        } catch (RuntimeException journalDown) {
            log.warn("op={} step={} state={} event=journal_unavailable error=\"{}\"", op.id(), index + 1, state,
                    journalDown.getMessage());
            throw new JournalUnavailableException("the journal could not record it: " + journalDown.getMessage(), journalDown);
        }
        log.info("op={} step={} state={} requester={} detail=\"{}\"", op.id(), index + 1, state, op.requester(),
                detail == null ? "" : detail);
    }

    /** What the journal holds of an operation's steps so far (a recovered one: its earlier run's). */
    List<StepEntry> steps(String operationId) {
        return journal.steps(operationId);
    }

    void finished(String operationId, String requester, Outcome.State state, String summary) {
        journal.operationFinished(operationId, state, summary);
        log.info("op={} state={} requester={} summary=\"{}\"", operationId, state, requester, summary);
    }
}
