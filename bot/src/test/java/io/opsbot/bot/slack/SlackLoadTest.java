package io.opsbot.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.opsbot.bot.Request;
import io.opsbot.bot.Response;
import io.opsbot.config.OpsbotConfig;
import io.opsbot.config.OpsbotConfig.AccessConfig;
import io.opsbot.engine.Outcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The Slack bot under load: 50 people at once, each sending signed {@code /ops} commands one after the other — queries
 * and operations mixed — through Bolt's real HTTP handling, the engine and the emulated cluster, for a while. Checks
 * that can fail: every request acknowledged (HTTP 200, not "busy"), no error (no handler failure, no failed
 * operation, no ERROR log line, no Slack API error), every command's answer delivered to Slack, and afterwards the
 * threads back to what they were and the heap after GC not grown past a generous bound. Figures printed: acks
 * (p50, p99, max, how many over Slack's 3 s), commands, heap after GC and threads before and after.
 *
 * <p>Bounded: 30 s of load. {@code OPSBOT_LONG=true}: 5 minutes; {@code OPSBOT_LOAD_SECONDS} sets it.
 */
class SlackLoadTest {

    static final int USERS = 50;
    static final boolean LONG = "true".equals(System.getenv("OPSBOT_LONG"));
    static final Duration LOAD = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("OPSBOT_LOAD_SECONDS",
            LONG ? "300" : "30")));
    /** Threads allowed above the baseline once the load is over (pools that keep a thread or two a while longer). */
    static final int THREAD_SLACK = 12;
    /** Heap after GC allowed above the baseline: the journal's and the dedup's growth, far below a leak's. */
    static final long HEAP_SLACK = 96L << 20;

    /** Queries, then operations (each toggles between two states, so every run of it changes something or nothing). */
    static final List<String> QUERIES = List.of("status", "status nodeapp", "history nodeapp", "who deployed nodeapp",
            "what changed", "why nodeapp", "drift", "help", "help scale", "mutes", "status node2", "history");
    static final List<String> OPERATIONS = List.of("scale nodeapp 3", "scale nodeapp 2", "scale nginx 2", "scale nginx 1",
            "restart nginx");

    @TempDir
    Path home;

    FakeSlack slack;
    SlackRig rig;
    /** Per channel (one per user), released when the handler has answered that user's command. */
    final Map<String, Semaphore> answered = new ConcurrentHashMap<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final AtomicInteger handled = new AtomicInteger();
    final AtomicInteger operations = new AtomicInteger();
    final ErrorLines errorLines = new ErrorLines();

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(errorLines);
        if (rig != null) {
            rig.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void fiftyPeopleAtOnceAreEachAckedAndAnsweredWithoutErrorAndLeaveNoThreadsOrMemoryBehind() throws Exception {
        slack = new FakeSlack();
        AccessConfig everyoneOperates = new AccessConfig(Map.of("operator", List.of("*")), null, "5m");
        rig = SlackRig.with(slack).config(OpsbotConfig.empty()).access(everyoneOperates)
                .around(handler -> (request, progress) -> {
                    try {
                        Response r = handler.handle(request, progress);
                        judge(request, r);
                        return r;
                    } catch (RuntimeException e) {
                        errors.add(request.text() + ": threw " + e);
                        throw e;
                    } finally {
                        handled.incrementAndGet();
                        answered.computeIfAbsent(request.channel(), c -> new Semaphore(0)).release();
                    }
                })
                .start(home);

        // warm-up: every command twice at once, so pools (8 workers for operations, 8 for queries), caches and
        // connections exist before the baseline
        List<Long> warmAcks = new ArrayList<>();
        List<String> warmUp = concat(concat(QUERIES, OPERATIONS), concat(QUERIES, OPERATIONS));
        for (int i = 0; i < warmUp.size(); i++) {
            warmAcks.add(send("C0WARM", warmUp.get(i), "warm-" + i));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> allDelivered(warmUp.size()));
        // the fake Slack's own records of the calls would count in the heap: forgotten before each measure
        slack.forgetCalls();
        Baseline before = Baseline.take();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(errorLines);
        errorLines.start();
        errors.clear();

        // the load: USERS people, each in a channel of their own, one command after the other until the time is up
        List<Long> acks = new CopyOnWriteArrayList<>();
        List<Long> queryAnswers = new CopyOnWriteArrayList<>();
        List<Long> operationAnswers = new CopyOnWriteArrayList<>();
        Map<String, Integer> threadsBefore = threadsByName();
        AtomicLong sent = new AtomicLong();
        AtomicInteger notAcked = new AtomicInteger();
        long until = System.nanoTime() + LOAD.toNanos();
        ExecutorService people = Executors.newFixedThreadPool(USERS);
        List<Future<?>> running = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            String channel = "C0LOAD" + u;
            SplittableRandom random = new SplittableRandom(u);
            running.add(people.submit(() -> {
                int n = 0;
                while (System.nanoTime() < until) {
                    // about one operation in five; the rest are queries
                    String command = random.nextInt(5) == 0 ? OPERATIONS.get(random.nextInt(OPERATIONS.size()))
                            : QUERIES.get(random.nextInt(QUERIES.size()));
                    long ack = send(channel, command, channel + "-" + n++);
                    sent.incrementAndGet();
                    if (ack < 0) {
                        notAcked.incrementAndGet();
                        continue;
                    }
                    acks.add(ack);
                    long asked = System.nanoTime();
                    if (!answered.computeIfAbsent(channel, c -> new Semaphore(0)).tryAcquire(180, TimeUnit.SECONDS)) {
                        errors.add(channel + ": '" + command + "' not answered within 180 s");
                        return null;
                    }
                    (OPERATIONS.contains(command) ? operationAnswers : queryAnswers).add((System.nanoTime() - asked) / 1_000_000);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(LOAD.toSeconds() + 300, TimeUnit.SECONDS);
        }
        people.shutdown();
        assertThat(people.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        long loadSeconds = LOAD.toSeconds();

        // every answer reaches Slack: one top-level message per command (overflow goes in threads)
        int commands = (int) sent.get() - notAcked.get();
        await().atMost(Duration.ofSeconds(120)).until(() -> topLevelPosts() >= commands);
        slack.forgetCalls();
        Baseline after = Baseline.settle(before);

        long[] sorted = acks.stream().mapToLong(Long::longValue).sorted().toArray();
        long over3s = Arrays.stream(sorted).filter(a -> a > 3000).count();
        System.out.printf(Locale.ROOT, "measured: Slack load: %d people at once for %d s: %d commands (%d operations), "
                        + "%.1f commands/s; ack p50 %d ms, p99 %d ms, max %d ms, %d over 3 s; not acked %d; errors %d; "
                        + "heap after GC %d MiB before, %d MiB after; threads %d before, %d after (peak %d)%n",
                USERS, loadSeconds, commands, operations.get(), commands / (double) loadSeconds, percentile(sorted, 50),
                percentile(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1], over3s, notAcked.get(),
                errors.size() + errorLines.lines.size(), before.heapMiB(), after.heapMiB(), before.threads(), after.threads(),
                ManagementFactory.getThreadMXBean().getPeakThreadCount());

        long[] q = queryAnswers.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] o = operationAnswers.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "measured: Slack load: time from ack to answer: queries p50 %d ms, p99 %d ms; "
                        + "operations p50 %d ms, p99 %d ms (8 workers; operations on one app wait for each other)%n",
                percentile(q, 50), percentile(q, 99), percentile(o, 50), percentile(o, 99));
        System.out.println("measured: Slack load: threads by name, before -> after: " + threadDiff(threadsBefore, threadsByName()));

        assertThat(notAcked).as("requests not acknowledged with 200 (or answered busy)").hasValue(0);
        assertThat(errors).as("errors").isEmpty();
        assertThat(errorLines.lines).as("ERROR log lines and Slack API errors during the load").isEmpty();
        assertThat(commands).as("commands run").isGreaterThan(USERS);
        assertThat(after.threads()).as("threads after the load (baseline %d)", before.threads())
                .isLessThanOrEqualTo(before.threads() + THREAD_SLACK);
        assertThat(after.heapBytes()).as("heap after GC (baseline %d MiB)", before.heapMiB())
                .isLessThanOrEqualTo(before.heapBytes() + HEAP_SLACK);
        assertThat(warmAcks).noneMatch(a -> a < 0);
    }

    /** Sends one signed /ops; the ack's milliseconds, or -1 when it was not a plain 200 ack. */
    private long send(String channel, String command, String trigger) {
        try {
            SignedRequests.Answer a = rig.requests.slashCommand(command, "U" + channel, channel, trigger);
            if (a.status() != 200 || !a.body().isEmpty()) {
                errors.add(channel + ": '" + command + "' acked " + a.status() + " " + a.body());
                return -1;
            }
            return a.took().toMillis();
        } catch (java.io.IOException e) {
            errors.add(channel + ": '" + command + "' not acked: " + e);
            return -1;
        }
    }

    /** An answer that is an error: a refusal, or an operation that did not succeed. */
    private void judge(Request request, Response r) {
        if (r instanceof Response.Rejected rejected) {
            errors.add(request.text() + ": rejected: " + rejected.message());
        } else if (r instanceof Response.Finished f) {
            operations.incrementAndGet();
            if (f.outcome().state() != Outcome.State.SUCCEEDED) {
                errors.add(request.text() + ": " + f.outcome().state() + " " + f.outcome().message());
            }
        } else if (r instanceof Response.NeedsConfirmation) {
            errors.add(request.text() + ": asked for confirmation");
        }
    }

    private boolean allDelivered(int commands) {
        return handled.get() >= commands && topLevelPosts() >= commands;
    }

    private int topLevelPosts() {
        return (int) slack.calls("chat.postMessage").stream().filter(c -> c.param("thread_ts").isEmpty()).count();
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** Live threads by name with digits folded ("opsbot-slack-worker-#"), counted. */
    private static Map<String, Integer> threadsByName() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            out.merge(t.getName().replaceAll("\\d+", "#"), 1, Integer::sum);
        }
        return out;
    }

    private static String threadDiff(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, String> diff = new java.util.TreeMap<>();
        java.util.Set<String> names = new java.util.TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            int b = before.getOrDefault(name, 0);
            int a = after.getOrDefault(name, 0);
            if (a != b) {
                diff.put(name, b + "->" + a);
            }
        }
        return diff.isEmpty() ? "no change" : diff.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Live threads and heap used after a full GC. */
    record Baseline(int threads, long heapBytes) {
        long heapMiB() {
            return heapBytes >> 20;
        }

        static Baseline take() {
            return new Baseline(ManagementFactory.getThreadMXBean().getThreadCount(), heapAfterGc());
        }

        /** Once the threads are back within bounds (pools let idle threads go after a while), or the bound runs out. */
        static Baseline settle(Baseline before) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> threads.getThreadCount() <= before.threads() + THREAD_SLACK);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the assertion that follows says by how much, with the figures printed first
            }
            return take();
        }

        static long heapAfterGc() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long least = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                System.gc();
                least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
            }
            return least;
        }
    }

    /** ERROR lines, and Slack API errors (logged as warnings), from any logger. */
    static final class ErrorLines extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            String message = e.getFormattedMessage();
            if (e.getLevel().isGreaterOrEqual(Level.ERROR) || message.startsWith("event=slack_api_error")
                    || message.startsWith("event=slack_busy") || message.startsWith("event=slack_worker_failed")) {
                lines.add(e.getLoggerName() + " " + e.getLevel() + " " + message);
            }
        }
    }
}
