package io.opsbot.bot.slack;

import io.opsbot.bot.render.BlockKit.Message;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One operation's message, posted once and then edited in place. Edits are coalesced: at most one per
 * {@code minInterval}, always with the latest state, so a burst of progress events costs one chat.update and
 * the last state is never lost ({@link #finish} waits until it is delivered).
 */
final class LiveMessage {

    private final SlackApi api;
    private final String channel;
    private final ScheduledExecutorService scheduler;
    private final long minIntervalNanos;
    /** Serialises sends: Slack must see the edits of one message in order. */
    private final Object sending = new Object();

    private String ts;
    /** chat.postMessage was refused (e.g. the bot is not in the channel): intermediate states are not retried. */
    private boolean postFailed;
    private Message pending;
    private boolean scheduled;
    private long lastSentNanos;
    private long offered;
    private long delivered;
    private long finalVersion = -1;

    LiveMessage(SlackApi api, String channel, String existingTs, ScheduledExecutorService scheduler, Duration minInterval) {
        this.api = api;
        this.channel = channel;
        this.ts = existingTs;
        this.scheduler = scheduler;
        this.minIntervalNanos = minInterval.toNanos();
        this.lastSentNanos = System.nanoTime() - minIntervalNanos;
    }

    /** Shows this state soon: now if the last edit is old enough, else when it is; newer states replace it. */
    void show(Message message) {
        long delay;
        synchronized (this) {
            pending = message;
            offered++;
            if (scheduled) {
                return;
            }
            scheduled = true;
            delay = Math.max(0, lastSentNanos + minIntervalNanos - System.nanoTime());
        }
        scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
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

    /** Nothing could be posted: the caller tells the user another way. */
    synchronized boolean postFailed() {
        return postFailed;
    }

    private void flush() {
        synchronized (sending) {
            Message message;
            long version;
            String currentTs;
            synchronized (this) {
                message = pending;
                version = offered;
                pending = null;
                scheduled = false;
                // counted from the start of the send, so the next edit is spaced from this one whatever Slack's latency
                lastSentNanos = System.nanoTime();
                currentTs = ts;
            }
            if (message == null) {
                return;
            }
            if (currentTs == null) {
                boolean retry;
                synchronized (this) {
                    // the final state is always tried; progress states are not retried after a refusal
                    retry = !postFailed || version == finalVersion;
                }
                String posted = retry ? api.post(channel, null, message).orElse(null) : null;
                synchronized (this) {
                    ts = posted;
                    postFailed = posted == null;
                }
            } else {
                api.update(channel, currentTs, message);
            }
            synchronized (this) {
                // a failed send still counts as delivered: retrying an edit Slack refused would not make it pass
                delivered = Math.max(delivered, version);
                notifyAll();
            }
        }
    }
}
