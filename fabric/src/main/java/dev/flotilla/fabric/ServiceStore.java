package dev.flotilla.fabric;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL store of a service: a Hikari pool and idempotent schema set-up. Each service
 * writes only its own tables (prefixed by the service name).
 */
public final class ServiceStore implements AutoCloseable {
    private final HikariDataSource ds;

    private ServiceStore(HikariDataSource ds) {
        this.ds = ds;
    }

    /** A pool of {@code size} connections to {@code jdbcUrl} (user and password may be null). */
    public static ServiceStore connect(String jdbcUrl, String user, String password, int size, String poolName) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(size);
        c.setPoolName(poolName);
        c.setConnectionTimeout(10_000);
        // Whatever the server's default: the services' lock-then-read steps (the aggregator's page
        // marks) rely on each statement seeing what committed before it.
        c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        return new ServiceStore(new HikariDataSource(c));
    }

    public Connection connection() throws SQLException {
        return ds.getConnection();
    }

    /** Runs DDL statements (CREATE … IF NOT EXISTS) in one transaction. */
    public void migrate(String... ddl) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(7271)");
                for (String sql : ddl) {
                    s.execute(sql);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the service tables: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        ds.close();
    }
}
