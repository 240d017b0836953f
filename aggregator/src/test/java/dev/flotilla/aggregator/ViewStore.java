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
        assertMarksMatchRows();
    }

    /**
     * Every page mark sits where its count says, every order counts all its rows, and no mark is
     * overdue a split.
     */
    void assertMarksMatchRows() throws SQLException {
        assertThat(rows("SELECT all_envs, scope, name, seq, pos, truth FROM (SELECT m.*, sum(n) OVER (PARTITION BY"
                + " all_envs, scope ORDER BY env, name, seq) - n AS pos, (SELECT count(*) FROM agg_databases d WHERE"
                + " CASE WHEN m.all_envs THEN (d.env, d.name, d.seq) < (m.env, m.name, m.seq) ELSE d.env = m.scope"
                + " AND (d.name, d.seq) < (m.name, m.seq) END) AS truth FROM agg_page_marks m) x WHERE pos <> truth"))
                .as("marks away from their rows").isEmpty();
        assertThat(rows("SELECT scope, counted, rows FROM (SELECT s.all_envs, s.scope, (SELECT sum(n) FROM"
                + " agg_page_marks m WHERE m.all_envs = s.all_envs AND m.scope = s.scope) AS counted, (SELECT count(*)"
                + " FROM agg_databases d WHERE s.all_envs OR d.env = s.scope) AS rows FROM (SELECT true AS all_envs,"
                + " '' AS scope UNION SELECT DISTINCT false, env FROM agg_databases) s) x"
                + " WHERE coalesce(counted, 0) <> rows")).as("orders not counted whole").isEmpty();
        assertThat(rows("SELECT 1 FROM agg_page_marks WHERE n > " + PageMarks.SPLIT)).as("overdue splits").isEmpty();
    }

    void truncate() throws SQLException {
        exec("TRUNCATE agg_deployment_sets, agg_deployments, agg_files, agg_databases, agg_directories,"
                + " agg_set_counts, agg_database_counts, agg_version_counts, agg_rollouts, agg_page_marks");
    }

    @Override
    public void close() {
        db.close();
        scratch.close();
    }
}
