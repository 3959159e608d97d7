package io.opsbot.bot.report;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections to the journal's database: a new JDBC connection per use, closed by Quartz after it. Quartz
 * holds one for a few milliseconds every few seconds (cluster check-in, trigger acquisition), so no pool is needed.
 */
final class JdbcConnections implements ConnectionProvider {

    private final String url;
    private final String user;
    private final String password;

    JdbcConnections(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void initialize() {
        // nothing to prepare: connections are opened on demand
    }

    @Override
    public void shutdown() {
        // nothing held between uses
    }
}
