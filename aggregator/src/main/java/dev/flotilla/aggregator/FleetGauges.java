package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet as the dashboards and alerts see it, from the views:
 * {@code flotilla_databases{env, directory, status}} (databases by Atlas Cloud status) and
 * {@code flotilla_deployment_sets_running{env, directory, state}} (sets not finished yet, by their
 * rollout's state: RUNNING, PAUSED or HALTED; 0 for a state no set of the pair is in). Labels are
 * env, directory and a status only, never a tenant or a set id, so the series stay as many as the
 * envs and directories, whatever the fleet's size. Read from the kept counts ({@code agg_database_counts}) and from the unfinished sets
 * through a partial index, never from a scan of {@code agg_databases}: a refresh reads a few rows
 * however many databases there are. The service refreshes them on a timer, off the event loop.
 */
final class FleetGauges {
    /** Databases by env, directory and status. */
    static final String DATABASES = "flotilla_databases";
    /** Unfinished deployment sets by env, directory and rollout state. */
    static final String SETS_RUNNING = "flotilla_deployment_sets_running";
    /** The rollout states of a set that is not finished. */
    static final String UNFINISHED = "('RUNNING', 'PAUSED', 'HALTED')";
    /** Keeps the unfinished sets' query off a scan of every set ever rolled out. */
    static final String INDEX = "CREATE INDEX IF NOT EXISTS agg_rollouts_unfinished ON agg_rollouts (set_id)"
            + " WHERE state IN " + UNFINISHED;

    private static final String DATABASE_COUNTS = "SELECT env, directory, status, n FROM agg_database_counts"
            + " WHERE env <> '' ORDER BY 1, 2, 3";
    /**
     * Every unfinished state of every env and directory with databases or unfinished sets, 0 where
     * none is in that state: a dashboard shows 0 rather than no data, and the series stay put.
     */
    private static final String RUNNING = "WITH running AS (SELECT coalesce(s.env, '') AS env,"
            + " coalesce(s.directory, '') AS directory, r.state, count(*) AS n FROM agg_rollouts r"
            + " JOIN agg_deployment_sets s ON s.id = r.set_id WHERE r.state IN " + UNFINISHED + " GROUP BY 1, 2, 3),"
            + " pairs AS (SELECT env, directory FROM agg_database_counts WHERE env <> ''"
            + " UNION SELECT env, directory FROM running)"
            + " SELECT p.env, p.directory, st.state, coalesce(r.n, 0) FROM pairs p"
            + " CROSS JOIN (VALUES ('RUNNING'), ('PAUSED'), ('HALTED')) AS st (state)"
            + " LEFT JOIN running r ON r.env = p.env AND r.directory = p.directory AND r.state = st.state"
            + " ORDER BY 1, 2, 3";

    private final ServiceStore db;
    private final MultiGauge databases;
    private final MultiGauge running;
    /** The values shown: held here, since a gauge may hold its value weakly. */
    private volatile List<Long> values = List.of();

    FleetGauges(ServiceStore db, MeterRegistry meters) {
        this.db = db;
        this.databases = MultiGauge.builder(DATABASES).description("databases by env, directory and status"
                + " (SYNCED, PENDING, FAILED)").register(meters);
        this.running = MultiGauge.builder(SETS_RUNNING).description("deployment sets not finished yet, by env,"
                + " directory and rollout state").register(meters);
    }

    /** Reads the counts and replaces both gauges' series (a combination no longer counted goes). Blocking. */
    void refresh() throws SQLException {
        List<Long> held = new ArrayList<>();
        List<MultiGauge.Row<?>> dbRows = new ArrayList<>();
        List<MultiGauge.Row<?>> setRows = new ArrayList<>();
        try (Connection c = db.connection()) {
            read(c, DATABASE_COUNTS, "status", held, dbRows);
            read(c, RUNNING, "state", held, setRows);
        }
        values = held;
        databases.register(dbRows, true);
        running.register(setRows, true);
    }

    private static void read(Connection c, String sql, String label, List<Long> held, List<MultiGauge.Row<?>> rows)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Long n = rs.getLong(4);
                held.add(n);
                rows.add(MultiGauge.Row.of(Tags.of("env", rs.getString(1), "directory", rs.getString(2), label,
                        rs.getString(3)), n));
            }
        }
    }
}
