package dev.flotilla.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL server the benchmark uses for target fleets and for Flotilla's own store: scratch
 * databases are created per run and dropped after.
 *
 * @param host host name
 * @param port port
 * @param user user (trust auth, no password)
 */
record PgServer(String host, int port, String user) {
    static PgServer parse(String url) {
        java.net.URI u = java.net.URI.create(url);
        return new PgServer(u.getHost(), u.getPort() > 0 ? u.getPort() : 5432,
                u.getUserInfo() == null ? "postgres" : u.getUserInfo());
    }

    String jdbc(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user;
    }

    String atlas(String database) {
        return "postgres://" + user + "@" + host + ":" + port + "/" + database + "?sslmode=disable";
    }

    void create(String database) {
        admin("CREATE DATABASE " + database);
    }

    /** A database whose files live in {@code tablespace}. */
    void create(String database, String tablespace) {
        admin("CREATE DATABASE " + database + " TABLESPACE " + tablespace);
    }

    void createTablespace(String name, java.nio.file.Path location) {
        admin("CREATE TABLESPACE " + name + " LOCATION '" + location + "'");
    }

    void dropTablespace(String name) {
        admin("DROP TABLESPACE IF EXISTS " + name);
    }

    /** Whether the server runs on this machine (a directory here is a directory there). */
    boolean local() {
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "::1".equals(host);
    }

    void drop(String database) {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    /**
     * Writes every dirty buffer now, so that no checkpoint (its writes, and the full-page images
     * that follow it in the WAL) falls inside a measured stretch; a failure is only reported.
     */
    void checkpoint() {
        try {
            admin("CHECKPOINT");
        } catch (IllegalStateException e) {
            Progress.say("could not checkpoint: %s", e.getMessage());
        }
    }

    private void admin(String sql) {
        try (Connection c = DriverManager.getConnection(jdbc("postgres")); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + host + ":" + port + ": " + sql + ": " + e.getMessage()
                    + "; the benchmark needs a server where user " + user + " may create databases", e);
        }
    }
}
