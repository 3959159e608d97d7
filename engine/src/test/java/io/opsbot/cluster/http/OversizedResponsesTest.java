package io.opsbot.cluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opsbot.cluster.marathon.Embed;
import io.opsbot.cluster.marathon.MarathonClient;
import io.opsbot.cluster.marathon.MarathonEvents;
import io.opsbot.cluster.marathon.Task;
import io.opsbot.engine.OpsException;
import io.opsbot.engine.TransientException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Answers too big or too slow to hold, served from a loopback server that generates them as it writes: a 200 MB
 * /v2/apps, an event stream whose line never ends, 100,000 tasks, an answer dripped a byte at a time. Each ends in a
 * clear error naming the service (or, for what fits, an answer) with the client's memory bounded — the server sees
 * the client stop reading — and a healthy service keeps answering meanwhile.
 */
class OversizedResponsesTest {

    private static final long MIB = 1024 * 1024;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    @Test
    void a200MegabyteAppListIsRefusedPastTheLimitNamingMarathonAndIsNotRetried() throws Exception {
        long size = 200 * MIB;
        try (StreamingServer server = new StreamingServer("HTTP/1.1 200 OK\nContent-Type: application/json\n"
                + "Content-Length: " + size + "\n", out -> appList(out, size))) {
            MarathonClient marathon = new MarathonClient(server.url(), Auth.none(), HttpClients.createShared());

            assertThatThrownBy(marathon::apps).isInstanceOf(OpsException.class).isNotInstanceOf(TransientException.class)
                    .hasMessage("Marathon at " + server.url() + " answered GET /v2/apps with more than 32 MiB, more than"
                            + " opsbot reads from one answer (is the URL right, or is the list too long to read whole?)");

            await().atMost(Duration.ofSeconds(60)).until(() -> server.finished() == 1);
            assertThat(server.requests()).as("requests: the same answer is not asked for again").isEqualTo(1);
            // what the server wrote also counts what the kernel's socket buffers took and what it wrote while the
            // client hung up (40 MiB and more on loopback, depending on the machine's speed): short of the whole
            // answer proves the client stopped reading; the client side of the limit is the message above
            assertThat(server.bytesWritten()).as("bytes the server could write before the client hung up")
                    .isGreaterThan(ApiCaller.MAX_BODY_BYTES).isLessThan(size);
            System.out.printf(Locale.ROOT, "oversized: 200 MiB /v2/apps refused after the server wrote %.1f MiB%n",
                    server.bytesWritten() / (double) MIB);
        }
    }

    @Test
    void anEventStreamLineThatNeverEndsIsDroppedPastTheEventLimitAndTheStreamIsReadAgain() throws Exception {
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (StreamingServer server = new StreamingServer("HTTP/1.1 200 OK\nContent-Type: text/event-stream\n", out -> {
            out.write("event: status_update_event\ndata: ".getBytes(StandardCharsets.US_ASCII));
            while (true) {
                out.write(chunk);
            }
        })) {
            List<String> drops = new CopyOnWriteArrayList<>();
            MarathonEvents events = new MarathonEvents(server.url(), Auth.none(), HttpClients.createShared(),
                    ClientMetrics.NOOP, Duration.ofMillis(50), Duration.ofMillis(200));
            try (MarathonEvents.Subscription ignored = events.subscribe(List.of(), new MarathonEvents.Listener() {
                @Override
                public void onEvent(io.opsbot.cluster.marathon.MarathonEvent event) {
                    drops.add("unexpected event " + event);
                }

                @Override
                public void onDisconnected(String reason) {
                    drops.add(reason);
                }
            })) {
                await().atMost(Duration.ofSeconds(120)).until(() -> server.requests() >= 2 && !drops.isEmpty());
            } finally {
                events.close();
            }
            assertThat(drops.get(0)).isEqualTo("IOException: Marathon's event stream sent more than 16 MiB without"
                    + " ending an event; the stream is dropped and read again");
            await().atMost(Duration.ofSeconds(30)).until(() -> server.finished() >= 1);
            // per connection: the limit, plus what the socket buffers took and what was written while the client
            // hung up (tens of MiB on a busy machine); the server would write for ever if the client never did
            assertThat(server.bytesWritten() / server.requests()).isLessThan(16 * MIB + 64 * MIB);
        }
    }

    @Test
    void a100000TaskAppIsReadWithinTheLimitAndTheHeapItTookIsPrinted() throws Exception {
        int tasks = 100_000;
        try (StreamingServer server = new StreamingServer("HTTP/1.1 200 OK\nContent-Type: application/json\n"
                + "Connection: close\n", out -> tasksOf(out, tasks))) {
            MarathonClient marathon = new MarathonClient(server.url(), Auth.none(), HttpClients.createShared());
            System.gc();
            long before = MEMORY.getHeapMemoryUsage().getUsed();
            List<Task> read = marathon.apps(Embed.TASKS).get(0).tasks();
            long after = MEMORY.getHeapMemoryUsage().getUsed();
            assertThat(read).hasSize(tasks);
            assertThat(read.get(tasks - 1).id()).isEqualTo("big.task-" + (tasks - 1));
            System.out.printf(Locale.ROOT, "oversized: 100,000 tasks (%.1f MiB of JSON) read; heap grew by about %d MiB"
                    + " while the answer was held%n", server.bytesWritten() / (double) MIB, (after - before) / MIB);
            assertThat(server.bytesWritten()).isLessThan(ApiCaller.MAX_BODY_BYTES);
        }
    }

    @Test
    void anAnswerDrippedAByteAtATimeEndsAtTheCallTimeoutWhileAHealthyServiceKeepsAnswering() throws Exception {
        assertThat(HttpClients.createShared().callTimeoutMillis()).isEqualTo(HttpClients.CALL_TIMEOUT.toMillis());
        OkHttpClient shortCalls = HttpClients.createShared().newBuilder().callTimeout(Duration.ofSeconds(3)).build();
        try (StreamingServer drip = new StreamingServer("HTTP/1.1 200 OK\nContent-Type: application/json\n"
                + "Content-Length: 1000000\n", out -> {
            out.write('{');
            for (int i = 0; i < 1_000_000; i++) {
                out.write(' ');
                out.flush();
                Thread.sleep(100); // under the read timeout: only the call timeout ends it
            }
        });
             StreamingServer healthy = new StreamingServer("HTTP/1.1 200 OK\nContent-Type: application/json\n"
                     + "Content-Length: 28\n", out -> out.write("{\"apps\":[{\"id\":\"/nodeapp\"}]}".getBytes(StandardCharsets.US_ASCII)))) {
            MarathonClient slow = new MarathonClient(drip.url(), Auth.none(), shortCalls);
            MarathonClient fine = new MarathonClient(healthy.url(), Auth.none(), shortCalls);
            CompletableFuture<Throwable> dripped = CompletableFuture.supplyAsync(() -> {
                try {
                    slow.apps();
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> drip.requests() >= 1);
            assertThat(fine.apps()).singleElement().extracting(a -> a.id()).isEqualTo("/nodeapp");

            Throwable error = dripped.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(error).isInstanceOf(TransientException.class)
                    .hasMessageStartingWith("Marathon at " + drip.url() + " is unreachable: no whole answer within");
        }
    }

    /** {"apps":[{…},{…},…]} of exactly {@code size} bytes. */
    private static void appList(OutputStream out, long size) throws IOException {
        byte[] head = "{\"apps\":[".getBytes(StandardCharsets.US_ASCII);
        out.write(head);
        long written = head.length;
        StringBuilder batch = new StringBuilder();
        int n = 0;
        while (written < size - 4096) {
            batch.setLength(0);
            for (int i = 0; i < 200; i++, n++) {
                batch.append(n == 0 ? "" : ",").append("{\"id\":\"/app-").append(n)
                        .append("\",\"instances\":2,\"cpus\":0.25,\"mem\":128,\"container\":{\"docker\":{\"image\":\"registry:5000/app:1.0\"}}}");
            }
            byte[] bytes = batch.toString().getBytes(StandardCharsets.US_ASCII);
            out.write(bytes);
            written += bytes.length;
        }
        byte[] tail = ("]" + " ".repeat((int) (size - written - 2)) + "}").getBytes(StandardCharsets.US_ASCII);
        out.write(tail);
    }

    /** One app with {@code count} tasks, embedded as Marathon does. */
    private static void tasksOf(OutputStream out, int count) throws IOException {
        out.write("{\"apps\":[{\"id\":\"/big\",\"instances\":100000,\"tasks\":[".getBytes(StandardCharsets.US_ASCII));
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < count; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"id\":\"big.task-").append(i).append("\",\"appId\":\"/big\",\"host\":\"node")
                    .append(i % 3 + 1).append("\",\"ports\":[").append(31000 + i % 1000)
                    .append("],\"startedAt\":\"2026-11-26T12:00:00.000Z\",\"stagedAt\":\"2026-11-26T11:59:58.000Z\","
                            + "\"version\":\"2026-11-26T11:59:00.000Z\",\"state\":\"TASK_RUNNING\","
                            + "\"healthCheckResults\":[{\"alive\":true}]}");
            if (batch.length() > 60_000) {
                out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
                batch.setLength(0);
            }
        }
        batch.append("]}]}");
        out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
