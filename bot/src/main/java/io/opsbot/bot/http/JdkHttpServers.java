package io.opsbot.bot.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The JDK {@code HttpServer}s the bot serves with (Slack's HTTP mode, metrics and probes), made the same way. */
public final class JdkHttpServers {

    /** The JDK server's switch for TCP_NODELAY on the connections it accepts. */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private JdkHttpServers() {
    }

    /**
     * A server bound to {@code address}, with TCP_NODELAY on. The JDK's server sends a response's headers and its body
     * as two writes; with Nagle's algorithm on (its default) the body waits for the client's delayed ACK of the
     * headers, 40 ms on Linux, on every kept-alive connection: each Slack ack that carries a text ("opsbot is busy…")
     * took 40 ms more than its work (JFR, ./bench item 1). The JDK reads the switch once, when the JVM's first server is
     * made, so it is set here, before that; an explicit -D setting is left alone.
     */
    public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
        return HttpServer.create(address, backlog);
    }
}
