package io.opsbot.cluster.marathon;

import io.opsbot.cluster.http.ApiCaller;
import io.opsbot.cluster.http.Auth;
import io.opsbot.cluster.http.ClientMetrics;
import io.opsbot.cluster.http.HttpClients;
import io.opsbot.cluster.http.Redact;
import io.opsbot.cluster.http.RetryPolicy;
import java.io.Closeable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to Marathon's event stream (GET /v2/events, Server-Sent Events) and keeps the subscription alive:
 * when the stream drops it reconnects with exponential backoff and jitter and then calls
 * {@link Listener#onReconnected()}, because events sent while it was down are lost and the listener must
 * re-read the state it cares about.
 */
public final class MarathonEvents implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(MarathonEvents.class);

    /** Reconnect delays: first retry quickly, then back off to at most 30 s so a dead Marathon is not hammered. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** What a subscriber hears. Called on OkHttp's threads; keep it short (hand over to a queue). */
    public interface Listener {
        void onEvent(MarathonEvent event);

        /**
         * The stream is open for the first time: from now on every event reaches the listener. {@link #subscribe}
         * returns before the stream is open, so an event sent in between is not heard: a listener that read the state
         * right after subscribing reads it again here.
         */
        default void onOpened() {
        }

        /** The stream is back after a drop: events may have been missed, re-read state. */
        default void onReconnected() {
        }

        /** The stream dropped; a reconnect is scheduled. */
        default void onDisconnected(String reason) {
        }
    }

    /** A live subscription; {@link #close()} stops it and any pending reconnect. */
    public interface Subscription extends Closeable {
        boolean isConnected();

        @Override
        void close();
    }

    private final ApiCaller api;
    private final EventSource.Factory factory;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final ScheduledExecutorService scheduler;

    public MarathonEvents(String baseUrl, Auth auth, OkHttpClient shared) {
        this(baseUrl, auth, shared, ClientMetrics.NOOP, MIN_BACKOFF, MAX_BACKOFF);
    }

    public MarathonEvents(String baseUrl, Auth auth, OkHttpClient shared, ClientMetrics metrics, Duration minBackoff,
                          Duration maxBackoff) {
        // A stream stays open for hours: no read timeout, and no retry interceptor (we reconnect ourselves).
        // Each event is bounded instead (EventSizeLimit): a line that never ends would otherwise fill the heap.
        OkHttpClient streaming = HttpClients.forService(shared.newBuilder().readTimeout(Duration.ZERO)
                .callTimeout(Duration.ZERO).addInterceptor(new EventSizeLimit()).build(),
                "marathon-events", auth, metrics, RetryPolicy.NONE);
        this.api = new ApiCaller("Marathon", baseUrl, streaming);
        this.factory = EventSources.createFactory(streaming);
        this.minBackoff = Objects.requireNonNull(minBackoff, "minBackoff");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "marathon-events-reconnect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Subscribes to the given event types (all when empty), sent as {@code ?event_type=A&event_type=B}.
     */
    public Subscription subscribe(Collection<String> eventTypes, Listener listener) {
        HttpUrl.Builder url = api.url().addPathSegments("v2/events");
        for (String type : eventTypes == null ? List.<String>of() : eventTypes) {
            url.addQueryParameter("event_type", type);
        }
        Request request = new Request.Builder().url(url.build()).header("Accept", "text/event-stream").build();
        StreamSubscription subscription = new StreamSubscription(request, Objects.requireNonNull(listener));
        subscription.connect();
        return subscription;
    }

    /** Stops reconnecting for every subscription of this instance. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private final class StreamSubscription implements Subscription {
        private final Request request;
        private final Listener listener;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean connected = new AtomicBoolean();
        private final AtomicBoolean everConnected = new AtomicBoolean();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicReference<EventSource> current = new AtomicReference<>();

        StreamSubscription(Request request, Listener listener) {
            this.request = request;
            this.listener = listener;
        }

        void connect() {
            if (closed.get()) {
                return;
            }
            current.set(factory.newEventSource(request, new EventSourceListener() {
                @Override
                public void onOpen(EventSource source, Response response) {
                    connected.set(true);
                    failures.set(0);
                    boolean again = everConnected.getAndSet(true);
                    LOG.info("svc=marathon-events url={} stream=open reconnect={}", Redact.url(request.url()), again);
                    if (again) {
                        listener.onReconnected();
                    } else {
                        listener.onOpened();
                    }
                }

                @Override
                public void onEvent(EventSource source, String id, String type, String data) {
                    listener.onEvent(MarathonEvent.parse(type, data));
                }

                @Override
                public void onClosed(EventSource source) {
                    dropped("stream closed by Marathon");
                }

                @Override
                public void onFailure(EventSource source, Throwable t, Response response) {
                    String reason = response != null && !response.isSuccessful() ? "HTTP " + response.code()
                            : t == null ? "unknown" : t.getClass().getSimpleName() + ": " + t.getMessage();
                    dropped(reason);
                }
            }));
        }

        private void dropped(String reason) {
            connected.set(false);
            if (closed.get()) {
                return;
            }
            int attempt = failures.incrementAndGet();
            long bound = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(attempt - 1, 16));
            long delay = bound / 2 + (long) (ThreadLocalRandom.current().nextDouble() * (bound / 2.0));
            LOG.warn("svc=marathon-events url={} stream=dropped reason=\"{}\" reconnect_in_ms={}",
                    Redact.url(request.url()), reason, delay);
            listener.onDisconnected(reason);
            try {
                scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("svc=marathon-events reconnect not scheduled: shutting down");
            }
        }

        @Override
        public boolean isConnected() {
            return connected.get();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                EventSource source = current.getAndSet(null);
                if (source != null) {
                    source.cancel();
                }
                connected.set(false);
            }
        }
    }
}
