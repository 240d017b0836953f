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
 * {@code flotilla_databases_behind{env, directory}}: how many databases of an env are behind their
 * directory's latest push (labels env and directory only: never a tenant's name). Computed from
 * the kept counts per version ({@code agg_version_counts}, a row per env, directory and version)
 * and each directory's newest push, never from {@code agg_databases}: a refresh reads a few rows
 * however many databases there are. The service refreshes it on a timer, off the event loop.
 */
final class BehindGauge {
    /** Name of the gauge. */
    static final String NAME = "flotilla_databases_behind";
    /**
     * Databases behind per env and directory: a version whose count of versions behind is above 0,
     * or unknown (a push without its version list) while it is not the latest.
     */
    static final String BEHIND = "SELECT c.env, c.directory, coalesce(sum(c.n) FILTER (WHERE"
            + " coalesce(agg_versions_behind(l.versions, l.latest_version, nullif(c.version, '')), 1) > 0), 0) AS n"
            + " FROM agg_version_counts c CROSS JOIN LATERAL (SELECT d.versions, d.latest_version FROM agg_directories d"
            + " WHERE d.directory = c.directory ORDER BY d.pushed_at DESC, d.tag LIMIT 1) l"
            + " WHERE c.n <> 0 AND c.env <> '' GROUP BY 1, 2 ORDER BY 1, 2";

    private final ServiceStore db;
    private final MultiGauge gauge;
    /** The values shown: held here, since a gauge may hold its value weakly. */
    private volatile List<Long> values = List.of();

    BehindGauge(ServiceStore db, MeterRegistry meters) {
        this.db = db;
        this.gauge = MultiGauge.builder(NAME).description("databases behind their directory's latest version,"
                + " per env and directory").register(meters);
    }

    /** Reads the counts and replaces the gauge's series (a pair no longer counted goes). Blocking. */
    void refresh() throws SQLException {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(BEHIND);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Long n = rs.getLong(3);
                held.add(n);
                rows.add(MultiGauge.Row.of(Tags.of("env", rs.getString(1), "directory", rs.getString(2)), n));
            }
        }
        values = held;
        gauge.register(rows, true);
    }
}
