package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One SQLite file per tenant in a fresh directory; the files are created by whoever connects first. */
final class SqliteFleet implements Fleet {
    private final Path dir;
    private final List<String> tenants;
    private final boolean keep;

    SqliteFleet(Path dir, List<String> tenants, boolean keep) {
        this.dir = dir.toAbsolutePath();
        this.tenants = tenants;
        this.keep = keep;
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

    @Override
    public void close() {
        if (keep) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
