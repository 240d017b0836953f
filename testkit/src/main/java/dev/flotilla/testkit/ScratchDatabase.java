package dev.flotilla.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A database made for one test on a real server, dropped on {@link #close()}.
 * {@link #url()} is the Atlas-style URL a user would type; {@link #connect()} opens a JDBC
 * connection to it for assertions.
 */
public final class ScratchDatabase implements AutoCloseable {
    private final Server server;
    private final String name;

    ScratchDatabase(Server server, String name) {
        this.server = server;
        this.name = name;
    }

    /** The database (PostgreSQL) or schema (MySQL/MariaDB) name. */
    public String name() {
        return name;
    }

    /** Atlas-style URL, e.g. {@code postgres://postgres@127.0.0.1:5432/flt_x?sslmode=disable}. */
    public String url() {
        return server.atlasUrl(name, null);
    }

    /** Atlas-style URL bound to one schema (PostgreSQL {@code search_path}). */
    public String url(String schema) {
        return server.atlasUrl(name, schema);
    }

    /** JDBC URL of this database, with the user in it. */
    public String jdbcUrl() {
        return server.jdbcUrl(name) + "?user=" + server.user();
    }

    /** A new JDBC connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", server.user());
        return DriverManager.getConnection(server.jdbcUrl(name), p);
    }

    /** Runs statements on this database, for test set-up. */
    public void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    @Override
    public void close() {
        server.drop(name);
    }

    /** A real database server the tests use. */
    interface Server {
        String user();

        String jdbcUrl(String database);

        String atlasUrl(String database, String schema);

        void drop(String database);
    }
}
