package dev.flotilla.bench;

import dev.flotilla.migrate.sql.Dialect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Database-per-tenant: one database per tenant, on the benchmark's PostgreSQL ({@code postgres-db})
 * or on a MariaDB server ({@code mariadb}, reached as Atlas' {@code mysql://…/tenant_N}).
 *
 * <p>Creating a thousand PostgreSQL databases takes minutes (each copies the 7.5 MB template, and
 * each drop forces a checkpoint), so a fleet is made once per invocation and every contender gets
 * the same databases, emptied ({@link #reset}) when it takes them ({@link Session#fleet}). The
 * names do not depend on the run: with {@code --keep}, the next invocation finds the databases and
 * only empties them. Dropped when the invocation ends, unless kept.
 */
final class DatabaseFleet implements Fleet {
    /** Threads that create, empty and drop the databases. */
    private static final int ADMIN_THREADS = 4;

    private final String kind;
    private final PgServer pg;
    private final MariaDbServer maria;
    /** Database name = prefix + tenant name. */
    private final String prefix;
    private final List<String> tenants;
    /** PostgreSQL: the tablespace of new databases ("" for the default). */
    private final String tablespace;

    private DatabaseFleet(String kind, PgServer pg, MariaDbServer maria, String prefix, List<String> tenants,
            String tablespace) {
        this.kind = kind;
        this.pg = pg;
        this.maria = maria;
        this.prefix = prefix;
        this.tenants = tenants;
        this.tablespace = tablespace;
    }

    /** Whether {@code db} (a {@code --db} value) is a database-per-tenant layout. */
    static boolean handles(String db) {
        return "postgres-db".equals(db) || "mariadb".equals(db);
    }

    /**
     * Makes sure every tenant's database exists and is empty; the session drops them at its end.
     *
     * @param tablespace PostgreSQL: where new databases go ("" for the default)
     */
    static DatabaseFleet open(Session session, String kind, String prefix, List<String> tenants, String tablespace)
            throws InterruptedException {
        DatabaseFleet f = new DatabaseFleet(kind, session.pg(), session.maria(), prefix, tenants, tablespace);
        long t0 = System.nanoTime();
        Set<String> existing = f.existing();
        List<String> missing = tenants.stream().filter(t -> !existing.contains(f.database(t))).toList();
        List<String> present = tenants.stream().filter(t -> existing.contains(f.database(t))).toList();
        Progress.say("%s: %d tenant databases %s…: %d to create, %d kept from before", kind, tenants.size(), prefix,
                missing.size(), present.size());
        f.each(missing, "create", f::create);
        session.later(() -> {
            try {
                f.each(tenants, "drop", f::drop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        f.each(present, "empty", f::empty);
        Progress.say("%s: %d tenant databases ready in %,d ms", kind, tenants.size(),
                (System.nanoTime() - t0) / 1_000_000);
        return f;
    }

    private void each(List<String> which, String what, TenantLoop.Task task) throws InterruptedException {
        if (which.isEmpty()) {
            return;
        }
        Outcome o = TenantLoop.run(which, ADMIN_THREADS, kind + "-" + what, task);
        if (o.failed() > 0) {
            throw new IllegalStateException("cannot " + what + " " + o.failed() + " of " + which.size() + " " + kind
                    + " tenant databases: " + o.firstError());
        }
    }

    String database(String tenant) {
        return prefix + tenant;
    }

    private boolean postgres() {
        return "postgres-db".equals(kind);
    }

    private Set<String> existing() {
        Set<String> out = new HashSet<>();
        String sql = postgres() ? "SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "%'"
                : "SHOW DATABASES LIKE '" + prefix + "%'";
        try (Connection c = admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(kind + ": cannot list databases: " + e.getMessage(), e);
        }
        return out;
    }

    private Connection admin() throws SQLException {
        return postgres() ? DriverManager.getConnection(pg.jdbc("postgres")) : DriverManager.getConnection(maria.jdbc(""));
    }

    private void create(String tenant) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database(tenant) + (postgres() && !tablespace.isEmpty()
                    ? " TABLESPACE " + tablespace : ""));
        }
    }

    private void drop(String tenant) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database(tenant) + (postgres() ? " WITH (FORCE)" : ""));
        }
    }

    /**
     * Empties one tenant. MariaDB: the database dropped and created again (a directory and its
     * table files). PostgreSQL: every schema dropped and {@code public} created again, in the
     * tenant's own database; dropping the database would force a checkpoint each time.
     */
    private void empty(String tenant) throws SQLException {
        if (!postgres()) {
            try (Connection c = admin(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE " + database(tenant));
                s.execute("CREATE DATABASE " + database(tenant));
            }
            return;
        }
        try (Connection c = connect(tenant); Statement s = c.createStatement()) {
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                    + " AND nspname <> 'information_schema'")) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
            for (String schema : schemas) {
                s.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
            }
            s.execute("CREATE SCHEMA public");
        }
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public Dialect dialect() {
        return postgres() ? Dialect.POSTGRES : Dialect.MYSQL;
    }

    @Override
    public List<String> tenants() {
        return tenants;
    }

    @Override
    public String atlasUrl(String tenant) {
        return postgres() ? pg.atlas(database(tenant)) : maria.atlas(database(tenant));
    }

    @Override
    public String hclUrl() {
        return "\"" + atlasUrl("${each.value}") + "\"";
    }

    @Override
    public Connection connect(String tenant) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(tenant));
    }

    @Override
    public String jdbcUrl(String tenant) {
        return postgres() ? pg.jdbc(database(tenant)) : maria.jdbc(database(tenant));
    }

    @Override
    public Optional<String> schema(String tenant) {
        return Optional.empty();
    }

    /** Empties every tenant's database (not timed). */
    @Override
    public void reset(int parallel) throws InterruptedException {
        each(tenants, "empty", this::empty);
    }

    /** Nothing: the databases are shared by the session's contenders and dropped when it ends. */
    @Override
    public void close() {
    }
}
