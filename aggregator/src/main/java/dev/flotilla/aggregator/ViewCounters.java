package dev.flotilla.aggregator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The end of a batch, in one statement: keeps {@code agg_set_counts}, {@code
 * agg_database_counts} and {@code agg_version_counts} equal to counting the rows, and moves each
 * set's {@code last_event_at} and {@code completed_at} once.
 *
 * <p>Each row records the bucket it is counted in ({@code counted}). The statement moves every
 * touched row whose bucket is no longer its state: it sets {@code counted} to the new bucket, keeps
 * the old one in {@code counted_was}, and turns the returned pairs into count deltas. The move reads
 * the row's latest committed version under its row lock, so it is exact whatever wrote the row
 * before (fenced or stale events, redelivery, another aggregator), and moving a row that did not
 * change is a no-op. Deltas are applied in key order, so two aggregators cannot deadlock on the
 * counts.
 */
final class ViewCounters {
    /** The bucket a database row is counted in. */
    static final String DATABASE_BUCKET = "ARRAY[coalesce(env, ''), coalesce(directory, ''), status]";
    /** The bucket a database row is counted in by version ({@code agg_version_counts}). */
    static final String VERSION_BUCKET = "ARRAY[coalesce(env, ''), coalesce(directory, ''),"
            + " coalesce(current_version, '')]";

    private static final String SETTLE = "WITH moved_deployments AS (UPDATE agg_deployments"
            + " SET counted_was = counted, counted = status"
            + " WHERE set_id = ANY(?) AND target_id = ANY(?) AND counted IS DISTINCT FROM status"
            + " RETURNING set_id, counted_was, counted),"
            + " set_counts AS (INSERT INTO agg_set_counts (set_id, status, n) SELECT set_id, status, sum(n)"
            + " FROM (SELECT set_id, counted_was AS status, -1 AS n FROM moved_deployments WHERE counted_was IS NOT NULL"
            + " UNION ALL SELECT set_id, counted, 1 FROM moved_deployments) d GROUP BY 1, 2 ORDER BY 1, 2"
            + " ON CONFLICT (set_id, status) DO UPDATE SET n = agg_set_counts.n + EXCLUDED.n),"
            // One update moves both buckets of a row (a row may be updated once per statement); a
            // bucket that did not move has its old value in the _was column and counts nothing.
            + " moved_databases AS (UPDATE agg_databases SET counted_was = counted, counted = " + DATABASE_BUCKET
            + ", version_was = version_counted, version_counted = " + VERSION_BUCKET
            + " WHERE target_id = ANY(?) AND (counted IS DISTINCT FROM " + DATABASE_BUCKET
            + " OR version_counted IS DISTINCT FROM " + VERSION_BUCKET + ")"
            + " RETURNING counted_was, counted, version_was, version_counted, env, name, seq),"
            + " database_counts AS (INSERT INTO agg_database_counts (env, directory, status, n)"
            + " SELECT b[1], b[2], b[3], sum(n) FROM (SELECT counted_was AS b, -1 AS n FROM moved_databases"
            + " WHERE counted_was IS NOT NULL AND counted_was IS DISTINCT FROM counted"
            + " UNION ALL SELECT counted, 1 FROM moved_databases WHERE counted_was IS DISTINCT FROM counted) d"
            + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 ON CONFLICT (env, directory, status)"
            + " DO UPDATE SET n = agg_database_counts.n + EXCLUDED.n),"
            + " version_counts AS (INSERT INTO agg_version_counts (env, directory, version, n)"
            + " SELECT b[1], b[2], b[3], sum(n) FROM (SELECT version_was AS b, -1 AS n FROM moved_databases"
            + " WHERE version_was IS NOT NULL AND version_was IS DISTINCT FROM version_counted"
            + " UNION ALL SELECT version_counted, 1 FROM moved_databases WHERE version_was IS DISTINCT FROM"
            + " version_counted) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 ON CONFLICT (env, directory, version)"
            + " DO UPDATE SET n = agg_version_counts.n + EXCLUDED.n)"
            + ", set_times AS (UPDATE agg_deployment_sets s SET last_event_at = greatest(s.last_event_at,"
            + " t.last_event::timestamptz), completed_at = greatest(s.completed_at, t.completed::timestamptz)"
            + " FROM unnest(?::text[], ?::text[], ?::text[]) AS t(id, last_event, completed) WHERE s.id = t.id)"
            // Rows counted for the first time are new: the page marks count them too.
            + " SELECT env, name, seq FROM moved_databases WHERE counted_was IS NULL";

    private final Connection c;

    ViewCounters(Connection c) {
        this.c = c;
    }

    /**
     * Recounts the deployments of these sets and targets (any pair of them) and the databases of
     * these targets; moves each set's last event and completion to at least the times given.
     *
     * @param times per set id: the latest event and the latest end of a deployment (either may be null)
     */
    void settle(Collection<String> sets, Collection<String> targets, Map<String, Instant[]> times,
            PageMarks.NewRows newRows) throws SQLException {
        if (targets.isEmpty() && times.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>();
        List<String> last = new ArrayList<>();
        List<String> completed = new ArrayList<>();
        times.forEach((id, t) -> {
            ids.add(id);
            last.add(t[0] == null ? null : t[0].toString());
            completed.add(t[1] == null ? null : t[1].toString());
        });
        try (PreparedStatement ps = c.prepareStatement(SETTLE)) {
            Object targetIds = JdbcViewWriter.textArrayParameter(targets.toArray());
            ps.setObject(1, JdbcViewWriter.textArrayParameter(sets.toArray()));
            ps.setObject(2, targetIds);
            ps.setObject(3, targetIds);
            ps.setObject(4, JdbcViewWriter.textArrayParameter(ids.toArray()));
            ps.setObject(5, JdbcViewWriter.textArrayParameter(last.toArray()));
            ps.setObject(6, JdbcViewWriter.textArrayParameter(completed.toArray()));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    newRows.add(rs.getString(1), rs.getString(2), rs.getLong(3));
                }
            }
        }
    }
}
