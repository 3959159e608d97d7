package io.opsbot.bench;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Item 1's clients in a process of their own, as Slack's are not in the bot's JVM, and lean: each client keeps one
 * HTTP/1.1 connection (TCP_NODELAY) and its requests are signed before the clock starts, so that sending one costs a
 * write and a read — a load generator should take far less CPU than the server it measures, and on this 2-CPU machine
 * whatever it takes is taken from the bot. Reads "CLIENTS PER-CLIENT" lines on stdin, sends that many signed slash
 * commands (each client one after the other) to the bot's port, and prints one line per ack — "ack NANOS BUSY" (BUSY 1
 * when the bot answered it is busy) — then "end JIT-MS", JIT-MS being the compile time of this JVM so far (so the
 * harness can warm up until both JVMs are done compiling). A failed request prints "error …" and the process exits 1.
 *
 * <p>{@code java -cp … io.opsbot.bench.AckClients PORT RESPONSE-URL}
 */
public final class AckClients {

    private AckClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        SlashCommands commands = new SlashCommands(port, args[1]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 2) {
                continue;
            }
            List<String> lines;
            try {
                lines = run(commands, port, Integer.parseInt(words[0]), Integer.parseInt(words[1]));
            } catch (Exception e) {
                out.println("error " + e.toString().replace('\n', ' '));
                out.flush();
                System.exit(1);
                return;
            }
            lines.forEach(out::println);
            out.println(end(java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime()));
            out.flush();
        }
    }

    private static List<String> run(SlashCommands commands, int port, int clients, int perClient) throws Exception {
        // every request signed before the first is sent (Slack's window is 5 minutes)
        List<List<byte[]>> requests = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<byte[]> mine = new ArrayList<>();
            for (int n = 0; n < perClient; n++) {
                mine.add(request(commands.signed(SlashAckBench.COMMAND, "UVIEW", SlackRig.CHANNEL), port));
            }
            requests.add(mine);
        }
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<byte[]> mine : requests) {
                done.add(pool.submit(() -> {
                    try (Socket socket = new Socket()) {
                        socket.setTcpNoDelay(true);
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        socket.setSoTimeout(60_000);
                        OutputStream to = socket.getOutputStream();
                        InputStream from = new BufferedInputStream(socket.getInputStream());
                        for (byte[] request : mine) {
                            long sent = System.nanoTime();
                            to.write(request);
                            to.flush();
                            Answer answer = read(from);
                            long nanos = System.nanoTime() - sent;
                            if (answer.status() != 200) {
                                throw new IllegalStateException("the bot answered HTTP " + answer.status() + ": " + answer.body());
                            }
                            lines.add("ack " + nanos + " " + (answer.body().contains("busy") ? 1 : 0));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return lines;
    }

    /** The line that ends a level's answers: "end" and this JVM's compile time so far, in milliseconds. */
    static String end(long jitMillis) {
        return "end " + jitMillis;
    }

    /** The compile time an {@link #end} line carries. */
    static long jitOfEnd(String line) {
        String[] words = line.trim().split(" ");
        if (words.length != 2 || !words[0].equals("end")) {
            throw new IllegalStateException("not the end of a level: " + line);
        }
        return Long.parseLong(words[1]);
    }

    static byte[] request(SlashCommands.Signed signed, int port) {
        byte[] body = signed.body().getBytes(StandardCharsets.UTF_8);
        String head = "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "X-Slack-Request-Timestamp: " + signed.timestamp() + "\r\n"
                + "X-Slack-Signature: " + signed.signature() + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    record Answer(int status, String body) {
    }

    /** One HTTP/1.1 response with a Content-Length (as the JDK server answers an ack), read to its end. */
    static Answer read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP/1.1 answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        String header;
        while ((header = line(in)) != null && !header.isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:")) {
                throw new IOException("a chunked answer, which these clients do not read: " + header);
            }
        }
        if (header == null) {
            throw new IOException("the connection closed inside an answer's headers");
        }
        if (length < 0) {
            throw new IOException("an answer without a Content-Length");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new IOException("the connection closed inside an answer's body");
        }
        return new Answer(code, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] raw = bytes.toByteArray();
                int n = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
                return new String(raw, 0, n, StandardCharsets.US_ASCII);
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
    }
}
