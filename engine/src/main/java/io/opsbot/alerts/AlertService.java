package io.opsbot.alerts;

import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.mesos.MesosClient;
import io.opsbot.engine.OpsException;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts, wired: the leader among the replicas watches the cluster ({@link Watcher}), keeps the incidents in the
 * journal ({@link Incidents}) and shows them to the sink; every replica answers {@code incidents}, {@code mute},
 * {@code unmute} and {@code mutes} from the journal. All alert work runs on one thread, so incidents never race.
 */
public final class AlertService implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    /** How often the leader re-reads the mutes: a mute set on another replica takes effect within this. */
    static final Duration MUTE_REFRESH = Duration.ofSeconds(1);

    /** What the watcher reads: Marathon, its event stream, and the Mesos master (may be null). */
    public record Sources(MarathonClient marathon, MarathonEvents events, MesosClient mesos) {
        public Sources {
            Objects.requireNonNull(marathon, "marathon");
            Objects.requireNonNull(events, "events");
        }
    }

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final IncidentStore store;
    private final AlertSettings settings;
    private final Leadership leadership;
    private final Sources sources;
    private final Predicate<String> opsbotBusy;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private Incidents incidents;
    private volatile Watcher watcher;
    private ScheduledFuture<?> muteRefresh;
    /** The subject of opsbot's blind spot "Slack rate-limits us". */
    public static final String SLACK = "slack";
    /** The subject of the blind-spot incident "Marathon's event stream is down". */
    public static final String EVENT_STREAM = Watcher.EVENT_STREAM;
    /** Since when Slack rate-limits this replica's calls (null: it does not), and until when its last 429 said to wait. */
    private final AtomicReference<Instant> slackLimitedSince = new AtomicReference<>();
    private final AtomicReference<Instant> slackLimitedUntil = new AtomicReference<>(Instant.MIN);

    /** @param opsbotBusy whether opsbot itself runs an operation on the app (its kills are not failures) */
    public AlertService(IncidentStore store, AlertSettings settings, Leadership leadership, Sources sources,
                        Predicate<String> opsbotBusy, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.opsbotBusy = Objects.requireNonNull(opsbotBusy, "opsbotBusy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opsbot-alerts");
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins the election; while this replica leads, it watches and shows incidents to {@code sink}. */
    public void start(AlertSink sink) {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("alerts already started or closed");
        }
        Incidents mine = new Incidents(store, settings, Objects.requireNonNull(sink, "sink"), clock);
        leadership.start(new Leadership.Listener() {
            @Override
            public void isLeader() {
                submit(() -> lead(mine));
            }

            @Override
            public void notLeader() {
                submit(AlertService.this::follow);
            }
        });
    }

    private void lead(Incidents mine) {
        if (state.get() != State.STARTED || watcher != null) {
            return;
        }
        incidents = mine;
        incidents.load();
        watcher = new Watcher(sources.marathon(), sources.events(), sources.mesos(), settings, incidents, opsbotBusy,
                clock, thread);
        watcher.start();
        muteRefresh = thread.scheduleWithFixedDelay(() -> {
            try {
                if (incidents != null) {
                    incidents.refreshMutes();
                }
            } catch (RuntimeException e) {
                log.warn("event=alert_mutes_failed error=\"{}\"", e.getMessage());
            }
        }, MUTE_REFRESH.toMillis(), MUTE_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        log.info("event=alerts_leading id={}", leadership.id());
    }

    private void follow() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        if (muteRefresh != null) {
            muteRefresh.cancel(false);
            muteRefresh = null;
        }
        incidents = null;
        log.info("event=alerts_following id={} leader={}", leadership.id(), leadership.leaderId());
    }

    private void submit(Runnable work) {
        try {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.warn("event=alert_work_failed error=\"{}\"", e.getMessage(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("event=alert_work_dropped reason=closed");
        }
    }

    public AlertSettings settings() {
        return settings;
    }

    /** This replica leads and its watcher hears Marathon's event stream. */
    public boolean watching() {
        Watcher w = watcher;
        return leadership.isLeader() && w != null && w.connected();
    }

    public boolean leading() {
        return leadership.isLeader();
    }

    /** For status: which replica watches and posts alerts. */
    public String leaderLine() {
        String leader = leadership.leaderId();
        if (state.get() != State.STARTED) {
            return "alerts: not started (" + leadership.id() + ")";
        }
        if (leader == null) {
            return "alerts: no replica leads yet (this is " + leadership.id() + ")";
        }
        return leader.equals(leadership.id()) ? "alerts: this replica leads (" + leader + ")"
                : "alerts: replica " + leader + " leads; this is " + leadership.id();
    }

    /** Open incidents and those seen since {@code since}, newest first; of one app or node when not null. */
    public List<Incident> incidents(Instant since, String subject) {
        return store.since(since, subject, 50);
    }

    /** Mutes an app or node from now for {@code duration}; the leader applies it within a second. */
    public Mute mute(String target, Duration duration, String by) {
        if (duration.isNegative() || duration.isZero()) {
            throw new OpsException("a mute needs a duration longer than zero, e.g. 'mute " + target + " for 2h'");
        }
        Instant now = clock.instant();
        Mute mute = new Mute(target, now.plus(duration), by, now);
        store.mute(mute);
        log.info("event=alert_muted target={} until={} by={}", target, mute.until(), by);
        submit(() -> {
            if (incidents != null) {
                incidents.refreshMutes();
            }
        });
        return mute;
    }

    /** Lifts a mute at once; false when there was none. */
    public boolean unmute(String target, String by) {
        boolean lifted = store.unmute(target);
        log.info("event=alert_unmuted target={} by={} lifted={}", target, by, lifted);
        submit(() -> {
            if (incidents != null) {
                incidents.refreshMutes();
            }
        });
        return lifted;
    }

    /**
     * Slack answered 429 to one of this replica's calls (an alert, an edit, a command's answer): opsbot's own blind
     * spot, an incident of kind {@link IncidentKind#BLIND_SPOT} about {@value #SLACK}. It is shown like any incident
     * (the console, {@code incidents}, {@code status}); its Slack message waits, as every alert does, for Slack's
     * Retry-After — each 429 adds one to its count, so a rate-limited post of it cannot multiply itself.
     */
    public void slackRateLimited(String method, String channel, Duration retryAfter) {
        Instant now = clock.instant();
        slackLimitedSince.compareAndSet(null, now);
        Instant until = now.plus(retryAfter);
        slackLimitedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
        String reason = "Slack rate-limits opsbot: " + method + " in " + channel + " answered 429, retry after "
                + retryAfter.toSeconds() + "s; alerts are held and the latest state is sent once Slack allows";
        submit(() -> {
            if (incidents != null) {
                incidents.signal(new Signal(IncidentKind.BLIND_SPOT, SLACK, reason, null, now, 1, false));
            }
        });
    }

    /** A call to Slack went through: once past the last Retry-After, the rate-limit incident resolves. */
    public void slackDelivered() {
        Instant since = slackLimitedSince.get();
        if (since == null || clock.instant().isBefore(slackLimitedUntil.get())
                || !slackLimitedSince.compareAndSet(since, null)) {
            return;
        }
        submit(() -> {
            if (incidents != null) {
                incidents.resolve(new IncidentKey(IncidentKind.BLIND_SPOT, SLACK), "Slack accepts opsbot's calls again");
            }
        });
    }

    /** For status: Slack rate-limits this replica, since when; empty when it does not. */
    public java.util.Optional<String> slackLine() {
        Instant since = slackLimitedSince.get();
        return since == null ? java.util.Optional.empty() : java.util.Optional.of("Slack: rate-limited since " + since
                + " — alerts are held and sent once Slack allows");
    }

    /** A chat adapter posted the incident's message: the journal keeps where, for restarts and other replicas. */
    public void attachMessage(long incidentId, String channel, String ts) {
        store.attachMessage(incidentId, channel, ts);
    }

    public List<Mute> mutes() {
        return store.mutes(clock.instant());
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        leadership.close();
        try {
            thread.submit(() -> {
                if (watcher != null) {
                    watcher.close();
                    watcher = null;
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("event=alerts_close_wait error=\"{}\"", e.toString());
        }
        thread.shutdownNow();
    }
}
