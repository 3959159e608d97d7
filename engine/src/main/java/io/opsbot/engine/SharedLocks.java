package io.opsbot.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource locks in the journal, so that engines in other processes sharing it (a second `opsbot exec`, a bot
 * replica) never interleave with this one. A lock whose engine is dead is broken; a journal that cannot answer
 * leaves the local lock to decide, and the operation then fails on recording its start, as it would anyway.
 */
final class SharedLocks {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final Journal journal;
    private final EngineInstance self;
    private final Clock clock;

    SharedLocks(Journal journal, EngineInstance self, Clock clock) {
        this.journal = journal;
        this.self = self;
        this.clock = clock;
    }

    /**
     * Takes {@code resource} for {@code holder}, which already holds it in this engine.
     *
     * @return empty when taken; otherwise the live holder in another engine
     */
    Optional<LockHolder> tryTake(String resource, LockHolder holder) {
        try {
            SharedLock lock = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                Instant now = clock.instant();
                Optional<SharedLock> current = journal.tryLock(resource, holder, self.id(), now);
                if (current.isEmpty()) {
                    return Optional.empty();
                }
                lock = current.get();
                // Left by this engine (a release the journal missed), by the operation itself before a crash, or by
                // an engine that is gone: nobody holds it any more.
                boolean leftover = lock.lease().owner().equals(self.id())
                        || lock.holder().operationId().equals(holder.operationId());
                if (!leftover && self.isAlive(lock.lease(), now)) {
                    return Optional.of(lock.holder());
                }
                if (journal.breakLock(lock)) {
                    log.warn("event=stale_lock_broken resource={} op={} owner={} heartbeat={}", resource,
                            lock.holder().operationId(), lock.lease().owner(), lock.lease().heartbeatAt());
                }
            }
            return Optional.of(lock.holder()); // contended three times in a row: the caller waits and tries again
        } catch (RuntimeException journalDown) {
            log.warn("event=shared_lock_unavailable resource={} op={} error=\"{}\"", resource, holder.operationId(),
                    journalDown.getMessage());
            return Optional.empty();
        }
    }

    void release(String resource, LockHolder holder) {
        try {
            journal.unlock(resource, holder.operationId());
        } catch (RuntimeException journalDown) {
            // the row stays behind; the next taker sees it is this engine's and breaks it, or it goes stale
            log.warn("event=shared_unlock_failed resource={} op={} error=\"{}\"", resource, holder.operationId(),
                    journalDown.getMessage());
        }
    }
}
