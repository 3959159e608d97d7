package io.opsbot.bot.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The JDK {@code HttpServer}s the bot serves with (Slack's HTTP mode, metrics and probes), made the same way.
 *
 * <p>Bounds on connections, which the JDK server reads once, from system properties, when the JVM's first server is
 * made (so they hold for every JDK server in the process, each counting its own connections); set here before that
 * unless set already (with {@code -D…} in {@code JAVA_OPTS}):
 * <ul>
 *   <li>{@value #MAX_CONNECTIONS}: how many connections one server keeps open at once,
 *       {@value #DEFAULT_MAX_CONNECTIONS} unless {@code OPSBOT_HTTP_MAX_CONNECTIONS} says otherwise. Over it, the JDK
 *       server closes a new connection as soon as it accepts it, on its dispatcher thread, unanswered: no thread is
 *       held and no memory kept for it. {@link ExchangeDeadlines#watchConnections} logs when a server reaches the cap
 *       and when it is below it again (once per burst).</li>
 *   <li>{@value #MAX_REQUEST_TIME}: {@value #DEFAULT_MAX_REQUEST_SECONDS} s to send a request (headers and body), and
 *       so also the longest a connection that sends nothing keeps its place (the JDK's default is 30 s, which lets
 *       silent connections hold the cap that long).</li>
 * </ul>
 */
public final class JdkHttpServers {

    /** The JDK server's switch for TCP_NODELAY on the connections it accepts. */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";
    /** The JDK server's cap on open connections (per server; 0 or unset: none). */
    public static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";
    /** The JDK server's bound, in seconds, on reading a request and on a new connection's silence. */
    public static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_REQUEST_SECONDS = 10;
    /** The environment variable that sets the cap (a positive number). */
    public static final String MAX_CONNECTIONS_ENV = "OPSBOT_HTTP_MAX_CONNECTIONS";

    private JdkHttpServers() {
    }

    /**
     * A server bound to {@code address}, with TCP_NODELAY on. The JDK's server sends a response's headers and its body
     * as two writes; with Nagle's algorithm on (its default) the body waits for the client's delayed ACK of the
     * headers, 40 ms on Linux, on every kept-alive connection: each Slack ack that carries a text ("opsbot is busy…")
     * took 40 ms more than its work (JFR, ./bench item 1). The JDK reads the switch once, when the JVM's first server is
     * made, so it is set here, before that, with the connection bounds above; an explicit -D setting is left alone.
     */
    public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        synchronized (JdkHttpServers.class) {
            settings(System.getProperties(), System.getenv(MAX_CONNECTIONS_ENV)).forEach(System::setProperty);
        }
        return HttpServer.create(address, backlog);
    }

    /** The properties to set: those not set already, with the cap from {@code capFromEnv} when it is a positive number. */
    static Map<String, String> settings(Properties current, String capFromEnv) {
        Map<String, String> out = new LinkedHashMap<>();
        if (current.getProperty(NO_DELAY) == null) {
            out.put(NO_DELAY, "true");
        }
        if (current.getProperty(MAX_CONNECTIONS) == null) {
            out.put(MAX_CONNECTIONS, Integer.toString(positive(capFromEnv, DEFAULT_MAX_CONNECTIONS)));
        }
        if (current.getProperty(MAX_REQUEST_TIME) == null) {
            out.put(MAX_REQUEST_TIME, Integer.toString(DEFAULT_MAX_REQUEST_SECONDS));
        }
        return out;
    }

    /** The cap in force: the property's value once a server was made (0: none). */
    public static int maxConnections() {
        return positive(System.getProperty(MAX_CONNECTIONS), 0);
    }

    private static int positive(String value, int otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
