package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The views' schema: a store written before the counts existed is counted once; maintenance runs on it. */
class ViewSchemaIT {
    /** The views as they were before the counts. */
    private static final String[] BEFORE_COUNTS = {
        "CREATE TABLE agg_deployment_sets (seq bigserial UNIQUE, id text PRIMARY KEY, env text, directory text,"
            + " version_id text, tag text, target_version text, planned int NOT NULL DEFAULT 0, trigger text,"
            + " dry_run boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL,"
            + " last_event_at timestamptz NOT NULL)",
        "CREATE TABLE agg_deployments (set_id text NOT NULL, target_id text NOT NULL, target_name text, env text,"
            + " directory text, url text, status text NOT NULL, attempt int NOT NULL DEFAULT 0, from_version text,"
            + " to_version text, current_version text, database_id text, error text, error_code text,"
            + " started_at timestamptz, ended_at timestamptz, updated_at timestamptz NOT NULL, worker_id text,"
            + " PRIMARY KEY (set_id, target_id))",
        "CREATE INDEX agg_deployments_status ON agg_deployments (set_id, status)",
        "CREATE TABLE agg_databases (seq bigserial UNIQUE, target_id text PRIMARY KEY, env text, name text,"
            + " directory text, url text, database_id text, current_version text, target_version text,"
            + " status text NOT NULL, last_set_id text, last_deployment_at timestamptz, error text,"
            + " updated_at timestamptz NOT NULL)",
        "CREATE INDEX agg_databases_env ON agg_databases (env, name)",
        "INSERT INTO agg_deployment_sets (id, created_at, last_event_at) VALUES ('a', now(), now()), ('b', now(), now())",
        "INSERT INTO agg_deployments (set_id, target_id, status, ended_at, updated_at) VALUES"
            + " ('a', 'p/1', 'PASSED', '2026-01-01T00:00:01Z', now()), ('a', 'p/2', 'PASSED', '2026-01-01T00:00:03Z',"
            + " now()), ('a', 'p/3', 'FAILED', '2026-01-01T00:00:02Z', now()), ('b', 'p/1', 'QUEUED', null, now())",
        "INSERT INTO agg_databases (target_id, env, name, directory, status, updated_at) VALUES"
            + " ('p/1', 'p', '1', 'app', 'PENDING', now()), ('p/2', 'p', '2', 'app', 'SYNCED', now()),"
            + " ('p/3', 'p', '3', 'app', 'FAILED', now()), ('s/1', 's', '1', null, 'SYNCED', now())",
    };

    @Test
    void anOldStoreIsCountedOnceAndKeepsCountingAfterwards() throws Exception {
        try (ScratchDatabase scratch = TestDatabases.postgresDatabase("schema");
             ServiceStore db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 2, "schema-test")) {
            db.migrate(BEFORE_COUNTS);

            db.migrate(ViewSchema.DDL);
            db.migrate(ViewSchema.DDL);

            assertThat(rows(db, "SELECT * FROM agg_set_counts ORDER BY 1, 2")).containsExactly(
                    List.of("a", "FAILED", 1L), List.of("a", "PASSED", 2L), List.of("b", "QUEUED", 1L));
            assertThat(rows(db, "SELECT * FROM agg_database_counts ORDER BY 1, 2, 3")).containsExactly(
                    List.of("p", "app", "FAILED", 1L), List.of("p", "app", "PENDING", 1L),
                    List.of("p", "app", "SYNCED", 1L), List.of("s", "", "SYNCED", 1L));
            assertThat(rows(db, "SELECT * FROM agg_version_counts ORDER BY 1, 2, 3")).as("by current version")
                    .containsExactly(List.of("p", "app", "", 3L), List.of("s", "", "", 1L));
            assertThat(rows(db, "SELECT id, completed_at::text FROM agg_deployment_sets ORDER BY 1")).containsExactly(
                    List.of("a", "2026-01-01 00:00:03+00"), java.util.Arrays.asList("b", null));
            assertThat(rows(db, "SELECT indexname FROM pg_indexes WHERE tablename IN ('agg_deployments',"
                    + " 'agg_databases') AND indexname NOT LIKE '%pkey' ORDER BY 1")).containsExactly(
                    List.of("agg_databases_database_id"), List.of("agg_databases_name_trgm"), List.of("agg_databases_page"),
                    List.of("agg_databases_seq_key"),
                    List.of("agg_deployments_names"));

            try (Connection c = db.connection()) {
                c.setAutoCommit(false);
                new JdbcViewWriter(c).apply(List.of(new Events(java.time.Instant.now())
                        .result("b", "p/1", "PASSED", 1, "2", "2", 0)));
                c.commit();
            }

            assertThat(rows(db, "SELECT * FROM agg_set_counts WHERE set_id = 'b' ORDER BY 1, 2")).containsExactly(
                    List.of("b", "PASSED", 1L), List.of("b", "QUEUED", 0L));
            assertThat(rows(db, "SELECT * FROM agg_database_counts WHERE env = 'p' ORDER BY 1, 2, 3")).containsExactly(
                    List.of("p", "app", "FAILED", 1L), List.of("p", "app", "PENDING", 0L),
                    List.of("p", "app", "SYNCED", 2L));
            assertThat(rows(db, "SELECT * FROM agg_version_counts WHERE env = 'p' ORDER BY 1, 2, 3")).containsExactly(
                    List.of("p", "app", "", 2L), List.of("p", "app", "2", 1L));
        }
    }

    @Test
    void theMaintenanceRefreshesStatisticsAndTheVisibilityMapOfTheViews() throws Exception {
        try (ScratchDatabase scratch = TestDatabases.postgresDatabase("schema");
             ServiceStore db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 2, "schema-test")) {
            db.migrate(ViewSchema.DDL);

            ViewMaintenance.refresh(db, false);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rows(db, "SELECT relname,"
                    + " vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname IN ('agg_databases',"
                    + " 'agg_deployments') ORDER BY 1")).containsExactly(List.of("agg_databases", 1L, 1L),
                    List.of("agg_deployments", 0L, 1L)));
        }
    }

    private static List<List<Object>> rows(ServiceStore db, String sql) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<List<Object>> out = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }
}
