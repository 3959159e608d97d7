package io.opsbot.cluster.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP/1.1 server for answers too big or too slow to hold: each request gets the status line and headers,
 * then whatever {@link Body} writes, generated as it goes (never built in memory). It counts requests and the body
 * bytes it managed to write before the client hung up, which is how a test sees that a client stopped reading.
 */
final class StreamingServer implements AutoCloseable {

    /** Writes a body; a write fails (IOException) once the client has closed the connection. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "streaming-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong written = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();

    StreamingServer(String headers, Body body) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    threads.execute(() -> serve(client, headers, body));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    int requests() {
        return requests.get();
    }

    /** Body bytes written to all clients so far. */
    long bytesWritten() {
        return written.get();
    }

    /** Connections whose body ended (written whole or cut off by the client). */
    int finished() {
        return finished.get();
    }

    private void serve(Socket client, String headers, Body body) {
        try (client) {
            InputStream in = client.getInputStream();
            // the request head: up to the blank line (requests here have no body)
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                state = (b == '\r' || b == '\n') ? state + 1 : 0;
            }
            requests.incrementAndGet();
            OutputStream raw = client.getOutputStream();
            raw.write(headers.replace("\n", "\r\n").concat("\r\n").getBytes(StandardCharsets.ISO_8859_1));
            OutputStream counting = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                    written.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    written.addAndGet(len);
                }
            };
            body.write(counting);
            raw.flush();
        } catch (IOException e) {
            // the client hung up: what a bounded client does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
