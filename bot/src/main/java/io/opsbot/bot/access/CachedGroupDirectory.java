package io.opsbot.bot.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers group members for a while: access is checked on every command, and usergroups.users.list is
 * rate limited (and concurrent commands ask once). When a refresh fails the last known members stay in force (or none, if never known).
 */
public final class CachedGroupDirectory implements GroupDirectory {

    private static final Logger log = LoggerFactory.getLogger(CachedGroupDirectory.class);

    private record Entry(Set<String> members, Instant fetched) {}

    private final GroupDirectory source;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public CachedGroupDirectory(GroupDirectory source, Duration ttl, Clock clock) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        this.source = source;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized Set<String> members(String groupId) {
        Instant now = clock.instant();
        Entry known = cache.get(groupId);
        if (known != null && known.fetched().plus(ttl).isAfter(now)) {
            return known.members();
        }
        try {
            Set<String> fresh = Set.copyOf(source.members(groupId));
            cache.put(groupId, new Entry(fresh, now));
            return fresh;
        } catch (RuntimeException e) {
            log.warn("event=group_lookup_failed group={} error=\"{}\" using={}", groupId, e.getMessage(),
                    known == null ? "none" : "last-known");
            return known == null ? Set.of() : known.members();
        }
    }
}
