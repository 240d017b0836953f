package dev.flotilla.aggregator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The aggregator's tables: the status views, written only by the aggregator.
 *
 * <p>Counts are kept, not computed per request: {@code agg_set_counts} (deployments per set and
 * status) and {@code agg_database_counts} (databases per env, directory and status). A row is
 * counted under the bucket in its {@code counted} column; {@link ViewCounters} moves rows whose
 * bucket changed and adjusts the counts in the same transaction. Stores created before the counts
 * existed are counted once, when the column is added.
 */
final class ViewSchema {
    private ViewSchema() {
    }

    /**
     * How many of a directory version's migration versions come after a database's current one:
     * 0 at the latest; every version when the database has none; the versions after its own when
     * the list holds it, else those that sort after it (byte order, as Atlas orders file names).
     * Null when unknown: the push listed no versions (an older registry) and the database is not
     * at its latest.
     */
    static final String VERSIONS_BEHIND_FUNCTION = "CREATE OR REPLACE FUNCTION agg_versions_behind(vs text[],"
        + " latest_v text, current_v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE"
        + " WHEN current_v IS NOT DISTINCT FROM latest_v THEN 0"
        + " WHEN cardinality(vs) = 0 THEN NULL"
        + " WHEN current_v IS NULL THEN cardinality(vs)"
        + " WHEN array_position(vs, current_v) IS NOT NULL THEN cardinality(vs) - array_position(vs, current_v)"
        + " ELSE (SELECT count(*)::int FROM unnest(vs) v WHERE v COLLATE \"C\" > current_v COLLATE \"C\") END $$";

    /** The trigram index that serves the databases' name search. */
    static final String NAME_SEARCH_INDEX = "agg_databases_name_trgm";

    /** Adds a column to a store that predates it and fills it in, once: the column is the marker. */
    private static String countOnce(String table, String column, String fill) {
        String name = column.substring(0, column.indexOf(' '));
        return "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema ="
            + " current_schema() AND table_name = '" + table + "' AND column_name = '" + name + "') THEN"
            + " ALTER TABLE " + table + " ADD COLUMN " + column + "; " + fill + "; END IF; END $$";
    }

    static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS agg_deployment_sets (seq bigserial UNIQUE, id text PRIMARY KEY, env text,"
            + " directory text, version_id text, tag text, target_version text, planned int NOT NULL DEFAULT 0,"
            + " trigger text, dry_run boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL,"
            + " last_event_at timestamptz NOT NULL, completed_at timestamptz)",
        "ALTER TABLE agg_deployment_sets ADD COLUMN IF NOT EXISTS error text",
        "CREATE TABLE IF NOT EXISTS agg_deployments (set_id text NOT NULL, target_id text NOT NULL, target_name text,"
            + " env text, directory text, url text, status text NOT NULL, attempt int NOT NULL DEFAULT 0,"
            + " from_version text, to_version text, current_version text, database_id text, error text,"
            + " error_code text, started_at timestamptz, ended_at timestamptz, updated_at timestamptz NOT NULL,"
            + " worker_id text, counted text, counted_was text, PRIMARY KEY (set_id, target_id))",
        // The targets page of a set is ordered by name; the per-status counts come from
        // agg_set_counts, so no index on status (a status change stays a HOT update).
        "DROP INDEX IF EXISTS agg_deployments_status",
        "CREATE INDEX IF NOT EXISTS agg_deployments_names ON agg_deployments (set_id, target_name, target_id)",
        "CREATE TABLE IF NOT EXISTS agg_files (set_id text NOT NULL, target_id text NOT NULL, idx int NOT NULL,"
            + " name text NOT NULL, version text NOT NULL, description text, started_at timestamptz,"
            + " ended_at timestamptz, skipped int NOT NULL DEFAULT 0, applied jsonb NOT NULL, error_stmt text,"
            + " error_text text, PRIMARY KEY (set_id, target_id, idx))",
        "CREATE TABLE IF NOT EXISTS agg_databases (seq bigserial UNIQUE, target_id text PRIMARY KEY, env text,"
            + " name text, directory text, url text, database_id text, current_version text, target_version text,"
            + " status text NOT NULL, last_set_id text, last_deployment_at timestamptz, error text,"
            + " updated_at timestamptz NOT NULL, counted text[], counted_was text[])",
        // Pages are ordered by (env, name, seq): unique, so a page boundary is a key the next page
        // can start after, and the index hands out any page as an ordered (index-only) scan.
        "DROP INDEX IF EXISTS agg_databases_env",
        "CREATE INDEX IF NOT EXISTS agg_databases_page ON agg_databases (env, name, seq)",
        // GET /databases/{id} finds a database by its number, its target id or its
        // .atlas_cloud_identifier, each by an index; the identifier is written once per database,
        // so this index rarely keeps an update from being HOT.
        "CREATE INDEX IF NOT EXISTS agg_databases_database_id ON agg_databases (database_id)",
        "CREATE TABLE IF NOT EXISTS agg_directories (directory text NOT NULL, tag text NOT NULL,"
            + " version_id text NOT NULL, latest_version text, file_count int, pushed_at timestamptz NOT NULL,"
            + " PRIMARY KEY (directory, tag))",
        "CREATE INDEX IF NOT EXISTS agg_directories_page ON agg_directories (directory, pushed_at DESC, tag)",
        "CREATE TABLE IF NOT EXISTS agg_set_counts (set_id text NOT NULL, status text NOT NULL, n bigint NOT NULL,"
            + " PRIMARY KEY (set_id, status))",
        "CREATE TABLE IF NOT EXISTS agg_database_counts (env text NOT NULL, directory text NOT NULL,"
            + " status text NOT NULL, n bigint NOT NULL, PRIMARY KEY (env, directory, status))",
        countOnce("agg_deployment_sets", "completed_at timestamptz",
            "UPDATE agg_deployment_sets s SET completed_at = (SELECT max(d.ended_at) FROM agg_deployments d"
            + " WHERE d.set_id = s.id)"),
        countOnce("agg_deployments", "counted text, ADD COLUMN counted_was text",
            "UPDATE agg_deployments SET counted = status;"
            + " INSERT INTO agg_set_counts (set_id, status, n) SELECT set_id, status, count(*) FROM agg_deployments"
            + " GROUP BY set_id, status"),
        countOnce("agg_databases", "counted text[], ADD COLUMN counted_was text[]",
            "UPDATE agg_databases SET counted = " + ViewCounters.DATABASE_BUCKET + ";"
            + " INSERT INTO agg_database_counts (env, directory, status, n) SELECT coalesce(env, ''),"
            + " coalesce(directory, ''), status, count(*) FROM agg_databases GROUP BY 1, 2, 3"),
        // The rollout group of a target, from its command; null for targets that never got one.
        "ALTER TABLE agg_deployments ADD COLUMN IF NOT EXISTS group_name text",
        // The files' versions of a pushed version, in order (DirectoryPushed v3; empty before).
        "ALTER TABLE agg_directories ADD COLUMN IF NOT EXISTS versions text[] NOT NULL DEFAULT '{}'",
        // The latest RolloutChanged of each set (the highest epoch), from flotilla.rollouts.
        "CREATE TABLE IF NOT EXISTS agg_rollouts (set_id text PRIMARY KEY, epoch int NOT NULL, state text NOT NULL,"
            + " stopped_groups text[] NOT NULL DEFAULT '{}', reason text, actor text, changed_at timestamptz NOT NULL)",
        // Databases per env, directory and current version ('' for none), kept like agg_database_counts:
        // what flotilla_databases_behind is computed from without reading agg_databases.
        "CREATE TABLE IF NOT EXISTS agg_version_counts (env text NOT NULL, directory text NOT NULL,"
            + " version text NOT NULL, n bigint NOT NULL, PRIMARY KEY (env, directory, version))",
        countOnce("agg_databases", "version_counted text[], ADD COLUMN version_was text[]",
            "UPDATE agg_databases SET version_counted = " + ViewCounters.VERSION_BUCKET + ";"
            + " INSERT INTO agg_version_counts (env, directory, version, n) SELECT coalesce(env, ''),"
            + " coalesce(directory, ''), coalesce(current_version, ''), count(*) FROM agg_databases GROUP BY 1, 2, 3"),
        VERSIONS_BEHIND_FUNCTION,
        // The counted page marks. agg_database_marks, the marks taken only while no rows came in,
        // stays while aggregators from before may run beside this one (they read and retake it);
        // a later release drops it.
        PageMarks.TABLE,
        "DO $$ BEGIN " + PageMarks.LOCK + "; IF NOT EXISTS (SELECT 1 FROM agg_page_marks) THEN " + PageMarks.TAKE
            + "; END IF; END $$",
        // The unfinished sets, which flotilla_deployment_sets_running counts at every refresh.
        FleetGauges.INDEX,
        // The name search is "contains, in any case" (ILIKE '%…%'), which no B-tree serves: at
        // 100,000 databases it read every row twice (the count and the page), 387 ms p99. A trigram
        // index answers it from the rows that hold the text. pg_trgm ships with PostgreSQL (contrib,
        // in Debian's server package and in the embedded binaries) and is trusted since 13: a login
        // with CREATE on the database may add it. Where it cannot be added, the search still works,
        // by scanning, and the aggregator says so at start (searchIndexed).
        "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; EXCEPTION WHEN OTHERS THEN"
            + " RAISE WARNING 'pg_trgm cannot be added (%): the name search scans every database', SQLERRM; END $$",
        // The operator class is named in the extension's own schema, wherever it was installed.
        "DO $$ DECLARE s name; BEGIN SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n"
            + " ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; IF s IS NOT NULL THEN"
            + " EXECUTE format('CREATE INDEX IF NOT EXISTS " + NAME_SEARCH_INDEX
            + " ON agg_databases USING gin (name %I.gin_trgm_ops)', s); END IF; END $$",
        // Room on every page for the rows' next versions: a command's row is updated by its
        // progress, its result and the counters, and an update that finds room on its page and
        // changes no indexed column is HOT, adding no entry to any index (five on agg_databases,
        // the trigram index among them). Pages filled to the brim made every update add to all.
        "ALTER TABLE agg_databases SET (fillfactor = 70)",
        "ALTER TABLE agg_deployments SET (fillfactor = 70)",
    };

    /** Whether the name search has its index: false on a PostgreSQL without pg_trgm. */
    static boolean searchIndexed(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_indexes WHERE schemaname ="
                + " current_schema() AND indexname = ?")) {
            s.setString(1, NAME_SEARCH_INDEX);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }
}
