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
    private final Session session;
    private final PgServer pg;
    private final String database;
    private final List<String> tenants;

    /** @param tablespace where the database's files go ("" for the default) */
    PostgresFleet(Session session, String database, List<String> tenants, String tablespace) {
        this.session = session;
        this.pg = session.pg();
        this.database = database;
        this.tenants = tenants;
        pg.drop(database);
        if (tablespace.isEmpty()) {
            pg.create(database);
        } else {
            pg.create(database, tablespace);
        }
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

    /**
     * Drops and creates each schema, 50 to a transaction (one transaction for all would need a lock
     * slot per dropped object), then vacuums the catalogs the drops left dead rows in. Meant for
     * a warm-up fleet in a tmpfs tablespace ({@link Session#warmFleet}).
     */
    @Override
    public void reset(int parallel) {
        try (Connection c = DriverManager.getConnection(pg.jdbc(database)); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (int i = 0; i < tenants.size(); i++) {
                s.addBatch("DROP SCHEMA \"" + tenants.get(i) + "\" CASCADE");
                s.addBatch("CREATE SCHEMA \"" + tenants.get(i) + "\"");
                if (i % 50 == 49 || i == tenants.size() - 1) {
                    s.executeBatch();
                    c.commit();
                }
            }
            c.setAutoCommit(true);
            s.execute("VACUUM");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the tenant schemas in " + database + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        session.later(() -> pg.drop(database));
    }
}
