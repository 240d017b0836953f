package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** One SQLite file per tenant in a fresh directory; the files are created by whoever connects first. */
final class SqliteFleet implements Fleet {
    private final Session session;
    private final Path dir;
    private final List<String> tenants;

    SqliteFleet(Session session, Path dir, List<String> tenants) {
        this.session = session;
        this.dir = dir.toAbsolutePath();
        this.tenants = tenants;
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the fleet directory " + dir, e);
        }
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    @Override
    public List<String> tenants() {
        return tenants;
    }

    private Path file(String tenant) {
        return dir.resolve(tenant + ".db");
    }

    @Override
    public String atlasUrl(String tenant) {
        return "sqlite://" + file(tenant);
    }

    @Override
    public String hclUrl() {
        return "\"sqlite://" + dir + "/${each.value}.db\"";
    }

    @Override
    public Connection connect(String tenant) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(tenant));
    }

    @Override
    public String jdbcUrl(String tenant) {
        return "jdbc:sqlite:" + file(tenant);
    }

    @Override
    public Optional<String> schema(String tenant) {
        return Optional.empty();
    }

    /**
     * Drops every table of every tenant and keeps the files: deleting thousands of files just
     * before a measured stretch slows the file system's next allocations.
     */
    @Override
    public void reset(int parallel) throws InterruptedException {
        Outcome o = TenantLoop.run(tenants, parallel, "reset", tenant -> {
            try (Connection c = connect(tenant); java.sql.Statement s = c.createStatement()) {
                List<String> tables = new java.util.ArrayList<>();
                try (java.sql.ResultSet rs = s.executeQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String t : tables) {
                    s.execute("DROP TABLE \"" + t + "\"");
                }
            }
        });
        if (o.failed() > 0) {
            throw new IllegalStateException("cannot reset " + o.failed() + " tenants under " + dir + ": "
                    + o.firstError());
        }
    }

    @Override
    public void close() {
        session.discard(dir);
    }
}
