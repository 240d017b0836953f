package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What differs between target databases: where the revisions table lives and how it is written,
 * how a target is locked, how "clean" is judged and how driver errors read. The revisions logic
 * itself is shared, in {@link RevisionsTable} and {@link MigrationExecutor}.
 */
abstract class TargetDialect {
    /**
     * What one catalog lookup at the start of an apply found.
     *
     * @param tableExists whether the revisions table exists
     * @param missingSchemas schemas to create before the table or the files can be written, in order
     * @param firstUserObject the clean-database answer when the same lookup gave it (see
     *     {@link #firstUserObject}); null when it did not, and {@link #firstUserObject} must be asked
     */
    record Catalog(boolean tableExists, List<String> missingSchemas, Optional<String> firstUserObject) {
    }

    static final String TABLE = "atlas_schema_revisions";
    static final String COLUMNS = "version, description, type, applied, total, executed_at, execution_time,"
            + " error, error_stmt, hash, partial_hashes, operator_version";

    static TargetDialect of(Dialect d) {
        switch (d) {
            case POSTGRES: return new PostgresDialect();
            case MYSQL: return new MysqlDialect();
            default: return new SqliteDialect();
        }
    }

    /**
     * Makes the connection run statements in the URL's schema, if it names one, creating that
     * schema first when {@code create} is set (never on a dry run).
     */
    abstract void bind(Connection c, DatabaseUrl url, boolean create) throws SQLException;

    /** The schema holding the revisions table when neither the URL nor a flag says. */
    String defaultRevisionsSchema() {
        return TABLE;
    }

    /** Quotes an identifier. */
    abstract String quote(String ident);

    /** The DDL that creates the revisions table, qualified by schema. */
    abstract String createTableSql(String qualifiedTable);

    /** Creates the schema holding the revisions table if it is missing. */
    abstract void createSchema(Connection c, String schema) throws SQLException;

    /** A query with one row when the revisions table exists; parameters: schema, table name. */
    abstract String tableExistsQuery();

    /**
     * Looks the target up once, under the lock, before anything is read or written: whether the
     * revisions table exists and which schemas are missing. By default: {@link #tableExists}, and
     * the revisions schema counts as missing with its table ({@link #createSchema} is idempotent).
     */
    Catalog inspect(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        boolean exists = tableExists(c, revisionsSchema);
        return new Catalog(exists, exists ? List.of() : List.of(revisionsSchema), null);
    }

    /**
     * Whether DDL is transactional, so that a new target's schemas, revisions table and first rows
     * can share the first file's transaction ({@link RevisionsTable}). False on MySQL, where DDL
     * commits implicitly: there they are written before any file runs.
     */
    boolean transactionalDdl() {
        return true;
    }

    /**
     * Whether the server releases the {@link #lock} when the session ends, so that a run that
     * closes its connection right after need not release it first. False by default.
     */
    boolean lockEndsWithSession() {
        return false;
    }

    /** Whether the revisions table exists in the schema. */
    boolean tableExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(tableExistsQuery())) {
            ps.setString(1, schema);
            ps.setString(2, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** {@code INSERT … ON CONFLICT}/{@code ON DUPLICATE KEY}, up to the SET list. */
    abstract String upsertPrefix(String qualifiedTable);

    /** One assignment of the upsert's SET list, taking the new row's value of {@code col}. */
    abstract String takeNew(String col);

    /** The upsert that writes one revision row; executed_at is kept on conflict. */
    final String upsertSql(String qualifiedTable) {
        StringBuilder set = new StringBuilder();
        for (String col : UPDATED) {
            set.append(set.length() == 0 ? "" : ", ").append(takeNew(col));
        }
        return upsertPrefix(qualifiedTable) + set;
    }

    /**
     * The first user object found in a database that has no revisions yet, described as
     * {@code table "users" in schema "public"}; empty when the database is clean.
     */
    abstract Optional<String> firstUserObject(Connection c, DatabaseUrl url, String revisionsSchema)
            throws SQLException;

    /** How {@link #firstUserObject} names a table: {@code table "users" in schema "public"}. */
    static String describeTable(String schema, String table) {
        return "table \"" + table + "\" in schema \"" + schema + "\"";
    }

    /** Takes the per-target migration lock, waiting at most {@code timeout}. */
    abstract TargetLock lock(Connection c, DatabaseUrl url, String revisionsSchema, Duration timeout)
            throws SQLException;

    /** The driver's message as Atlas' Go driver would print it (no JDBC prefixes). */
    abstract String driverMessage(SQLException e);

    abstract void bindInstant(PreparedStatement ps, int index, Instant at) throws SQLException;

    abstract Instant readInstant(ResultSet rs, int index) throws SQLException;

    /** Binds the partial_hashes JSON text (or null). */
    void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        ps.setString(index, json);
    }

    String qualified(String schema) {
        return schema == null ? quote(TABLE) : quote(schema) + "." + quote(TABLE);
    }

    /** Reads every row, sorted by version as Atlas does; the identity row is included. */
    List<Revision> readAll(Connection c, String schema) throws SQLException {
        List<Revision> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM " + qualified(schema))) {
            while (rs.next()) {
                out.add(new Revision(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), readInstant(rs, 6), rs.getLong(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), PartialHashes.fromJson(rs.getString(11)), rs.getString(12)));
            }
        }
        out.sort(Comparator.comparing(Revision::version));
        return out;
    }

    /** Binds the columns of one revision row to the upsert from {@link #upsertSql}. */
    void bindRow(PreparedStatement ps, Revision r) throws SQLException {
        ps.setString(1, r.version());
        ps.setString(2, r.description());
        ps.setLong(3, r.type());
        ps.setLong(4, r.applied());
        ps.setLong(5, r.total());
        bindInstant(ps, 6, r.executedAt());
        ps.setLong(7, r.executionTime());
        ps.setString(8, r.error());
        ps.setString(9, r.errorStmt());
        ps.setString(10, r.hash());
        bindJson(ps, 11, PartialHashes.toJson(r.partialHashes()));
        ps.setString(12, r.operatorVersion());
    }

    /** Upsert columns after the key: the SET list, built per dialect from this. */
    static final String[] UPDATED = {"description", "type", "applied", "total", "execution_time", "error",
        "error_stmt", "hash", "partial_hashes", "operator_version"};

    static String placeholders() {
        return "(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }
}
