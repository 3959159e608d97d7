package io.opsbot.bot.slack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers delivery ids (event_id, trigger_id) for a while so that a delivery Slack retries runs once.
 * Bounded both ways: entries expire, and the oldest go first when it is full.
 */
final class Dedup {

    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    Dedup(Clock clock, Duration ttl, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    /** True the first time a key is offered within the ttl; a null key (nothing to recognise it by) always runs. */
    synchronized boolean firstTime(String key) {
        if (key == null || key.isEmpty()) {
            return true;
        }
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
