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

    private static Socket send(int port, String text) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setReceiveBufferSize(4096);
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
