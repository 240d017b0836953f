package dev.flotilla.aggregator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Where every {@link #STEP}th database row stands in the databases' page order, so a page by
 * number ({@code GET /databases?page=N}) starts from the nearest mark instead of walking the
 * order from its end: at a million databases, a page in the middle walked 500,000 index entries
 * (100 ms); from a mark it walks fewer than {@link #STEP}.
 *
 * <p>Marks are kept for the order of all databases (env, name, seq) and for each env's order
 * (name, seq), with the number of rows they were taken over. Rows of {@code agg_databases} are
 * never deleted and never change their env, name or seq, so marks taken over as many rows as the
 * counters hold now are exact; after new rows they are not, and pages walk as before until
 * {@link ViewMaintenance} takes them again once the inserts have stopped.
 */
final class PageMarks {
    /** Rows between two marks. */
    static final int STEP = 1_000;

    /** The marks: {@code all_envs} for the order of all envs (scope ''), else one env's order. */
    static final String TABLE = "CREATE TABLE IF NOT EXISTS agg_database_marks (all_envs boolean NOT NULL,"
            + " scope text NOT NULL, k bigint NOT NULL, total bigint NOT NULL, env text NOT NULL, name text NOT NULL,"
            + " seq bigint NOT NULL, PRIMARY KEY (all_envs, scope, k))";

    /**
     * Takes the marks anew in one statement, so they and the totals they carry are of one snapshot;
     * the old ones stay readable until it commits. Rows without an env or name (events cannot carry
     * none: their Avro fields are not nullable) have no mark, and a page that would start from one
     * walks; with such rows in an env's order the positions of its later marks would be off by as
     * many, which the views never write.
     */
    private static final String TAKE = "INSERT INTO agg_database_marks (all_envs, scope, k, total, env, name, seq)"
            + " WITH r AS (SELECT env, name, seq, row_number() OVER (ORDER BY env, name, seq) - 1 AS g,"
            + " row_number() OVER (PARTITION BY env ORDER BY name, seq) - 1 AS e FROM agg_databases),"
            + " totals AS (SELECT env, sum(n) AS n FROM agg_database_counts GROUP BY env)"
            + " SELECT true, '', g / " + STEP + ", (SELECT coalesce(sum(n), 0) FROM totals), env, name, seq FROM r"
            + " WHERE g % " + STEP + " = 0 AND env IS NOT NULL AND name IS NOT NULL"
            + " UNION ALL SELECT false, r.env, e / " + STEP + ", t.n, r.env, name, seq FROM r JOIN totals t"
            + " ON t.env = r.env WHERE e % " + STEP + " = 0 AND name IS NOT NULL";

    /** The mark a page by number starts from: all_envs, scope, k and total are bound in this order. */
    static final String FIND = "SELECT env, name, seq FROM agg_database_marks WHERE all_envs = ? AND scope = ?"
            + " AND k = ? AND total = ?";

    private PageMarks() {
    }

    /** Replaces the marks with ones taken over the rows as they are now; answers how many. */
    static int take(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // Readers go on reading the old marks; another aggregator taking them waits for this one.
            s.execute("LOCK TABLE agg_database_marks IN EXCLUSIVE MODE");
            s.execute("DELETE FROM agg_database_marks");
            int n = s.executeUpdate(TAKE);
            c.commit();
            return n;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
