package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.JdbcConnector;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Atlas' {@code data "sql"} source: runs the query and exposes {@code count}, {@code value} (first
 * row) and {@code values} (the first column of every row, as strings).
 */
final class SqlDataSource {
    /** How long to wait for the connection to the tenant registry database. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long the query may run. */
    static final int QUERY_TIMEOUT_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(SqlDataSource.class);

    private SqlDataSource() {
    }

    /** A query rewritten for JDBC: PostgreSQL's {@code $n} placeholders become {@code ?}. */
    record Prepared(String sql, List<Integer> argOrder) {
    }

    /**
     * Runs the query.
     *
     * @param where prefix for messages, e.g. {@code atlas.hcl:9: data "sql" "tenants"}
     * @throws FlotillaException {@link ErrorCode#CONNECTION_FAILED} or {@link ErrorCode#AUTH_FAILED}
     *     when the database cannot be reached, {@link ErrorCode#CONFIG_INVALID} when the query fails
     */
    static Map<String, Object> query(String where, DatabaseUrl url, String query, List<Object> args) {
        List<Object> values = new ArrayList<>();
        stream(where, url, query, args, values::add);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", BigDecimal.valueOf(values.size()));
        out.put("value", values.isEmpty() ? null : values.get(0));
        out.put("values", Collections.unmodifiableList(values));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Runs the query and gives each row to {@code row} as it is read, never holding the result: a
     * cursor on PostgreSQL (a fetch size outside autocommit), a streaming result set on MySQL and
     * MariaDB (a fetch size on MariaDB's driver). A row is its first column's text when the query
     * has one column, else an object of its columns (lower-case labels).
     *
     * @return the number of columns (0 when the query returned no row)
     * @throws FlotillaException as {@link #query}, possibly after some rows were given
     */
    static int stream(String where, DatabaseUrl url, String query, List<Object> args, Consumer<Object> row) {
        Prepared p = prepareOrFail(where, query, url, args.size());
        long start = System.nanoTime();
        long rows = 0;
        int columns = 0;
        try (Connection c = open(where, url)) {
            c.setAutoCommit(false); // PgJDBC uses a cursor only inside a transaction
            try (PreparedStatement st = c.prepareStatement(p.sql(), ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY)) {
                if (url.dialect() != Dialect.MYSQL) {
                    // A streamed result keeps MySQL's statement open while the coordinator writes each row
                    // away, and its max_statement_time would count that time; PostgreSQL times the query only.
                    st.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                }
                st.setFetchSize(FETCH_SIZE);
                for (int i = 0; i < p.argOrder().size(); i++) {
                    bind(st, i + 1, args.get(p.argOrder().get(i)));
                }
                try (ResultSet rs = st.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    columns = md.getColumnCount();
                    while (rs.next()) {
                        rows++;
                        row.accept(columns == 1 ? firstColumn(where, rs, rows) : row(where, rs, md, rows));
                    }
                }
            } finally {
                c.rollback(); // it only read
            }
        } catch (SQLException e) {
            throw failure(where, url, e);
        }
        LOG.info("{}: {} rows from {} in {} ms", where, rows, url.redacted(), (System.nanoTime() - start) / 1_000_000);
        return rows == 0 ? 0 : columns;
    }

    /** Rows fetched from the database at a time when streaming. */
    static final int FETCH_SIZE = 2_000;

    private static Prepared prepareOrFail(String where, String query, DatabaseUrl url, int argCount) {
        try {
            return prepare(query, url.dialect(), argCount);
        } catch (IllegalArgumentException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": " + e.getMessage());
        }
    }

    /**
     * A query with several columns gives one object per row, keyed by column label (lower case):
     * {@code SELECT name, tier …} gives {@code {name = "acme", tier = "FREE"}}, read as
     * {@code each.value.name} and {@code each.value.tier}, as in Atlas' tiered rollout example.
     */
    private static Map<String, Object> row(String where, ResultSet rs, ResultSetMetaData md, long n)
            throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String v = rs.getString(i);
            if (v == null) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": row " + n
                        + " of the query result has NULL in column " + md.getColumnLabel(i) + "; filter NULLs"
                        + " out in the query or use coalesce()");
            }
            row.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), v);
        }
        return Collections.unmodifiableMap(row);
    }

    private static String firstColumn(String where, ResultSet rs, long n) throws SQLException {
        String v = rs.getString(1);
        if (v == null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, where + ": row " + n
                    + " of the query result is NULL in the first column; filter NULLs out in the query,"
                    + " e.g. WHERE name IS NOT NULL");
        }
        return v;
    }

    private static Connection open(String where, DatabaseUrl url) throws SQLException {
        Connection c;
        try {
            c = JdbcConnector.open(url, CONNECT_TIMEOUT);
        } catch (FlotillaException e) {
            throw new FlotillaException(e.code(), ValueText.redact(where + ": " + e.getMessage()), e);
        }
        if (url.dialect() == Dialect.POSTGRES && url.schema().isPresent()) {
            try {
                c.setSchema(url.schema().get());
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    private static void bind(PreparedStatement st, int index, Object arg) throws SQLException {
        if (arg instanceof BigDecimal) {
            BigDecimal n = ((BigDecimal) arg).stripTrailingZeros();
            if (n.scale() <= 0 && n.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                st.setLong(index, n.longValueExact());
            } else {
                st.setBigDecimal(index, n);
            }
        } else if (arg instanceof Boolean) {
            st.setBoolean(index, (Boolean) arg);
        } else {
            st.setString(index, String.valueOf(arg));
        }
    }

    private static FlotillaException failure(String where, DatabaseUrl url, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        ErrorCode code = state.startsWith("08") ? ErrorCode.CONNECTION_FAILED
                : state.startsWith("28") ? ErrorCode.AUTH_FAILED : ErrorCode.CONFIG_INVALID;
        return new FlotillaException(code, ValueText.redact(where + ": the query failed on " + url.redacted() + ": "
                + e.getMessage() + (state.isEmpty() ? "" : " (SQLState " + state + ")")
                + "; check the query, its args and that the table exists"), e);
    }

    /**
     * Rewrites {@code $1}, {@code $2}, … (outside quotes, comments and dollar-quoted strings) to
     * {@code ?} for PostgreSQL; other dialects already use {@code ?}.
     *
     * @throws IllegalArgumentException when a placeholder has no matching arg
     */
    static Prepared prepare(String query, Dialect dialect, int argCount) {
        List<Integer> order = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        int i = 0;
        while (dialect == Dialect.POSTGRES && i < query.length()) {
            int skip = skipQuoted(query, i);
            if (skip > i) {
                sql.append(query, i, skip);
                i = skip;
            } else if (query.charAt(i) == '$' && i + 1 < query.length() && Character.isDigit(query.charAt(i + 1))) {
                int end = i + 1;
                while (end < query.length() && Character.isDigit(query.charAt(end))) {
                    end++;
                }
                order.add(placeholder(Integer.parseInt(query.substring(i + 1, end)), argCount));
                sql.append('?');
                i = end;
            } else {
                sql.append(query.charAt(i++));
            }
        }
        if (order.isEmpty()) { // no $n: the query uses ? (or no args at all), bound in order
            for (int k = 0; k < argCount; k++) {
                order.add(k);
            }
            return new Prepared(query, order);
        }
        return new Prepared(sql.toString(), order);
    }

    private static int placeholder(int n, int argCount) {
        if (n < 1 || n > argCount) {
            throw new IllegalArgumentException("the query uses $" + n + " but args has " + argCount
                    + " values; add the missing args = [...] or fix the placeholder");
        }
        return n - 1;
    }

    /** The index after a quoted string, identifier, comment or dollar-quoted string at i; i otherwise. */
    private static int skipQuoted(String q, int i) {
        char c = q.charAt(i);
        if (c == '\'' || c == '"') {
            int end = q.indexOf(c, i + 1);
            while (end >= 0 && end + 1 < q.length() && q.charAt(end + 1) == c) {
                end = q.indexOf(c, end + 2);
            }
            return end < 0 ? q.length() : end + 1;
        }
        if (q.startsWith("--", i)) {
            int end = q.indexOf('\n', i);
            return end < 0 ? q.length() : end;
        }
        if (q.startsWith("/*", i)) {
            int end = q.indexOf("*/", i + 2);
            return end < 0 ? q.length() : end + 2;
        }
        if (c == '$') {
            int tagEnd = i + 1;
            while (tagEnd < q.length() && (Character.isLetterOrDigit(q.charAt(tagEnd)) || q.charAt(tagEnd) == '_')) {
                tagEnd++;
            }
            boolean tag = tagEnd < q.length() && q.charAt(tagEnd) == '$' && !Character.isDigit(q.charAt(i + 1));
            if (tag) {
                String delimiter = q.substring(i, tagEnd + 1);
                int end = q.indexOf(delimiter, tagEnd + 1);
                return end < 0 ? q.length() : end + delimiter.length();
            }
        }
        return i;
    }
}
