package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.url.DatabaseUrl;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MySQL and MariaDB: a database (schema) per tenant. */
final class MysqlDialect extends TargetDialect {
    private static final Pattern CONN_PREFIX = Pattern.compile("^\\(conn=\\d+\\)\\s*");
    private static final int MAX_LOCK_NAME = 64;
    /**
     * The statements that never commit on their own: DML and queries. Everything else may (DDL,
     * {@code LOCK TABLES}, {@code SET autocommit = 1}, {@code GRANT}, {@code ANALYZE TABLE},
     * {@code CALL} of a procedure that does, an executable comment {@code /*!50001 …}, …:
     * the manual's "Statements That Cause an Implicit Commit"), so the runner treats it as a
     * commit point. A table on a non-transactional engine (MyISAM) keeps DML even on rollback;
     * no statement order can record that exactly, and none is attempted.
     */
    private static final Pattern NEVER_COMMITS = Pattern.compile("(?i)(INSERT|UPDATE|DELETE|REPLACE|SELECT)\\b.*",
            Pattern.DOTALL);

    @Override
    void bind(Connection c, DatabaseUrl url, boolean create) throws SQLException {
        if (!url.database().isEmpty()) {
            Quoting.checkName("database", url.database());
        }
    }

    @Override
    String quote(String ident) {
        return Quoting.backtick(ident);
    }

    /** DDL commits implicitly: the table and its first rows cannot wait for the first file's transaction. */
    @Override
    boolean transactionalDdl() {
        return false;
    }

    @Override
    String createTableSql(String t) {
        return "CREATE TABLE " + t + " (`version` varchar(255) NOT NULL, `description` varchar(255) NOT NULL,"
                + " `type` bigint unsigned NOT NULL DEFAULT 2, `applied` bigint NOT NULL DEFAULT 0,"
                + " `total` bigint NOT NULL DEFAULT 0, `executed_at` timestamp(6) NOT NULL,"
                + " `execution_time` bigint NOT NULL, `error` longtext NULL, `error_stmt` longtext NULL,"
                + " `hash` varchar(255) NOT NULL, `partial_hashes` json NULL,"
                + " `operator_version` varchar(255) NOT NULL, PRIMARY KEY (`version`))"
                + " CHARSET utf8mb4 COLLATE utf8mb4_bin";
    }

    @Override
    void createSchema(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + quote(schema));
        }
    }

    /**
     * Whether {@code statement} may commit the open transaction on its own. True for all but
     * plain DML and queries (see {@link #NEVER_COMMITS}): when in doubt, a commit point.
     */
    static boolean commitsImplicitly(String statement) {
        return !NEVER_COMMITS.matcher(statement.strip()).matches();
    }

    /**
     * One query for what the apply needs to know first: whether the database and the revisions
     * table exist and, for a URL bound to a database, the first user object there
     * ({@link #firstUserObject}; for a server URL that search spans every database and is left
     * to the planner, which asks only when the target has no revisions). A database that exists
     * is not created again, so a new tenant's first write needs no DDL but the table's.
     */
    @Override
    Catalog inspect(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        boolean bound = url.schema().isPresent();
        String sql = "SELECT 'schema', schema_name, NULL FROM information_schema.schemata WHERE schema_name = ?"
                + " UNION ALL SELECT 'table', table_schema, table_name FROM information_schema.tables"
                + " WHERE table_schema = ? AND table_name = '" + TABLE + "'"
                + (bound ? " UNION ALL (" + firstUserObjectSql(url) + ")" : "");
        boolean schema = false;
        boolean table = false;
        Optional<String> first = Optional.empty();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, revisionsSchema);
            ps.setString(2, revisionsSchema);
            if (bound) {
                ps.setString(3, url.schema().get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schema |= "schema".equals(rs.getString(1));
                    table |= "table".equals(rs.getString(1));
                    first = "user".equals(rs.getString(1)) ? Optional.of(describe(rs, 2)) : first;
                }
            }
        }
        return new Catalog(table, schema || table ? List.of() : List.of(revisionsSchema), bound ? first : null);
    }

    @Override
    String tableExistsQuery() {
        return "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?";
    }

    @Override
    String upsertPrefix(String t) {
        return "INSERT INTO " + t + " " + placeholders() + " ON DUPLICATE KEY UPDATE ";
    }

    @Override
    String takeNew(String col) {
        return "`" + col + "` = VALUES(`" + col + "`)";
    }

    @Override
    Optional<String> firstUserObject(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(firstUserObjectSql(url))) {
            ps.setString(1, url.schema().orElse(revisionsSchema));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(describe(rs, 2)) : Optional.empty();
            }
        }
    }

    /**
     * Columns 'user', schema, table of the first user table; one parameter: the URL's schema,
     * else the revisions schema (then every other non-system schema is searched).
     */
    private static String firstUserObjectSql(DatabaseUrl url) {
        return "SELECT 'user', table_schema, table_name FROM information_schema.tables WHERE "
                + (url.schema().isPresent() ? "table_schema = ?"
                    : "table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
                        + " AND table_schema <> ?")
                + " AND table_name <> '" + TABLE + "' ORDER BY 2, 3 LIMIT 1";
    }

    private static String describe(ResultSet rs, int schemaColumn) throws SQLException {
        return describeTable(rs.getString(schemaColumn), rs.getString(schemaColumn + 1));
    }

    /**
     * {@code GET_LOCK} is server-wide, so the name carries the revisions schema: tenants in other
     * databases of the same server are not serialized (Atlas' constant name does, ariga/atlas#3476).
     * The server does the waiting, for {@code timeout} given in seconds with millisecond fractions
     * (MariaDB honours them; MySQL documents whole seconds); 0 tries once.
     */
    @Override
    TargetLock lock(Connection c, DatabaseUrl url, String revisionsSchema, Duration timeout) throws SQLException {
        String name = lockName(revisionsSchema);
        try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
            ps.setString(1, name);
            ps.setBigDecimal(2, BigDecimal.valueOf(timeout.plusNanos(999_999).toMillis(), 3));
            try (ResultSet rs = ps.executeQuery()) {
                // 1 is granted; 0 timed out; NULL is an error such as the session being killed.
                if (rs.next() && rs.getInt(1) == 1) {
                    return () -> release(c, name);
                }
            }
        }
        throw Backoff.timeout(url, revisionsSchema, timeout);
    }

    /** {@code GET_LOCK} locks belong to the session: closing the connection releases them. */
    @Override
    boolean lockEndsWithSession() {
        return true;
    }

    static String lockName(String schema) {
        String name = "atlas_migrate_execute:" + schema;
        if (name.length() <= MAX_LOCK_NAME) {
            return name;
        }
        return "atlas_migrate_execute:" + Long.toHexString(Fnv.fnv1a64(schema.getBytes(StandardCharsets.UTF_8)));
    }

    private static void release(Connection c, String name) {
        try (PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            ps.setString(1, name);
            ps.executeQuery().close();
        } catch (SQLException e) {
            Backoff.LOG.debug("RELEASE_LOCK failed; the lock goes with the session", e);
        }
    }

    /** Go's MySQL driver prints {@code Error 1062 (23000): Duplicate entry …}. */
    @Override
    String driverMessage(SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = CONN_PREFIX.matcher(msg);
        msg = m.replaceFirst("");
        return e.getErrorCode() > 0
                ? "Error " + e.getErrorCode() + " (" + e.getSQLState() + "): " + msg
                : msg;
    }

    @Override
    void bindInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        ps.setTimestamp(index, Timestamp.from(at));
    }

    @Override
    Instant readInstant(ResultSet rs, int index) throws SQLException {
        Timestamp t = rs.getTimestamp(index);
        return t == null ? null : t.toInstant();
    }
}
