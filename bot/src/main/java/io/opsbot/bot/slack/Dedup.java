package io.opsbot.bot.slack;

import io.opsbot.engine.Deliveries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers delivery ids (event_id, trigger_id) for a while so that a delivery Slack retries runs once.
 * Bounded both ways: entries expire, and the oldest go first when it is full. With {@code shared} deliveries (the
 * journal's), a delivery new to this process is run only if no other replica on the same journal took it first: Slack
 * may send a retry to another replica behind the same Request URL.
 */
final class Dedup {

    private static final Logger log = LoggerFactory.getLogger(Dedup.class);

    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final Deliveries shared;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();
    /** The shared store failing is logged once per outage, not per delivery. */
    private final AtomicBoolean sharedFailing = new AtomicBoolean();

    Dedup(Clock clock, Duration ttl, int capacity) {
        this(clock, ttl, capacity, null);
    }

    Dedup(Clock clock, Duration ttl, int capacity, Deliveries shared) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
        this.shared = shared;
    }

    /**
     * True the first time a delivery ({@code kind}: command, event or action, and Slack's id for it) is offered within
     * the ttl; a delivery without an id (nothing to recognise it by) always runs.
     */
    boolean firstTime(String kind, String id) {
        if (id == null || id.isEmpty()) {
            return true;
        }
        String key = kind + ":" + id;
        if (!firstHere(key)) {
            return false;
        }
        if (shared == null) {
            return true;
        }
        try {
            boolean first = shared.firstTime(key);
            if (sharedFailing.compareAndSet(true, false)) {
                log.info("event=slack_dedup_shared_back detail=\"retried deliveries are recognised across replicas again\"");
            }
            if (!first) {
                log.info("event=slack_retry_ignored key={} detail=\"another replica took this delivery\"", key);
            }
            return first;
        } catch (RuntimeException e) {
            // the journal is down: whatever the delivery asks that needs the journal is refused anyway; a query runs
            if (sharedFailing.compareAndSet(false, true)) {
                log.warn("event=slack_dedup_shared_failed detail=\"retries are recognised in this process only until the "
                        + "journal answers\" error=\"{}\"", e.getMessage());
            }
            return true;
        }
    }

    private synchronized boolean firstHere(String key) {
        Instant now = clock.instant();
        Iterator<Map.Entry<String, Instant>> oldest = seen.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<String, Instant> e = oldest.next();
            if (e.getValue().plus(ttl).isAfter(now) && seen.size() < capacity) {
                break;
            }
            oldest.remove();
        }
        if (seen.containsKey(key)) {
            return false;
        }
        seen.put(key, now);
        return true;
    }

    synchronized int size() {
        return seen.size();
    }
}
