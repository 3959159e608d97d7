package io.opsbot.bot.slack;

import io.opsbot.bot.Request;
import io.opsbot.engine.Plan;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Operations waiting for someone to click Confirm. A confirmation is claimed at most once (two clicks run the
 * operation once) and only before it expires; expired ones are kept a while so the clicker learns why nothing ran.
 */
final class Confirmations {

    /** @param messageTs the confirmation message, edited in place when it is answered */
    record Pending(String id, Request request, Plan plan, String reason, Instant expiresAt, String messageTs) {
        Pending withMessage(String ts) {
            return new Pending(id, request, plan, reason, expiresAt, ts);
        }
    }

    enum Verdict { ACCEPTED, NOT_ALLOWED, EXPIRED, UNKNOWN }

    /** @param pending null when unknown */
    record Claim(Verdict verdict, Pending pending) {}

    /** How long an expired confirmation is still recognised as "expired" rather than "unknown". */
    private static final Duration REMEMBER_EXPIRED = Duration.ofHours(1);

    private final Clock clock;
    private final Duration timeout;
    private final int capacity;
    private final SecureRandom random = new SecureRandom();
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

    Confirmations(Clock clock, Duration timeout, int capacity) {
        this.clock = clock;
        this.timeout = timeout;
        this.capacity = capacity;
    }

    Duration timeout() {
        return timeout;
    }

    synchronized Pending add(Request request, Plan plan, String reason) {
        purge();
        byte[] id = new byte[8];
        random.nextBytes(id);
        Pending p = new Pending(HexFormat.of().formatHex(id), request, plan, reason, clock.instant().plus(timeout), null);
        pending.put(p.id(), p);
        return p;
    }

    synchronized void attachMessage(String id, String ts) {
        pending.computeIfPresent(id, (k, p) -> p.withMessage(ts));
    }

    /**
     * Takes the confirmation for {@code user} if they may answer it; removes it when accepted, so a second click
     * finds nothing.
     */
    synchronized Claim claim(String id, String user, BiPredicate<String, String> mayAnswer) {
        Pending p = pending.get(id);
        if (p == null) {
            return new Claim(Verdict.UNKNOWN, null);
        }
        if (!clock.instant().isBefore(p.expiresAt())) {
            return new Claim(Verdict.EXPIRED, p);
        }
        if (!mayAnswer.test(user, p.request().user())) {
            return new Claim(Verdict.NOT_ALLOWED, p);
        }
        pending.remove(id);
        return new Claim(Verdict.ACCEPTED, p);
    }

    synchronized int size() {
        return pending.size();
    }

    private void purge() {
        Instant forgetBefore = clock.instant().minus(REMEMBER_EXPIRED);
        Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Pending p = it.next().getValue();
            if (p.expiresAt().isBefore(forgetBefore) || pending.size() >= capacity) {
                it.remove();
            }
        }
    }
}
