package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * Schema-per-tenant PostgreSQL: a fresh database holding one empty schema per tenant (created
 * before the clock starts, as a SaaS's tenants exist before their migrations).
 */
final class PostgresFleet implements Fleet {
    private final PgServer pg;
    private final String database;
    private final List<String> tenants;
    private final boolean keep;

    PostgresFleet(PgServer pg, String database, List<String> tenants, boolean keep) {
        this.pg = pg;
        this.database = database;
        this.tenants = tenants;
        this.keep = keep;
        pg.drop(database);
        pg.create(database);
        createSchemas();
    }

    private void createSchemas() {
        try (Connection c = DriverManager.getConnection(pg.jdbc(database)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String t : tenants) {
                s.addBatch("CREATE SCHEMA \"" + t + "\"");
            }
            s.executeBatch();
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the tenant schemas in " + database + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public List<String> tenants() {
        return tenants;
    }

    @Override
    public String atlasUrl(String tenant) {
        return pg.atlas(database) + "&search_path=" + tenant;
    }

    @Override
    public String hclUrl() {
        return "urlqueryset(\"" + pg.atlas(database) + "\", \"search_path\", each.value)";
    }

    @Override
    public Connection connect(String tenant) throws SQLException {
        Connection c = DriverManager.getConnection(pg.jdbc(database));
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO \"" + tenant + "\"");
        }
        return c;
    }

    @Override
    public String jdbcUrl(String tenant) {
        return pg.jdbc(database);
    }

    @Override
    public Optional<String> schema(String tenant) {
        return Optional.of(tenant);
    }

    @Override
    public void close() {
        if (!keep) {
            pg.drop(database);
        }
    }
}
