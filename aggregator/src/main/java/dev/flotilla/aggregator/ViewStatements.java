package dev.flotilla.aggregator;

/**
 * The statements {@link JdbcViewWriter} applies events with. Every write is idempotent and
 * guarded: a row keeps the newest event's state ({@code updated_at}), a deployment the newest
 * attempt's, so a redelivered or late event changes nothing it should not.
 */
final class ViewStatements {
    private ViewStatements() {
    }

    static final String DIRECTORY = "INSERT INTO agg_directories (directory, tag, version_id, latest_version,"
            + " file_count, pushed_at, versions) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (directory, tag) DO UPDATE SET"
            + " version_id = EXCLUDED.version_id, latest_version = EXCLUDED.latest_version,"
            + " file_count = EXCLUDED.file_count, pushed_at = EXCLUDED.pushed_at, versions = EXCLUDED.versions"
            + " WHERE agg_directories.pushed_at <= EXCLUDED.pushed_at";
    static final String SET_UPDATE = "UPDATE agg_deployment_sets SET env = ?, directory = ?, version_id = ?,"
            + " tag = ?, target_version = ?, planned = ?, trigger = ?, dry_run = ?, error = ?, created_at = ?"
            + " WHERE id = ?";
    static final String SET_INSERT = "INSERT INTO agg_deployment_sets (env, directory, version_id, tag,"
            + " target_version, planned, trigger, dry_run, error, created_at, id, last_event_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String ENSURE_SET = "INSERT INTO agg_deployment_sets (id, env, directory, created_at,"
            + " last_event_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM agg_deployment_sets WHERE id = ?)";
    /** What a command does to its target's database row that exists. */
    static final String COMMAND_CONFLICT = " ON CONFLICT (target_id) DO UPDATE SET"
            + " directory = EXCLUDED.directory, url = EXCLUDED.url, target_version = EXCLUDED.target_version,"
            + " status = CASE WHEN agg_databases.current_version IS NOT DISTINCT FROM EXCLUDED.target_version"
            + " AND agg_databases.status <> 'FAILED' THEN 'SYNCED' ELSE 'PENDING' END,"
            + " updated_at = EXCLUDED.updated_at WHERE agg_databases.updated_at <= EXCLUDED.updated_at";
    /**
     * A command's deployment: new, QUEUED; one that its result made first only learns its group
     * (the update count then says 1 as for a new row: it only steers {@link ViewMaintenance}).
     */
    static final String COMMAND_DEPLOYMENT = "INSERT INTO agg_deployments (set_id, target_id, target_name, env,"
            + " directory, url, status, attempt, to_version, updated_at, group_name)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', 0, ?, ?, ?) ON CONFLICT (set_id, target_id) DO UPDATE SET"
            + " group_name = EXCLUDED.group_name WHERE agg_deployments.group_name IS NULL"
            + " AND EXCLUDED.group_name IS NOT NULL";
    static final String COMMAND_DATABASE = "INSERT INTO agg_databases (target_id, env, name, directory, url,"
            + " target_version, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?)" + COMMAND_CONFLICT;
    /**
     * Commands of distinct targets (a fan-out), set-based: new deployments are inserted QUEUED and
     * new databases PENDING, both counted at once (so the batch's end need not move them); answers
     * how many deployments were new, and the target ids, envs, names and seqs of the new databases.
     */
    static final String FAN_OUT = "WITH c AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS c(set_id, target_id, target_name, env,"
            + " directory, url, target_version, at, group_name)),"
            + " queued AS (INSERT INTO agg_deployments (set_id, target_id, target_name, env, directory, url, status,"
            + " attempt, to_version, updated_at, counted, group_name) SELECT set_id, target_id, target_name, env,"
            + " directory, url, 'QUEUED', 0, target_version, at::timestamptz, 'QUEUED', group_name FROM c"
            + " ON CONFLICT DO NOTHING RETURNING set_id),"
            // Deployments their results made first (not those inserted above: a statement sees the rows as
            // they were when it began) learn their group.
            + " grouped AS (UPDATE agg_deployments d SET group_name = c.group_name FROM c WHERE d.set_id = c.set_id"
            + " AND d.target_id = c.target_id AND d.group_name IS NULL AND c.group_name IS NOT NULL),"
            + " queued_counts AS (INSERT INTO agg_set_counts (set_id, status, n) SELECT set_id, 'QUEUED', count(*)"
            + " FROM queued GROUP BY set_id ORDER BY set_id"
            + " ON CONFLICT (set_id, status) DO UPDATE SET n = agg_set_counts.n + EXCLUDED.n),"
            + " pending AS (INSERT INTO agg_databases (target_id, env, name, directory, url, target_version, status,"
            + " updated_at, counted, version_counted) SELECT target_id, env, target_name, directory, url,"
            + " target_version, 'PENDING', at::timestamptz, ARRAY[coalesce(env, ''), coalesce(directory, ''),"
            + " 'PENDING'], ARRAY[coalesce(env, ''), coalesce(directory, ''), ''] FROM c"
            + " ON CONFLICT DO NOTHING RETURNING target_id, counted, version_counted, env, name, seq),"
            + " pending_counts AS (INSERT INTO agg_database_counts (env, directory, status, n)"
            + " SELECT counted[1], counted[2], counted[3], count(*) FROM pending GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            + " ON CONFLICT (env, directory, status) DO UPDATE SET n = agg_database_counts.n + EXCLUDED.n),"
            + " pending_versions AS (INSERT INTO agg_version_counts (env, directory, version, n)"
            + " SELECT version_counted[1], version_counted[2], version_counted[3], count(*) FROM pending"
            + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            + " ON CONFLICT (env, directory, version) DO UPDATE SET n = agg_version_counts.n + EXCLUDED.n)"
            + " SELECT (SELECT count(*) FROM queued), array_agg(target_id), array_agg(env), array_agg(name),"
            + " array_agg(seq) FROM pending";
    /** The commands of a fan-out whose database rows exist: one upsert statement for all. */
    static final String FAN_OUT_EXISTING = "INSERT INTO agg_databases (target_id, env, name, directory, url,"
            + " target_version, status, updated_at) SELECT target_id, env, target_name, directory, url, target_version,"
            + " 'PENDING', at::timestamptz FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[]) AS c(target_id, env, target_name, directory, url, target_version, at)"
            + COMMAND_CONFLICT;
    /** A deployment that started shows RUNNING until its result arrives; older attempts are ignored. */
    static final String PROGRESS = "UPDATE agg_deployments SET status = 'RUNNING', attempt = ?,"
            + " started_at = coalesce(started_at, ?), updated_at = ?, error = NULL, error_code = NULL WHERE set_id = ? AND target_id = ?"
            + " AND status IN ('QUEUED', 'RUNNING') AND attempt <= ?";
    /** What a result that changed its deployment does to its database row, unless a newer event did more. */
    private static final String RESULT_DATABASE = " ON CONFLICT (target_id) DO UPDATE SET"
            + " database_id = coalesce(EXCLUDED.database_id, agg_databases.database_id),"
            + " current_version = coalesce(EXCLUDED.current_version, agg_databases.current_version),"
            // The status is the result's, against the version it aimed for: a result read before its
            // own command (another topic) must not leave the older command's target beside it.
            + " target_version = coalesce(EXCLUDED.target_version, agg_databases.target_version),"
            + " status = EXCLUDED.status, last_set_id = EXCLUDED.last_set_id,"
            + " last_deployment_at = EXCLUDED.last_deployment_at, error = EXCLUDED.error,"
            + " updated_at = EXCLUDED.updated_at WHERE agg_databases.updated_at <= EXCLUDED.updated_at";
    /** The columns {@link #RESULT} writes, in its order: the set-based form binds one array per column. */
    private static final String RESULT_COLUMNS = "set_id, target_id, target_name, env, directory, url, status,"
            + " attempt, from_version, to_version, current_version, database_id, error, error_code, started_at,"
            + " ended_at, updated_at, worker_id";
    /** {@link #RESULT}'s guard: a newer attempt wins, and a redelivered NO_ACTION never hides what its run did. */
    private static final String RESULT_CONFLICT = " ON CONFLICT (set_id, target_id) DO UPDATE SET"
            + " status = EXCLUDED.status, attempt = EXCLUDED.attempt,"
            + " from_version = EXCLUDED.from_version, to_version = EXCLUDED.to_version,"
            + " current_version = EXCLUDED.current_version, database_id = EXCLUDED.database_id,"
            + " error = EXCLUDED.error, error_code = EXCLUDED.error_code, started_at = EXCLUDED.started_at,"
            + " ended_at = EXCLUDED.ended_at, updated_at = EXCLUDED.updated_at, worker_id = EXCLUDED.worker_id"
            + " WHERE agg_deployments.attempt < EXCLUDED.attempt OR (agg_deployments.attempt = EXCLUDED.attempt"
            // A redelivered command finds its work done and reports NO_ACTION: that must not
            // hide the PASSED or FAILED of the run that did the work.
            + " AND NOT (agg_deployments.status IN ('PASSED', 'FAILED') AND EXCLUDED.status = 'NO_ACTION'))";
    /** A result's deployment: inserted, or updated unless it is older than what the row holds. */
    static final String RESULT = "INSERT INTO agg_deployments (" + RESULT_COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + RESULT_CONFLICT;
    /**
     * {@link #RESULT} for the results of distinct targets, in one statement over one array per
     * column (a pipelined batch costs the server a statement per result; this one, a row each):
     * answers the target ids whose deployment it changed.
     */
    static final String RESULTS = "INSERT INTO agg_deployments (" + RESULT_COLUMNS + ") SELECT set_id, target_id,"
            + " target_name, env, directory, url, status, attempt, from_version, to_version, current_version,"
            + " database_id, error, error_code, started_at::timestamptz, ended_at::timestamptz,"
            + " updated_at::timestamptz, worker_id FROM unnest(?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS r(" + RESULT_COLUMNS + ")"
            + RESULT_CONFLICT + " RETURNING target_id";
    /**
     * {@link #RESULT_APPLIED} for the results of distinct targets, in one statement: the results as
     * one array per column, their file logs flattened into one array per column with the result's
     * set, target and each file's index.
     */
    static final String RESULTS_APPLIED = "WITH r AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::int4[]) AS r(set_id, target_id, env, name, directory, url, database_id,"
            + " current_version, target_version, status, ended_at, error, updated_at, files)),"
            + " f AS (SELECT * FROM unnest(?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::text[]) AS f(set_id, target_id, idx, name,"
            + " version, description, started_at, ended_at, skipped, applied, error_stmt, error_text)),"
            + " gone AS (DELETE FROM agg_files a USING r WHERE a.set_id = r.set_id AND a.target_id = r.target_id"
            + " AND a.idx >= r.files),"
            + " kept AS (INSERT INTO agg_files (set_id, target_id, idx, name, version, description, started_at,"
            + " ended_at, skipped, applied, error_stmt, error_text) SELECT set_id, target_id, idx, name, version,"
            + " description, started_at::timestamptz, ended_at::timestamptz, skipped, applied::jsonb, error_stmt,"
            + " error_text FROM f ON CONFLICT (set_id, target_id, idx) DO UPDATE SET name = EXCLUDED.name,"
            + " version = EXCLUDED.version, description = EXCLUDED.description, started_at = EXCLUDED.started_at,"
            + " ended_at = EXCLUDED.ended_at, skipped = EXCLUDED.skipped, applied = EXCLUDED.applied,"
            + " error_stmt = EXCLUDED.error_stmt, error_text = EXCLUDED.error_text)"
            + " INSERT INTO agg_databases (target_id, env, name, directory, url, database_id, current_version,"
            + " target_version, status, last_set_id, last_deployment_at, error, updated_at) SELECT target_id, env,"
            + " name, directory, url, database_id, current_version, target_version, status, set_id,"
            + " ended_at::timestamptz, error, updated_at::timestamptz FROM r" + RESULT_DATABASE;
    /**
     * What a terminal SKIPPED result that changed its deployment does to the rest of the views: the
     * deployment has no file log (an earlier attempt's goes), and a skip never makes a database
     * SYNCED. A database not at the version the set aimed for is PENDING (behind it: its command may
     * never have been sent, a group that did not start), a FAILED one stays FAILED, one at that
     * version keeps its status; a target the views did not know yet appears PENDING. The newest
     * event wins, as for the other writes of a database row.
     */
    static final String SKIPPED_APPLIED = "WITH gone AS (DELETE FROM agg_files WHERE set_id = ? AND target_id = ?)"
            + " INSERT INTO agg_databases (target_id, env, name, directory, url, database_id, current_version,"
            + " target_version, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?)"
            + " ON CONFLICT (target_id) DO UPDATE SET"
            + " target_version = coalesce(EXCLUDED.target_version, agg_databases.target_version),"
            + " status = CASE WHEN agg_databases.status = 'FAILED' OR EXCLUDED.target_version IS NULL"
            + " OR agg_databases.current_version IS NOT DISTINCT FROM EXCLUDED.target_version"
            + " THEN agg_databases.status ELSE 'PENDING' END, updated_at = EXCLUDED.updated_at"
            + " WHERE agg_databases.updated_at <= EXCLUDED.updated_at";
    /**
     * What a result that changed its deployment does to the rest of the views, in one statement:
     * its file log replaces the deployment's (rows past its length go, the others are upserted),
     * and it moves the target's database row unless a newer event already did.
     */
    static final String RESULT_APPLIED = "WITH files AS (SELECT * FROM unnest(?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY"
            + " AS f(name, version, description, started_at, ended_at, skipped, applied, error_stmt, error_text, i)),"
            + " gone AS (DELETE FROM agg_files WHERE set_id = ? AND target_id = ? AND idx >= (SELECT count(*) FROM files)),"
            + " kept AS (INSERT INTO agg_files (set_id, target_id, idx, name, version, description, started_at,"
            + " ended_at, skipped, applied, error_stmt, error_text) SELECT ?, ?, i - 1, name, version, description,"
            + " started_at::timestamptz, ended_at::timestamptz, skipped, applied::jsonb, error_stmt, error_text"
            + " FROM files ON CONFLICT (set_id, target_id, idx) DO UPDATE SET name = EXCLUDED.name,"
            + " version = EXCLUDED.version, description = EXCLUDED.description, started_at = EXCLUDED.started_at,"
            + " ended_at = EXCLUDED.ended_at, skipped = EXCLUDED.skipped, applied = EXCLUDED.applied,"
            + " error_stmt = EXCLUDED.error_stmt, error_text = EXCLUDED.error_text)"
            + " INSERT INTO agg_databases (target_id, env, name, directory, url,"
            + " database_id, current_version, target_version, status, last_set_id, last_deployment_at, error,"
            + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + RESULT_DATABASE;
}
