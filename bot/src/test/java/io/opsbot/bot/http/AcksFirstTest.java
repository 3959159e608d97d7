package io.opsbot.bot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link AcksFirst}: work started while an answer is pending waits until it is answered (or at most its bound), and
 * {@link ExchangeDeadlines} counts an exchange as pending from the moment the server hands it over until it ends.
 */
class AcksFirstTest {

    @Test
    void workWaitsWhileAnAckIsPendingAndStartsWhenItEnds() throws Exception {
        AcksFirst acks = new AcksFirst(Duration.ofMinutes(5));
        AtomicBoolean answered = new AtomicBoolean();
        AtomicInteger ranAfterAnswer = new AtomicInteger(-1);
        acks.taken();
        Thread worker = new Thread(acks.after(() -> ranAfterAnswer.set(answered.get() ? 1 : 0)));
        worker.start();
        // the worker saw the pending ack and waits for it (5 minutes at most: longer than this test)
        await().atMost(Duration.ofSeconds(60)).until(() -> acks.delayed() == 1);
        assertThat(ranAfterAnswer.get()).as("the work did not start while the ack was pending").isEqualTo(-1);
        answered.set(true);
        acks.ended();
        await().atMost(Duration.ofSeconds(60)).until(() -> ranAfterAnswer.get() != -1);
        assertThat(ranAfterAnswer.get()).as("the work started after the answer").isEqualTo(1);
        assertThat(acks.pending()).isZero();
        worker.join(60_000);
    }

    @Test
    void workIsDelayedAtMostTheBoundWhenAnAckStaysPending() {
        AcksFirst acks = new AcksFirst(Duration.ofMillis(20));
        AtomicBoolean ran = new AtomicBoolean();
        acks.taken(); // never ended: a slow client's exchange
        Thread worker = new Thread(acks.after(() -> ran.set(true)));
        worker.start();
        await().atMost(Duration.ofSeconds(60)).untilTrue(ran);
        assertThat(acks.delayed()).isEqualTo(1);
        assertThat(acks.pending()).isEqualTo(1);
    }

    @Test
    void withNothingPendingOrNoGateWorkRunsAtOnce() {
        AcksFirst acks = new AcksFirst(Duration.ofMinutes(5));
        AtomicInteger runs = new AtomicInteger();
        acks.after(runs::incrementAndGet).run();
        AcksFirst.NONE.taken();
        AcksFirst.NONE.after(runs::incrementAndGet).run();
        assertThat(runs.get()).isEqualTo(2);
        assertThat(acks.delayed()).isZero();
        assertThat(AcksFirst.NONE.pending()).isZero();
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() throws Exception {
        AcksFirst acks = new AcksFirst(Duration.ofMinutes(5));
        acks.taken();
        AtomicBoolean interruptedAtWork = new AtomicBoolean();
        Thread worker = new Thread(acks.after(() -> interruptedAtWork.set(Thread.currentThread().isInterrupted())));
        worker.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acks.delayed() == 1);
        worker.interrupt();
        worker.join(60_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(interruptedAtWork).isTrue();
    }

    /** From the hand-over (a slow client's request not yet read) to the end of its exchange, the answer is pending. */
    @Test
    void theServersExchangesArePendingFromTheHandOverToTheirEnd() throws Exception {
        AcksFirst acks = new AcksFirst(Duration.ofMinutes(5));
        HttpServer server = JdkHttpServers.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExchangeDeadlines threads = new ExchangeDeadlines("acks-first-test", 2, Duration.ofSeconds(60), acks);
        CountDownLatch release = new CountDownLatch(1);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                release.await();
                exchange.sendResponseHeaders(204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), port);
             Socket held = new Socket(InetAddress.getLoopbackAddress(), port)) {
            write(slow, "POST / HTTP/1.1\r\nHost: x\r\nX-Dribbled: a"); // headers not ended: the exchange reads them
            await().atMost(Duration.ofSeconds(60)).until(() -> acks.pending() == 1);
            write(held, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); // read, then held by the handler
            await().atMost(Duration.ofSeconds(60)).until(() -> acks.pending() == 2);
            release.countDown();
            held.setSoTimeout(60_000);
            String status = new String(held.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 204");
            await().atMost(Duration.ofSeconds(60)).until(() -> acks.pending() == 1);
            slow.close(); // the server reads the end of the stream: that exchange ends too
            await().atMost(Duration.ofSeconds(60)).until(() -> acks.pending() == 0);
        } finally {
            server.stop(0);
            threads.close();
        }
    }

    private static void write(Socket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
