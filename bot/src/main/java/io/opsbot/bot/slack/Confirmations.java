package io.opsbot.bot.slack;

import io.opsbot.bot.ConfirmationAnswers;
import io.opsbot.bot.Request;
import io.opsbot.engine.Plan;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Operations waiting for someone to click Confirm. A confirmation is claimed at most once (two clicks run the
 * operation once) and only before it expires; expired ones are kept a while so the clicker learns why nothing ran.
 */
final class Confirmations {

    /**
     * @param messageTs the confirmation message, edited in place when it is answered
     * @param answers   where the answer is recorded (the journal entry of the command that asked)
     * @param closed    whether the answer was recorded (confirmed, declined, or found expired)
     */
    record Pending(String id, Request request, Plan plan, String reason, Instant expiresAt, String messageTs,
                   ConfirmationAnswers answers, boolean closed) {
        Pending withMessage(String ts) {
            return new Pending(id, request, plan, reason, expiresAt, ts, answers, closed);
        }

        Pending asClosed() {
            return new Pending(id, request, plan, reason, expiresAt, messageTs, answers, true);
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

    Pending add(Request request, Plan plan, String reason) {
        return add(request, plan, reason, ConfirmationAnswers.NONE);
    }

    Pending add(Request request, Plan plan, String reason, ConfirmationAnswers answers) {
        recordExpired();
        synchronized (this) {
            purge();
            byte[] id = new byte[8];
            random.nextBytes(id);
            Pending p = new Pending(HexFormat.of().formatHex(id), request, plan, reason, clock.instant().plus(timeout),
                    null, answers, false);
            pending.put(p.id(), p);
            return p;
        }
    }

    /**
     * Records every confirmation that expired unanswered as expired, once (its journal entry then says so). The bot
     * calls it periodically; adding and claiming call it too.
     */
    void recordExpired() {
        List<Pending> expired = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                if (!e.getValue().closed() && !now.isBefore(e.getValue().expiresAt())) {
                    expired.add(e.getValue());
                    e.setValue(e.getValue().asClosed());
                }
            }
        }
        // outside the lock: the journal may be slow
        expired.forEach(p -> p.answers().record(ConfirmationAnswers.Answer.EXPIRED, null));
    }

    synchronized void attachMessage(String id, String ts) {
        pending.computeIfPresent(id, (k, p) -> p.withMessage(ts));
    }

    /**
     * Takes the confirmation for {@code user} if they may answer it; removes it when accepted, so a second click
     * finds nothing.
     */
    Claim claim(String id, String user, BiPredicate<String, String> mayAnswer) {
        recordExpired();
        return claimNow(id, user, mayAnswer);
    }

    private synchronized Claim claimNow(String id, String user, BiPredicate<String, String> mayAnswer) {
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
