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

    void drop(String database) {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
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
