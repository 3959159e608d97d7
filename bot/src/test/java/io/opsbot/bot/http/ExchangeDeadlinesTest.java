package io.opsbot.bot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A JDK HTTP server on {@link ExchangeDeadlines}: a client that dribbles its headers, one that withholds the body it
 * declared, and one that sends a whole request but never reads the (large) answer are each cut at the deadline — the
 * thread each held is interrupted out of its read or write — and afterwards an ordinary request is answered, though
 * the server has only two threads and three slow clients were on it. Without the deadline the ordinary request would
 * wait as long as the slow clients chose.
 */
class ExchangeDeadlinesTest {

    @Test
    void slowClientsAreCutAtTheDeadlineAndTheirThreadsServeOthers() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExchangeDeadlines threads = new ExchangeDeadlines("deadline-test", 2, Duration.ofSeconds(1));
        byte[] big = new byte[16 << 20]; // more than the socket buffers take from a client that does not read
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] answer = exchange.getRequestURI().getPath().equals("/big") ? big : "ok".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        List<Socket> slow = new ArrayList<>();
        try {
            slow.add(send(port, "POST / HTTP/1.1\r\nHost: x\r\nX-Dribbled: a")); // headers never ended
            slow.add(send(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")); // body withheld
            slow.add(send(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")); // the answer never read

            // each is cut at its deadline (the third once a cut freed a thread for it), which frees its thread
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.overrun() >= 3);

            HttpResponse<String> ordinary = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(60))
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ordinary.statusCode()).isEqualTo(200);
            assertThat(ordinary.body()).isEqualTo("ok");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
            server.stop(0);
            threads.close();
        }
    }

    /**
     * A handler that ignores the interrupt (it waits on something else) keeps its thread past the deadline, but the
     * client is not left waiting with it: the cut exchange's connection is closed at once, while the handler is still
     * held. Without that the client waited as long as the handler did (here: until the test let it go).
     */
    @Test
    void aCutExchangesConnectionIsClosedAtOnceEvenWhileItsHandlerIsStillHeld() throws Exception {
        HttpServer server = JdkHttpServers.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExchangeDeadlines threads = new ExchangeDeadlines("deadline-close-test", 2, Duration.ofSeconds(1));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        server.setExecutor(threads);
        threads.watch(server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                held.set(true);
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // a handler deaf to the interrupt: it keeps waiting
                    }
                }
                exchange.sendResponseHeaders(200, -1);
            }
        }));
        server.start();
        Socket held1 = send(server.getAddress().getPort(), "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
        Socket dribbler = send(server.getAddress().getPort(), "POST / HTTP/1.1\r\nHost: x\r\nX-Dribbled: a");
        try {
            held1.setSoTimeout(60_000);
            dribbler.setSoTimeout(60_000);
            await().atMost(Duration.ofSeconds(60)).until(held::get);
            // the client sees its connection end (EOF, or a reset) long before the handler is let go
            assertThat(endOf(held1)).isIn("eof", "reset");
            assertThat(endOf(dribbler)).isIn("eof", "reset");
            assertThat(threads.overrun()).isGreaterThanOrEqualTo(2);
        } finally {
            release.countDown();
            held1.close();
            dribbler.close();
            server.stop(0);
            threads.close();
        }
    }

    @Test
    void connectionSettingsAreTheDefaultsUnlessSetAlready() {
        java.util.Properties none = new java.util.Properties();
        assertThat(JdkHttpServers.settings(none, null)).containsEntry(JdkHttpServers.MAX_CONNECTIONS, "256")
                .containsEntry(JdkHttpServers.MAX_REQUEST_TIME, "10").containsEntry("sun.net.httpserver.nodelay", "true");
        assertThat(JdkHttpServers.settings(none, "40")).containsEntry(JdkHttpServers.MAX_CONNECTIONS, "40");
        assertThat(JdkHttpServers.settings(none, "lots")).containsEntry(JdkHttpServers.MAX_CONNECTIONS, "256");
        java.util.Properties set = new java.util.Properties();
        set.setProperty(JdkHttpServers.MAX_CONNECTIONS, "1000");
        set.setProperty(JdkHttpServers.MAX_REQUEST_TIME, "5");
        assertThat(JdkHttpServers.settings(set, "40")).doesNotContainKeys(JdkHttpServers.MAX_CONNECTIONS,
                JdkHttpServers.MAX_REQUEST_TIME);
    }

    /** How the server ended the connection, read until then (a client bound of 60 s: "timeout" means it did not). */
    private static String endOf(Socket socket) {
        try {
            java.io.InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                if (in.read(buffer) < 0) {
                    return "eof";
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (java.io.IOException e) {
            return "reset";
        }
    }

    private static Socket send(int port, String text) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setReceiveBufferSize(4096);
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
