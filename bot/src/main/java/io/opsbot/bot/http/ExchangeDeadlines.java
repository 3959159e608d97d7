package io.opsbot.bot.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a JDK {@code HttpServer}, each exchange bounded in time. The JDK's server reads a request's headers
 * and body on the executor's thread, from a blocking socket channel, with no timeout of its own: a client that dribbles
 * its headers, sends its body a byte at a time, or declares a body and withholds it (slowloris) holds a thread for as
 * long as it likes, and a handful of them hold every thread. Here every exchange — reading the request, handling it,
 * writing the answer — gets {@code deadline}; a watchdog interrupts the thread of one that overruns, which ends the
 * exchange (the server abandons it), so the thread is free again within the deadline. With {@code threads} workers, {@code threads - 1} slow clients at once still leave a
 * thread for everyone else; more queue, and are answered once a deadline frees a thread.
 *
 * <p>A cut exchange's connection is closed at once: a thread blocked reading or writing the socket is interrupted out
 * of it, which closes the channel; one held elsewhere (a handler waiting on something) has its exchange closed, which
 * for contexts {@link #watch watched} here closes the connection, so the client is not left waiting on a connection the
 * server gave up.
 *
 * <p>Connections that send nothing hold no thread (the server's selector watches them) and are closed by the JDK
 * server's own idle timer; how many may be open at once is {@link JdkHttpServers}'s cap.
 */
public final class ExchangeDeadlines implements Executor, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExchangeDeadlines.class);
    /** How often the watchdog looks: a deadline is kept to within this. */
    private static final long WATCH_MILLIS = 200;

    private final String name;
    private final Duration deadline;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final Map<Thread, Running> running = new ConcurrentHashMap<>();
    private final AtomicLong overrun = new AtomicLong();
    /** Closes cut exchanges off the watchdog's thread: closing one whose answer was under way may write. */
    private final ThreadPoolExecutor closer;

    /** One exchange on its thread; {@code done} guarded by itself, so an interrupt never reaches the thread's next one. */
    private static final class Running {
        final long dueNanos;
        boolean done;
        /** Set once the request's headers are read and a watched context took it; null before. */
        volatile HttpExchange exchange;

        Running(long dueNanos) {
            this.dueNanos = dueNanos;
        }
    }

    public ExchangeDeadlines(String name, int threads, Duration deadline) {
        this.name = Objects.requireNonNull(name, "name");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (threads < 2 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("at least 2 threads and a positive deadline");
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name + "-deadlines");
            t.setDaemon(true);
            return t;
        });
        this.closer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-closer");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::interruptOverdue, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable exchange) {
        workers.execute(() -> {
            Thread self = Thread.currentThread();
            Running mine = new Running(System.nanoTime() + deadline.toNanos());
            running.put(self, mine);
            try {
                exchange.run();
            } finally {
                synchronized (mine) {
                    mine.done = true;
                }
                running.remove(self, mine);
                Thread.interrupted(); // an interrupt that came as it ended is not the next exchange's
            }
        });
    }

    /**
     * Lets the watchdog close the connection of a cut exchange of {@code context} at once, also when its thread is not
     * blocked on the socket (a handler waiting on something else ignores the interrupt).
     */
    public HttpContext watch(HttpContext context) {
        context.getFilters().add(new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                Running mine = running.get(Thread.currentThread());
                if (mine != null) {
                    mine.exchange = exchange;
                }
                chain.doFilter(exchange);
            }

            @Override
            public String description() {
                return "closes the connection of an exchange cut at its deadline";
            }
        });
        return context;
    }

    /**
     * Watches how many connections the server bound to {@code address} has open (Linux: {@code /proc/net/tcp} and
     * {@code tcp6}, once a second) and logs once when it reaches {@code cap} — from then on the JDK server closes new
     * connections unanswered — and once when it is below it again: one pair of lines per burst, not one per connection.
     */
    public void watchConnections(java.net.InetSocketAddress address, int cap) {
        if (cap <= 0) {
            return;
        }
        int port = address.getPort();
        boolean[] atCap = {false};
        long[] since = {0};
        watchdog.scheduleWithFixedDelay(() -> {
            int open = OpenConnections.established(port);
            if (open < 0) {
                return; // not Linux: nothing to count with
            }
            if (!atCap[0] && open >= cap) {
                atCap[0] = true;
                since[0] = System.nanoTime();
                log.warn("event=http_connections_at_cap server={} port={} cap={} open={} detail=\"new connections are "
                        + "closed unanswered until some close; silent or slow ones are cut after their deadline\"",
                        name, port, cap, open);
            } else if (atCap[0] && open < cap) {
                atCap[0] = false;
                log.info("event=http_connections_below_cap server={} port={} cap={} open={} at_cap_ms={}", name, port,
                        cap, open, (System.nanoTime() - since[0]) / 1_000_000);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Exchanges cut at their deadline since the start. */
    public long overrun() {
        return overrun.get();
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        running.forEach((thread, exchange) -> {
            if (now - exchange.dueNanos > 0) {
                synchronized (exchange) {
                    if (!exchange.done) {
                        exchange.done = true; // once
                        overrun.incrementAndGet();
                        log.warn("event=http_exchange_cut server={} deadline_ms={} thread={} reason=\"a request not read, "
                                + "handled and answered within the deadline (a slow or stalled client)\"", name,
                                deadline.toMillis(), thread.getName());
                        thread.interrupt();
                        HttpExchange cut = exchange.exchange;
                        if (cut != null) {
                            // before its answer began, closing the exchange closes the connection; after, it ends the
                            // answer short, which the JDK server also ends with closing the connection
                            closer.execute(() -> {
                                try {
                                    cut.close();
                                } catch (RuntimeException e) {
                                    log.debug("event=http_exchange_close_failed server={} error=\"{}\"", name, e.toString());
                                }
                            });
                        }
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        closer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
