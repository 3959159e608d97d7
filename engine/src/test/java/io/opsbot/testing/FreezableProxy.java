package io.opsbot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback (port 0) in front of a real server, which a test can freeze: from then on it keeps every
 * connection open, takes what either side sends and passes nothing on — a server that stopped answering in the middle
 * of an exchange, as a hung database or a black-holed route looks to its client. New connections are accepted and left
 * unanswered too. {@link #thaw()} closes what was frozen (its clients have given up on it) and forwards again.
 * {@link #blackHole()} is one frozen from the start, with nothing behind it: it accepts and never answers.
 */
public final class FreezableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object lock = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;
    /** Bumped by each thaw: a connection from an earlier generation is not forwarded again. */
    private volatile int generation;

    private FreezableProxy(InetSocketAddress target, boolean frozen) throws IOException {
        this.target = target;
        this.frozen = frozen;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "freezable-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to {@code host:port}, forwarding until frozen. */
    public static FreezableProxy to(String host, int port) throws IOException {
        return new FreezableProxy(new InetSocketAddress(host, port), false);
    }

    /** A server that accepts every connection and never answers on any. */
    public static FreezableProxy blackHole() throws IOException {
        return new FreezableProxy(null, true);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (frozen or not). */
    public int accepted() {
        return accepted.get();
    }

    /** From now on nothing passes, either way, on any connection; new ones are accepted and left unanswered. */
    public void freeze() {
        frozen = true;
    }

    /** Drops every connection made so far and forwards new ones again. */
    public void thaw() {
        if (target == null) {
            throw new IllegalStateException("a black hole has nothing to forward to");
        }
        synchronized (lock) {
            generation++;
            closeAll();
            frozen = false;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (lock) {
            closeAll();
            lock.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                int born = generation;
                Thread connector = new Thread(() -> connect(client, born), "freezable-proxy-conn-" + port());
                connector.setDaemon(true);
                connector.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client, int born) {
        try {
            if (!awaitForwarding(born)) {
                return;
            }
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.connect(target, 10_000);
            pump(client.getInputStream(), upstream.getOutputStream(), born, client, upstream);
            pump(upstream.getInputStream(), client.getOutputStream(), born, client, upstream);
        } catch (IOException e) {
            quietly(client);
        }
    }

    private void pump(InputStream in, OutputStream out, int born, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!awaitForwarding(born)) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // either side closed
            }
            quietly(a);
            quietly(b);
        }, "freezable-proxy-pump-" + port());
        t.setDaemon(true);
        t.start();
    }

    /** Waits while frozen; false when this connection is of an earlier generation or the proxy closed. */
    private boolean awaitForwarding(int born) {
        synchronized (lock) {
            while (frozen && !closed && generation == born) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed && generation == born;
        }
    }

    private void closeAll() {
        for (Socket s : sockets) {
            quietly(s);
        }
        sockets.clear();
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
