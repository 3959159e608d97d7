package io.opsbot.bot.slack;

import io.opsbot.alerts.AlertSettings;
import io.opsbot.alerts.AlertSink;
import io.opsbot.alerts.Incident;
import io.opsbot.alerts.IncidentChange;
import io.opsbot.bot.render.AlertBlocks;
import io.opsbot.bot.render.AlertText;
import io.opsbot.bot.render.BlockKit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incidents in Slack: one top-level message per incident, in the alert channel (or its app's), edited in place as
 * it changes — at most once per {@code minInterval} per message, the latest state always delivered, a roll-up saying
 * what each edit adds — with a thread reply when it opens, when it resolves, and when a mute starts or ends. The
 * message's ts goes to the journal as soon as Slack gives it, so a restart or another replica edits that message.
 */
final class SlackAlerts implements AlertSink {

    private static final Logger log = LoggerFactory.getLogger(SlackAlerts.class);
    /** Slack allows about one chat.update per second per channel; two leaves room for commands' own messages. */
    static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(2);

    /** Records where an incident's message is (the journal). */
    @FunctionalInterface
    interface MessageRefs {
        void attach(long incidentId, String channel, String ts);
    }

    private final SlackApi api;
    private final AlertSettings settings;
    private final MessageRefs refs;
    private final ScheduledExecutorService scheduler;
    private final long minIntervalNanos;
    private final Clock clock;
    private final AlertText text = new AlertText();
    private final AlertBlocks blocks = new AlertBlocks(text);
    private final Map<Long, AlertMessage> messages = new ConcurrentHashMap<>();

    SlackAlerts(SlackApi api, AlertSettings settings, MessageRefs refs, ScheduledExecutorService scheduler,
                Duration minInterval, Clock clock) {
        this.api = api;
        this.settings = settings;
        this.refs = refs;
        this.scheduler = scheduler;
        this.minIntervalNanos = minInterval.toNanos();
        this.clock = clock;
    }

    @Override
    public void show(IncidentChange change) {
        Incident i = change.incident();
        String channel = i.channel() != null ? i.channel() : settings.channelFor(i.subject());
        if (channel == null) {
            return; // no alert channel configured: the console (or the log) only
        }
        AlertMessage m = messages.computeIfAbsent(i.id(), id -> new AlertMessage(id, channel, i.messageTs()));
        m.offer(change);
    }

    /** One incident's message: sends are serialised, coalesced and spaced. */
    private final class AlertMessage {
        private final long id;
        private final String channel;
        private String ts;
        private Incident latest;
        private final List<String> threadReplies = new ArrayList<>();
        private boolean scheduled;
        private long lastSentNanos;
        private long notBeforeNanos;
        /** The count the message showed after the last edit, and when: the roll-up is counted from them. */
        private int shownCount;
        private Instant shownAt;
        private boolean openedSaid;

        AlertMessage(long id, String channel, String ts) {
            this.id = id;
            this.channel = channel;
            this.ts = ts;
            this.openedSaid = ts != null;
            this.lastSentNanos = System.nanoTime() - minIntervalNanos;
        }

        synchronized void offer(IncidentChange change) {
            Incident i = change.incident();
            switch (change.type()) {
                case OPENED -> latest = i;
                case REOPENED -> {
                    latest = i;
                    if (ts != null) {
                        threadReplies.addAll(List.of(String.join("\n", text.opened(i, true))));
                    }
                }
                case UPDATED -> latest = i;
                case RESOLVED -> {
                    latest = i;
                    threadReplies.add(text.resolved(i, clock.instant()));
                }
                case MUTED -> threadReplies.add("🔕 " + change.note() + ": nothing more is posted or edited for "
                        + i.subject() + " until then.");
                case UNMUTED -> {
                    latest = i;
                    threadReplies.add("🔔 " + change.note() + ": showing the latest state.");
                }
            }
            schedule();
        }

        private void schedule() {
            if (scheduled) {
                return;
            }
            scheduled = true;
            long now = System.nanoTime();
            long delay = Math.max(0, Math.max(lastSentNanos + minIntervalNanos, notBeforeNanos) - now);
            scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
        }

        /** Slack must see one message's edits in order. */
        private final Object sending = new Object();

        private void flush() {
            synchronized (sending) {
                send();
            }
        }

        private void send() {
            Incident state;
            List<String> replies;
            String currentTs;
            String rollUp = null;
            synchronized (this) {
                scheduled = false;
                lastSentNanos = System.nanoTime();
                state = latest;
                latest = null;
                replies = new ArrayList<>(threadReplies);
                threadReplies.clear();
                currentTs = ts;
                if (state != null && shownAt != null && state.count() > shownCount) {
                    rollUp = text.rollUp(state.count() - shownCount, shownAt);
                }
            }
            Instant now = clock.instant();
            if (state != null) {
                BlockKit.Message message = blocks.message(state, now, rollUp);
                SlackApi.Result r = currentTs == null ? api.tryPost(channel, null, message)
                        : api.tryUpdate(channel, currentTs, message);
                if (r.rateLimited()) {
                    retryLater(state, replies, r.retryAfter());
                    return;
                }
                if (r.ok()) {
                    synchronized (this) {
                        shownCount = state.count();
                        shownAt = now;
                        if (currentTs == null) {
                            ts = r.ts();
                            currentTs = ts;
                        }
                    }
                    if (state.id() > 0 && !currentTs.equals(state.messageTs()) && r.ts() != null) {
                        try {
                            refs.attach(id, channel, currentTs);
                        } catch (RuntimeException e) {
                            log.warn("event=alert_message_not_recorded incident={} error=\"{}\"", id, e.getMessage());
                        }
                    }
                } else {
                    log.warn("event=alert_not_shown incident={} channel={} error={}", id, channel, r.error());
                }
            }
            String threadTs;
            boolean sayOpened;
            synchronized (this) {
                threadTs = ts;
                sayOpened = threadTs != null && !openedSaid && state != null;
                if (sayOpened) {
                    openedSaid = true;
                }
            }
            if (threadTs == null) {
                return;
            }
            if (sayOpened) {
                replies.add(0, String.join("\n", text.opened(state, false)));
            }
            for (String reply : replies) {
                api.post(channel, threadTs, new BlockKit().text(BlockKit.escape(reply)));
            }
        }

        private void retryLater(Incident state, List<String> replies, Duration wait) {
            synchronized (this) {
                if (latest == null) {
                    latest = state;
                }
                threadReplies.addAll(0, replies);
                notBeforeNanos = System.nanoTime() + wait.toNanos();
                log.warn("event=slack_ratelimited_alert incident={} retry_after_s={}", id, wait.toSeconds());
                schedule();
            }
        }
    }
}
