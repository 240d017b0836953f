package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.url.DatabaseUrl;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** PostgreSQL: database-per-tenant, or schema-per-tenant through {@code search_path}. */
final class PostgresDialect extends TargetDialect {
    /** SQLState of a lock wait that outlasted lock_timeout. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String RESET_LOCK_TIMEOUT = "RESET lock_timeout";
    /** The relations information_schema.tables shows: its relkinds and its visibility rule, verbatim. */
    private static final String VISIBLE = " AND c.relkind IN ('r', 'v', 'f', 'p')"
            + " AND (pg_catalog.pg_has_role(c.relowner, 'USAGE') OR pg_catalog.has_table_privilege(c.oid,"
            + " 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
            + " OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))";
    /**
     * Where the first user object of a whole database is found ({@link #firstUserObject}), after
     * its SELECT list; its one parameter is the revisions schema, which does not count.
     */
    private static final String FIRST_IN_DATABASE = " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg_%' AND n.nspname <> ? AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)"
            + VISIBLE + " ORDER BY n.nspname, c.relname LIMIT 1";

    @Override
    void bind(Connection c, DatabaseUrl url, boolean create) throws SQLException {
        Optional<String> schema = url.schema();
        if (schema.isPresent()) {
            Quoting.checkName("search_path", schema.get());
            try (Statement s = c.createStatement()) {
                if (create) {
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema.get()));
                }
                s.execute("SET search_path TO " + quote(schema.get()));
            }
        }
    }

    @Override
    String quote(String ident) {
        return Quoting.ansi(ident);
    }

    @Override
    String createTableSql(String t) {
        return "CREATE TABLE " + t + " (\"version\" character varying NOT NULL,"
                + " \"description\" character varying NOT NULL, \"type\" bigint NOT NULL DEFAULT 2,"
                + " \"applied\" bigint NOT NULL DEFAULT 0, \"total\" bigint NOT NULL DEFAULT 0,"
                + " \"executed_at\" timestamptz NOT NULL, \"execution_time\" bigint NOT NULL,"
                + " \"error\" text NULL, \"error_stmt\" text NULL, \"hash\" character varying NOT NULL,"
                + " \"partial_hashes\" jsonb NULL, \"operator_version\" character varying NOT NULL,"
                + " PRIMARY KEY (\"version\"))";
    }

    @Override
    void createSchema(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
        }
    }

    /**
     * {@code to_regclass} is a catalog-cache lookup; a query on pg_tables would be planned, which is
     * what a new session pays most for.
     */
    @Override
    String tableExistsQuery() {
        return "SELECT 1 WHERE pg_catalog.to_regclass(pg_catalog.quote_ident(?) || '.' || pg_catalog.quote_ident(?))"
                + " IS NOT NULL";
    }

    /**
     * One round trip of catalog-cache lookups: the revisions table, its schema and the URL's
     * schema. A URL schema that does not exist yet is empty, which answers the clean check too.
     * Without a schema in the URL (a database per tenant), a database without the revisions table
     * is a new target whose clean check comes next: the same round trip answers it, the scan
     * running only when the table is missing (a CASE branch not taken leaves its subquery unrun).
     */
    @Override
    Catalog inspect(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        String urlSchema = url.schema().orElse(revisionsSchema);
        boolean wholeDatabase = url.schema().isEmpty();
        try (PreparedStatement ps = c.prepareStatement("SELECT t, r, u" + (wholeDatabase
                ? ", CASE WHEN t IS NULL THEN (SELECT ARRAY[n.nspname::text, c.relname::text]" + FIRST_IN_DATABASE
                + ") END" : "") + " FROM (SELECT pg_catalog.to_regclass(?) t,"
                + " pg_catalog.to_regnamespace(?) r, pg_catalog.to_regnamespace(?) u) x")) {
            if (wholeDatabase) {
                ps.setString(1, revisionsSchema);
            }
            int at = wholeDatabase ? 2 : 1;
            ps.setString(at, qualified(revisionsSchema));
            ps.setString(at + 1, quote(revisionsSchema));
            ps.setString(at + 2, quote(urlSchema));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean table = rs.getString(1) != null;
                boolean urlSchemaExists = rs.getString(3) != null;
                List<String> missing = new ArrayList<>(2);
                if (!urlSchemaExists) {
                    missing.add(urlSchema);
                }
                if (rs.getString(2) == null && !missing.contains(revisionsSchema)) {
                    missing.add(revisionsSchema);
                }
                Optional<String> firstUserObject = null;
                if (!wholeDatabase && !urlSchemaExists) {
                    firstUserObject = Optional.empty();
                } else if (wholeDatabase && !table) {
                    Array first = rs.getArray(4);
                    String[] found = first == null ? null : (String[]) first.getArray();
                    firstUserObject = found == null ? Optional.empty() : Optional.of(describeTable(found[0], found[1]));
                }
                return new Catalog(table, missing, firstUserObject);
            }
        }
    }

    @Override
    String upsertPrefix(String t) {
        return "INSERT INTO " + t + " " + placeholders().replace("?, ?, ?)", "?, ?::jsonb, ?)")
                + " ON CONFLICT (version) DO UPDATE SET ";
    }

    @Override
    String takeNew(String col) {
        return col + " = EXCLUDED." + col;
    }

    @Override
    void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        if (json == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, json);
        }
    }

    /**
     * What information_schema.tables would list first (tables, views, foreign and partitioned
     * tables the user can see), read from pg_class directly: a new session would otherwise plan the
     * information_schema view, which costs more than the query. With a schema in the URL only that
     * schema counts. Its relations are found through their dependency on the schema
     * ({@code pg_depend_reference_index}): pg_class has no index that starts with the namespace, so
     * filtering pg_class on it walks every relation of the database, and a database holding many
     * tenant schemas would make every new tenant slower than the one before.
     */
    @Override
    Optional<String> firstUserObject(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        String sql;
        if (url.schema().isPresent()) {
            sql = "SELECT ?::text, c.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.objid"
                    + " WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
                    + " AND d.refobjid = pg_catalog.to_regnamespace(?)"
                    + " AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                    + " AND NOT pg_catalog.pg_is_other_temp_schema(c.relnamespace)" + VISIBLE
                    + (url.schema().get().equals(revisionsSchema) ? " AND c.relname <> '" + TABLE + "'" : "")
                    + " ORDER BY 2 LIMIT 1";
        } else {
            sql = "SELECT n.nspname, c.relname" + FIRST_IN_DATABASE;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, url.schema().orElse(revisionsSchema));
            if (url.schema().isPresent()) {
                ps.setString(2, quote(url.schema().get()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(describeTable(rs.getString(1), rs.getString(2)))
                        : Optional.empty();
            }
        }
    }

    /**
     * A session advisory lock keyed by the revisions schema (advisory keys are already per
     * database), so tenants in other schemas of the same database are not serialized, unlike
     * Atlas' single {@code atlas_migrate_execute} key. The server does the waiting:
     * {@code pg_advisory_lock} under a session {@code lock_timeout}, which is reset before the
     * migration's own statements run (they must see the target's setting, and a pooled session
     * must not carry ours). It first tries once, which is all an uncontended lock needs: one round
     * trip instead of three. A zero timeout only tries: {@code lock_timeout = 0} would wait forever.
     */
    @Override
    TargetLock lock(Connection c, DatabaseUrl url, String revisionsSchema, Duration timeout) throws SQLException {
        long key = lockKey(revisionsSchema);
        boolean acquired = call(c, "SELECT pg_try_advisory_lock(?)", key)
                || !timeout.isZero() && waitFor(c, key, timeout);
        if (!acquired) {
            throw Backoff.timeout(url, revisionsSchema, timeout);
        }
        return () -> release(c, key);
    }

    /** Whether the lock was granted within {@code timeout}; the session's lock_timeout is reset either way. */
    private static boolean waitFor(Connection c, long key, Duration timeout) throws SQLException {
        long millis = Math.min(Integer.MAX_VALUE, Math.max(1, timeout.plusNanos(999_999).toMillis()));
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = " + millis);
            try {
                run(c, "SELECT pg_advisory_lock(?)", key);
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    resetAfter(s, e);
                    throw e;
                }
                s.execute(RESET_LOCK_TIMEOUT);
                return false;
            }
            s.execute(RESET_LOCK_TIMEOUT);
            return true;
        }
    }

    /** Resets lock_timeout after {@code failure}; if that fails too, it is added to the failure, not thrown over it. */
    private static void resetAfter(Statement s, SQLException failure) {
        try {
            s.execute(RESET_LOCK_TIMEOUT);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** A session advisory lock: the backend releases it when the connection closes. */
    @Override
    boolean lockEndsWithSession() {
        return true;
    }

    static long lockKey(String revisionsSchema) {
        return Fnv.fnv1a64(("atlas_migrate_execute:" + revisionsSchema).getBytes(StandardCharsets.UTF_8));
    }

    private static void release(Connection c, long key) {
        try {
            if (!c.isClosed()) {
                call(c, "SELECT pg_advisory_unlock(?)", key);
            }
        } catch (SQLException e) {
            // The session ends with the connection, and with it the lock.
            Backoff.LOG.debug("advisory unlock failed; the lock goes with the session", e);
        }
    }

    private static void run(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            ps.execute();
        }
    }

    private static boolean call(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    String driverMessage(SQLException e) {
        if (e instanceof PSQLException) {
            ServerErrorMessage m = ((PSQLException) e).getServerErrorMessage();
            if (m != null) {
                return "pq: " + m.getMessage();
            }
        }
        return e.getMessage();
    }

    @Override
    void bindInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }

    @Override
    Instant readInstant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
