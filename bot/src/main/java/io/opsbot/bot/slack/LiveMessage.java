package io.opsbot.bot.slack;

import io.opsbot.bot.render.BlockKit.Message;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operation's message, posted once and then edited in place. Edits are coalesced: at most one per
 * {@code minInterval}, always with the latest state, so a burst of progress events costs one chat.update and
 * the last state is never lost ({@link #finish} waits until it is delivered).
 *
 * <p>When Slack rate-limits a send, the next one waits the Retry-After (on the scheduler, no thread sleeps) and
 * carries the latest state then, not the refused one. When the bot is not in the channel and the command came
 * with a response_url, the first and the final state go through it instead (2 of its 5 uses): a slash command's
 * posts a new message and then replaces it; a button's replaces the message the button was on.
 *
 * <p>A state equal to the one Slack already shows is not sent again and counts as delivered at once: the engine's
 * end makes the operation's view show its final state, and the runner then finishes with that same state, which
 * would otherwise cost a second chat.update and hold the runner's worker for the edit interval.
 */
final class LiveMessage {

    private static final Logger log = LoggerFactory.getLogger(LiveMessage.class);
    /** 429s in a row after which a state is given up (a later one is still tried): about 5 Retry-Afters. */
    static final int MAX_RATE_LIMITED_IN_A_ROW = 5;

    private final SlackApi api;
    private final String channel;
    private final String responseUrl;
    private final ScheduledExecutorService scheduler;
    private final long minIntervalNanos;
    /** Serialises sends: Slack must see the edits of one message in order. */
    private final Object sending = new Object();

    private String ts;
    /** chat.postMessage was refused (e.g. the bot is not in the channel): intermediate states are not retried. */
    private boolean postFailed;
    /** The first state went through the response_url: only the final one follows it there. */
    private boolean viaResponseUrl;
    /** The response_url's message is this operation's to replace (after the first state, or a button's from the start). */
    private boolean replaceViaResponseUrl;
    private Message pending;
    private boolean scheduled;
    private long lastSentNanos;
    /** Nothing is sent before this (System.nanoTime()): the Retry-After of the last 429. */
    private long notBeforeNanos;
    private int rateLimitedInARow;
    private long offered;
    private long delivered;
    private long finalVersion = -1;
    /** The state Slack shows, as far as this message knows: the last one a send of which Slack accepted; null if unknown. */
    private Message lastDelivered;
    /** The state being sent now (a flush holds {@link #sending}); null between sends. */
    private Message inFlight;

    LiveMessage(SlackApi api, String channel, String existingTs, ScheduledExecutorService scheduler, Duration minInterval) {
        this(api, channel, existingTs, null, false, scheduler, minInterval);
    }

    /**
     * @param responseUrl a slash command's or a button's response_url, used when the bot cannot post in the channel;
     *                    may be null
     * @param replacesOriginal the response_url is a button's: its message (a confirmation) is replaced, not added to
     */
    LiveMessage(SlackApi api, String channel, String existingTs, String responseUrl, boolean replacesOriginal,
                ScheduledExecutorService scheduler, Duration minInterval) {
        this.api = api;
        this.channel = channel;
        this.ts = existingTs;
        this.responseUrl = responseUrl;
        this.replaceViaResponseUrl = replacesOriginal;
        this.scheduler = scheduler;
        this.minIntervalNanos = minInterval.toNanos();
        this.lastSentNanos = System.nanoTime() - minIntervalNanos;
        this.notBeforeNanos = lastSentNanos;
    }

    /** Shows this state soon: now if the last edit is old enough, else when it is; newer states replace it. */
    void show(Message message) {
        long delay = -1;
        boolean settle;
        synchronized (this) {
            offered++;
            if (inFlight == null && message.equals(lastDelivered)) {
                // Slack shows this state already: nothing to send (a pending older state is superseded by it)
                deliveredWithoutSend();
                return;
            }
            pending = message;
            // the state being sent is this one: once that send is over, this one is settled without a second send
            settle = message.equals(inFlight);
            if (!scheduled) {
                scheduled = true;
                delay = Math.max(0, Math.max(lastSentNanos + minIntervalNanos, notBeforeNanos) - System.nanoTime());
            }
        }
        if (delay >= 0) {
            scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
        }
        if (settle) {
            scheduler.execute(this::settle);
        }
    }

    /**
     * After the send in flight: if the pending state is the one Slack now shows, it is delivered without a send (the
     * flush scheduled for it finds nothing pending). If that send failed, the pending state goes at its own time.
     */
    private void settle() {
        synchronized (sending) {
            synchronized (this) {
                if (pending != null && pending.equals(lastDelivered)) {
                    deliveredWithoutSend();
                }
            }
        }
    }

    /** Every state offered so far counts as delivered: Slack shows the latest already. Holds this message's lock. */
    private void deliveredWithoutSend() {
        pending = null;
        delivered = Math.max(delivered, offered);
        notifyAll();
    }

    /** Shows the final state and waits (bounded) until Slack has it; true when delivered. */
    boolean finish(Message message, Duration wait) throws InterruptedException {
        long target;
        synchronized (this) {
            target = offered + 1;
            finalVersion = target;
        }
        show(message);
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (delivered < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    synchronized String ts() {
        return ts;
    }

    /** chat.postMessage was refused: the caller tells the asker privately (even when the response_url showed it). */
    synchronized boolean postFailed() {
        return postFailed;
    }

    private void flush() {
        synchronized (sending) {
            Message message;
            long version;
            String currentTs;
            boolean tryPost;
            synchronized (this) {
                long hold = notBeforeNanos - System.nanoTime();
                if (hold > 0) {
                    // a 429's Retry-After is not over; this flush stays the scheduled one
                    scheduler.schedule(this::flush, hold, TimeUnit.NANOSECONDS);
                    return;
                }
                message = pending;
                version = offered;
                pending = null;
                scheduled = false;
                if (message != null) {
                    // counted from the start of the send, so the next edit is spaced from this one whatever Slack's latency
                    lastSentNanos = System.nanoTime();
                }
                currentTs = ts;
                // the final state is always tried; progress states are not retried after a refusal
                tryPost = !postFailed || version == finalVersion;
                inFlight = message;
            }
            if (message == null) {
                return;
            }
            SlackApi.Result result = null;
            if (currentTs != null) {
                result = api.tryUpdate(channel, currentTs, message);
            } else if (tryPost) {
                result = api.tryPost(channel, null, message);
            }
            if (result != null && result.rateLimited()) {
                synchronized (this) {
                    inFlight = null;
                    lastDelivered = null; // Slack shows the state before, not known here
                }
                retryLater(message, version, result.retryAfter());
                return;
            }
            if (currentTs == null && result != null) {
                posted(result, message, version);
            }
            synchronized (this) {
                inFlight = null;
                if (result != null) {
                    lastDelivered = result.ok() ? message : null;
                }
                rateLimitedInARow = 0;
                // a refused send still counts as delivered: retrying an edit Slack refused would not make it pass
                delivered = Math.max(delivered, version);
                notifyAll();
            }
        }
    }

    /** After a 429: the next send waits Retry-After and carries the latest state, this one unless a newer came. */
    private void retryLater(Message message, long version, Duration retryAfter) {
        long delay = retryAfter.toNanos();
        synchronized (this) {
            rateLimitedInARow++;
            if (rateLimitedInARow > MAX_RATE_LIMITED_IN_A_ROW) {
                log.warn("event=slack_ratelimited_gave_up channel={} attempts={}", channel, rateLimitedInARow);
                rateLimitedInARow = 0;
                delivered = Math.max(delivered, version);
                notifyAll();
                return;
            }
            notBeforeNanos = System.nanoTime() + delay;
            if (pending == null) {
                pending = message; // nothing newer was shown: offered is still this state's version
            }
            if (scheduled) {
                return; // a newer state is already scheduled; its flush waits for notBeforeNanos
            }
            scheduled = true;
        }
        scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
    }

    /** The outcome of chat.postMessage; when the bot is not in the channel, the response_url shows the message. */
    private void posted(SlackApi.Result result, Message message, long version) {
        if (result.ok()) {
            boolean replacesFallback;
            synchronized (this) {
                ts = result.ts();
                postFailed = false;
                replacesFallback = viaResponseUrl;
                viaResponseUrl = false;
            }
            if (replacesFallback) {
                // invited meanwhile: the stale first state shown through the response_url goes away
                api.deleteResponse(responseUrl);
            }
            return;
        }
        boolean first;
        boolean replace;
        synchronized (this) {
            postFailed = true;
            first = !viaResponseUrl;
            replace = replaceViaResponseUrl;
        }
        // reached only for the first state and the final one, so at most 2 of the response_url's 5 uses
        if (responseUrl != null && result.notInChannel() && (first || version == finalVersion)) {
            boolean shown = api.respond(responseUrl, message, replace);
            synchronized (this) {
                viaResponseUrl = viaResponseUrl || shown;
                replaceViaResponseUrl = replaceViaResponseUrl || shown;
            }
        }
    }
}
