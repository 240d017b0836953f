package dev.flotilla.aggregator;

/** The aggregator's tables: the status views, written only by the aggregator. */
final class ViewSchema {
    private ViewSchema() {
    }

    static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS agg_deployment_sets (seq bigserial UNIQUE, id text PRIMARY KEY, env text,"
            + " directory text, version_id text, tag text, target_version text, planned int NOT NULL DEFAULT 0,"
            + " trigger text, dry_run boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL,"
            + " last_event_at timestamptz NOT NULL)",
        "CREATE TABLE IF NOT EXISTS agg_deployments (set_id text NOT NULL, target_id text NOT NULL, target_name text,"
            + " env text, directory text, url text, status text NOT NULL, attempt int NOT NULL DEFAULT 0,"
            + " from_version text, to_version text, current_version text, database_id text, error text,"
            + " error_code text, started_at timestamptz, ended_at timestamptz, updated_at timestamptz NOT NULL,"
            + " worker_id text, PRIMARY KEY (set_id, target_id))",
        "CREATE INDEX IF NOT EXISTS agg_deployments_status ON agg_deployments (set_id, status)",
        "CREATE TABLE IF NOT EXISTS agg_files (set_id text NOT NULL, target_id text NOT NULL, idx int NOT NULL,"
            + " name text NOT NULL, version text NOT NULL, description text, started_at timestamptz,"
            + " ended_at timestamptz, skipped int NOT NULL DEFAULT 0, applied jsonb NOT NULL, error_stmt text,"
            + " error_text text, PRIMARY KEY (set_id, target_id, idx))",
        "CREATE TABLE IF NOT EXISTS agg_databases (seq bigserial UNIQUE, target_id text PRIMARY KEY, env text,"
            + " name text, directory text, url text, database_id text, current_version text, target_version text,"
            + " status text NOT NULL, last_set_id text, last_deployment_at timestamptz, error text,"
            + " updated_at timestamptz NOT NULL)",
        "CREATE INDEX IF NOT EXISTS agg_databases_env ON agg_databases (env, name)",
        "CREATE TABLE IF NOT EXISTS agg_directories (directory text NOT NULL, tag text NOT NULL,"
            + " version_id text NOT NULL, latest_version text, file_count int, pushed_at timestamptz NOT NULL,"
            + " PRIMARY KEY (directory, tag))",
    };
}
