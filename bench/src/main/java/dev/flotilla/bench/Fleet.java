package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** A fleet of tenant databases, fresh for one contender. */
interface Fleet extends AutoCloseable {
    /** "sqlite" or "postgres". */
    String kind();

    Dialect dialect();

    /** Tenant names, in order. */
    List<String> tenants();

    /** The tenant's URL as Atlas writes it. */
    String atlasUrl(String tenant);

    /** The {@code url = …} expression of an {@code atlas.hcl} env whose {@code for_each} is the tenant names. */
    String hclUrl();

    /** A new JDBC connection that works in the tenant (PostgreSQL: search_path set). */
    Connection connect(String tenant) throws SQLException;

    /** The JDBC URL Flyway is given for the tenant. */
    String jdbcUrl(String tenant);

    /** The schema Flyway works in, when the tenant is a schema. */
    Optional<String> schema(String tenant);

    /**
     * Empties every tenant again (PostgreSQL: each schema dropped and created; SQLite: each table
     * dropped, the file kept), so that the warm-up fleet can take the whole directory once more.
     * Not timed.
     */
    void reset(int parallel) throws InterruptedException;

    /** Removes the fleet unless it is to be kept. */
    @Override
    void close();

    static List<String> names(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = String.format("%s_%06d", prefix, i + 1);
        }
        return List.of(out);
    }
}
