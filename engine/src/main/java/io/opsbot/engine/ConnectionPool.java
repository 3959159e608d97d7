package io.opsbot.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A few JDBC connections, reused: enough for a bot whose journal writes are small and short. A connection that
 * failed is dropped instead of reused.
 */
final class ConnectionPool implements AutoCloseable {

    /** Operations run in parallel, but each journal call is a few milliseconds. */
    static final int MAX_CONNECTIONS = 4;
    /** A caller waits this long for a free connection before the journal reports itself unavailable. */
    private static final long BORROW_TIMEOUT_SECONDS = 30;
    /** How long an idle connection may take to answer that it still works. */
    private static final int VALIDATION_TIMEOUT_SECONDS = 5;

    @FunctionalInterface
    interface Work<T> {
        T with(Connection connection) throws SQLException;
    }

    private final String url;
    private final String user;
    private final String password;
    private final JournalTimeouts timeouts;
    private final BlockingDeque<Connection> idle = new LinkedBlockingDeque<>();
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS, true);
    private volatile boolean closed;

    ConnectionPool(String url, String user, String password, JournalTimeouts timeouts) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.timeouts = timeouts;
    }

    <T> T call(Work<T> work) {
        if (closed) {
            throw new OpsException("the journal is closed");
        }
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new OpsException("the journal is unavailable: no free database connection after "
                        + BORROW_TIMEOUT_SECONDS + "s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted while waiting for the journal");
        }
        Connection connection = null;
        boolean healthy = false;
        try {
            connection = idle.pollFirst();
            // A database restarted since this connection was last used closed it on its side: drop it, so the first
            // call after a restart does not fail for nothing.
            while (connection != null && !isValid(connection)) {
                closeQuietly(connection);
                connection = idle.pollFirst();
            }
            if (connection == null) {
                connection = open(url, user, password);
            }
            T result = work.with(connection);
            healthy = true;
            return result;
        } catch (SQLException e) {
            if (timedOut(e)) {
                // a database that took the connection and went silent: the driver gave up after the configured bound
                throw new OpsException("the journal failed: its database did not answer in time (" + timeouts.describe()
                        + "): " + e.getMessage(), e);
            }
            throw new OpsException("the journal failed: " + e.getMessage(), e);
        } finally {
            if (connection != null) {
                if (healthy && !closed) {
                    idle.offerFirst(connection);
                    if (closed) {
                        close(); // closed while we worked: do not leave this one open
                    }
                } else {
                    closeQuietly(connection);
                }
            }
            permits.release();
        }
    }

    /**
     * A new connection. An H2 URL is opened by H2's driver itself: DriverManager would first load and start every
     * driver on the class path (PostgreSQL's, and java.util.logging with it), some tens of milliseconds of an exec.
     */
    static Connection open(String url, String user, String password) throws SQLException {
        if (url.startsWith("jdbc:h2:")) {
            java.util.Properties info = new java.util.Properties();
            if (user != null) {
                info.setProperty("user", user);
            }
            if (password != null) {
                info.setProperty("password", password);
            }
            Connection connection = org.h2.Driver.load().connect(url, info);
            if (connection != null) {
                return connection;
            }
        }
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void close() {
        closed = true;
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            closeQuietly(connection);
        }
    }

    /** A driver's read or connect that ran out of time, however it wraps it. */
    static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "57014".equals(sql.getSQLState())) {
                return true; // PostgreSQL's statement_timeout (JournalTimeouts): cancelled by the server
            }
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.sql.SQLTimeoutException
                    || (t.getMessage() != null && t.getMessage().contains("timed out"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isValid(Connection connection) {
        try {
            return connection.isValid(VALIDATION_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to do
        }
    }
}
