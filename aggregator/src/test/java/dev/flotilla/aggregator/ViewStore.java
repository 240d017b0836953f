package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A scratch PostgreSQL database with the views, for writing events and reading the views back. */
final class ViewStore implements AutoCloseable {
    /** Every view row, without the columns that legitimately differ by write order (sequences, scratch). */
    private static final String[] DUMP = {
        "SELECT id, env, directory, version_id, tag, target_version, planned, trigger, dry_run, created_at,"
            + " last_event_at, completed_at FROM agg_deployment_sets ORDER BY id",
        "SELECT set_id, target_id, target_name, env, directory, url, status, attempt, from_version, to_version,"
            + " current_version, database_id, error, error_code, started_at, ended_at, updated_at, worker_id, counted"
            + " FROM agg_deployments ORDER BY set_id, target_id",
        "SELECT * FROM agg_files ORDER BY set_id, target_id, idx",
        "SELECT target_id, env, name, directory, url, database_id, current_version, target_version, status,"
            + " last_set_id, last_deployment_at, error, updated_at, counted FROM agg_databases ORDER BY target_id",
        "SELECT * FROM agg_directories ORDER BY directory, tag",
        "SELECT * FROM agg_set_counts WHERE n <> 0 ORDER BY set_id, status",
        "SELECT * FROM agg_database_counts WHERE n <> 0 ORDER BY env, directory, status",
        "SELECT * FROM agg_version_counts WHERE n <> 0 ORDER BY env, directory, version",
    };

    private final ScratchDatabase scratch;
    final ServiceStore db;

    ViewStore(String prefix) {
        scratch = TestDatabases.postgresDatabase(prefix);
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 4, prefix + "-test");
        db.migrate(ViewSchema.DDL);
    }

    /** Applies the events as one polled batch, in one transaction. */
    JdbcViewWriter.Applied batch(Object... events) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            JdbcViewWriter.Applied a = new JdbcViewWriter(c).apply(Arrays.asList(events));
            c.commit();
            return a;
        }
    }

    /** Applies the events one after the other, each its own batch. */
    void oneByOne(Object... events) throws SQLException {
        for (Object e : events) {
            batch(e);
        }
    }

    /** The scratch database's JDBC URL, for a pool of a test's own. */
    String jdbcUrl() {
        return scratch.jdbcUrl();
    }

    ViewQueries queries() {
        return new ViewQueries(db, Duration.ofMinutes(5));
    }

    void exec(String... sql) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    List<List<Object>> rows(String sql) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<Object>> out = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof java.sql.Array ? Arrays.asList((Object[]) ((java.sql.Array) v).getArray())
                            : v instanceof org.postgresql.util.PGobject ? v.toString() : v);
                }
                out.add(row);
            }
            return out;
        }
    }

    /** Every view table, one string each, for comparing two stores. */
    List<String> dump() throws SQLException {
        List<String> out = new ArrayList<>();
        for (String q : DUMP) {
            out.add(q.substring(q.indexOf(" FROM ") + 6, q.indexOf(" ORDER")) + ": " + rows(q));
        }
        return out;
    }

    /** The kept counts are what counting the rows gives. */
    void assertCountsMatchRows() throws SQLException {
        assertThat(rows("SELECT * FROM agg_set_counts WHERE n <> 0 ORDER BY set_id, status")).isEqualTo(
                rows("SELECT set_id, status, count(*) FROM agg_deployments GROUP BY 1, 2 ORDER BY 1, 2"));
        assertThat(rows("SELECT * FROM agg_database_counts WHERE n <> 0 ORDER BY env, directory, status")).isEqualTo(
                rows("SELECT env, directory, status, count(*) FROM agg_databases GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
        assertThat(rows("SELECT * FROM agg_version_counts WHERE n <> 0 ORDER BY env, directory, version")).isEqualTo(
                rows("SELECT coalesce(env, ''), coalesce(directory, ''), coalesce(current_version, ''), count(*)"
                        + " FROM agg_databases GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
    }

    void truncate() throws SQLException {
        exec("TRUNCATE agg_deployment_sets, agg_deployments, agg_files, agg_databases, agg_directories,"
                + " agg_set_counts, agg_database_counts, agg_version_counts, agg_rollouts");
    }

    @Override
    public void close() {
        db.close();
        scratch.close();
    }
}
