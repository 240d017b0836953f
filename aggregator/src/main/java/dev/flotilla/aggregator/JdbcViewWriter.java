package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Applies events to the views with idempotent upserts: any event may arrive twice or out of
 * order (a result before its command), and a result from an older attempt never overwrites a
 * newer one. Runs inside the caller's transaction.
 */
final class JdbcViewWriter {
    private final Connection c;

    JdbcViewWriter(Connection c) {
        this.c = c;
    }

    void directory(DirectoryPushed e) throws SQLException {
        exec("INSERT INTO agg_directories (directory, tag, version_id, latest_version, file_count, pushed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (directory, tag) DO UPDATE SET version_id ="
                + " EXCLUDED.version_id, latest_version = EXCLUDED.latest_version, file_count = EXCLUDED.file_count,"
                + " pushed_at = EXCLUDED.pushed_at WHERE agg_directories.pushed_at <= EXCLUDED.pushed_at",
                e.getDirectory(), e.getTag(), e.getVersionId(), e.getLatestVersion(), e.getFileCount(),
                ts(e.getOccurredAt()));
    }

    void set(DeploymentSetCreated e) throws SQLException {
        // Update first, insert only when missing: an upsert would burn a sequence number (the
        // set's user-facing ID) on every conflict.
        int n = update("UPDATE agg_deployment_sets SET env = ?, directory = ?, version_id = ?, tag = ?,"
                + " target_version = ?, planned = ?, trigger = ?, dry_run = ?, created_at = ? WHERE id = ?",
                e.getEnv(), e.getDirectory(), e.getVersionId(), e.getTag(), e.getTargetVersion(), e.getPlanned(),
                e.getTrigger(), e.getDryRun(), ts(e.getOccurredAt()), e.getDeploymentSetId());
        if (n == 0) {
            exec("INSERT INTO agg_deployment_sets (id, env, directory, version_id, tag, target_version, planned,"
                    + " trigger, dry_run, created_at, last_event_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    e.getDeploymentSetId(), e.getEnv(), e.getDirectory(), e.getVersionId(), e.getTag(),
                    e.getTargetVersion(), e.getPlanned(), e.getTrigger(), e.getDryRun(), ts(e.getOccurredAt()),
                    ts(e.getOccurredAt()));
        }
    }

    void command(MigrationCommand e) throws SQLException {
        ensureSet(e.getDeploymentSetId(), e.getEnv(), e.getDirectory(), e.getOccurredAt());
        exec("INSERT INTO agg_deployments (set_id, target_id, target_name, env, directory, url, status, attempt,"
                + " to_version, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'QUEUED', 0, ?, ?) ON CONFLICT DO NOTHING",
                e.getDeploymentSetId(), e.getTargetId(), e.getTargetName(), e.getEnv(), e.getDirectory(),
                e.getRedactedUrl(), e.getTargetVersion(), ts(e.getOccurredAt()));
        exec("INSERT INTO agg_databases (target_id, env, name, directory, url, target_version, status, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?) ON CONFLICT (target_id) DO UPDATE SET"
                + " directory = EXCLUDED.directory, url = EXCLUDED.url, target_version = EXCLUDED.target_version,"
                + " status = CASE WHEN agg_databases.current_version IS NOT DISTINCT FROM EXCLUDED.target_version"
                + " AND agg_databases.status <> 'FAILED' THEN 'SYNCED' ELSE 'PENDING' END,"
                + " updated_at = EXCLUDED.updated_at WHERE agg_databases.updated_at <= EXCLUDED.updated_at",
                e.getTargetId(), e.getEnv(), e.getTargetName(), e.getDirectory(), e.getRedactedUrl(),
                e.getTargetVersion(), ts(e.getOccurredAt()));
    }

    /** A deployment that started shows RUNNING until its result arrives; older attempts are ignored. */
    void progress(MigrationProgress p) throws SQLException {
        exec("UPDATE agg_deployments SET status = 'RUNNING', attempt = ?, started_at = coalesce(started_at, ?),"
                + " updated_at = ? WHERE set_id = ? AND target_id = ? AND status IN ('QUEUED', 'RUNNING')"
                + " AND attempt <= ?", p.getAttempt(), ts(p.getOccurredAt()), ts(p.getOccurredAt()),
                p.getDeploymentSetId(), p.getTargetId(), p.getAttempt());
        exec("UPDATE agg_deployment_sets SET last_event_at = greatest(last_event_at, ?) WHERE id = ?",
                ts(p.getOccurredAt()), p.getDeploymentSetId());
    }

    /** Returns false when the result was stale (an older attempt) and changed nothing. */
    boolean result(MigrationResult r) throws SQLException {
        ensureSet(r.getDeploymentSetId(), r.getEnv(), r.getDirectory(), r.getOccurredAt());
        int n = update("INSERT INTO agg_deployments (set_id, target_id, target_name, env, directory, url, status,"
                + " attempt, from_version, to_version, current_version, database_id, error, error_code, started_at,"
                + " ended_at, updated_at, worker_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (set_id, target_id) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt,"
                + " from_version = EXCLUDED.from_version, to_version = EXCLUDED.to_version,"
                + " current_version = EXCLUDED.current_version, database_id = EXCLUDED.database_id,"
                + " error = EXCLUDED.error, error_code = EXCLUDED.error_code, started_at = EXCLUDED.started_at,"
                + " ended_at = EXCLUDED.ended_at, updated_at = EXCLUDED.updated_at, worker_id = EXCLUDED.worker_id"
                + " WHERE agg_deployments.attempt < EXCLUDED.attempt OR (agg_deployments.attempt = EXCLUDED.attempt"
                // A redelivered command finds its work done and reports NO_ACTION: that must not
                // hide the PASSED or FAILED of the run that did the work.
                + " AND NOT (agg_deployments.status IN ('PASSED', 'FAILED') AND EXCLUDED.status = 'NO_ACTION'))",
                r.getDeploymentSetId(), r.getTargetId(), r.getTargetName(), r.getEnv(), r.getDirectory(),
                r.getRedactedUrl(), r.getStatus(), r.getAttempt(), r.getFromVersion(), r.getToVersion(),
                r.getCurrentVersion(), r.getDatabaseId(), r.getError(), r.getErrorCode(), ts(r.getStartedAt()),
                ts(r.getEndedAt()), ts(r.getOccurredAt()), r.getWorkerId());
        if (n == 0) {
            return false;
        }
        files(r);
        database(r);
        exec("UPDATE agg_deployment_sets SET last_event_at = greatest(last_event_at, ?) WHERE id = ?",
                ts(r.getOccurredAt()), r.getDeploymentSetId());
        return true;
    }

    private void files(MigrationResult r) throws SQLException {
        exec("DELETE FROM agg_files WHERE set_id = ? AND target_id = ?", r.getDeploymentSetId(), r.getTargetId());
        List<FileLog> files = r.getFiles();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO agg_files (set_id, target_id, idx, name, version,"
                + " description, started_at, ended_at, skipped, applied, error_stmt, error_text)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)")) {
            for (int i = 0; i < files.size(); i++) {
                FileLog f = files.get(i);
                bind(ps, r.getDeploymentSetId(), r.getTargetId(), i, f.getName(), f.getVersion(), f.getDescription(),
                        ts(f.getStartedAt()), ts(f.getEndedAt()), f.getSkipped(), JsonText.array(f.getApplied()),
                        f.getErrorStmt(), f.getErrorText());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void database(MigrationResult r) throws SQLException {
        exec("INSERT INTO agg_databases (target_id, env, name, directory, url, database_id, current_version,"
                + " target_version, status, last_set_id, last_deployment_at, error, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target_id) DO UPDATE SET"
                + " database_id = coalesce(EXCLUDED.database_id, agg_databases.database_id),"
                + " current_version = coalesce(EXCLUDED.current_version, agg_databases.current_version),"
                + " status = EXCLUDED.status, last_set_id = EXCLUDED.last_set_id,"
                + " last_deployment_at = EXCLUDED.last_deployment_at, error = EXCLUDED.error,"
                + " updated_at = EXCLUDED.updated_at WHERE agg_databases.updated_at <= EXCLUDED.updated_at",
                r.getTargetId(), r.getEnv(), r.getTargetName(), r.getDirectory(), r.getRedactedUrl(),
                r.getDatabaseId(), r.getCurrentVersion(), r.getToVersion(), databaseStatus(r),
                r.getDeploymentSetId(), ts(r.getEndedAt()), r.getError(), ts(r.getOccurredAt()));
    }

    /** SYNCED when at the version the deployment aimed for, FAILED when it failed, else PENDING. */
    static String databaseStatus(MigrationResult r) {
        if ("FAILED".equals(r.getStatus())) {
            return "FAILED";
        }
        if ("DRY_RUN".equals(r.getStatus())) {
            return r.getCurrentVersion() != null && r.getCurrentVersion().equals(r.getToVersion())
                    ? "SYNCED" : "PENDING";
        }
        return r.getToVersion() == null || r.getToVersion().equals(r.getCurrentVersion()) ? "SYNCED" : "PENDING";
    }

    private void ensureSet(String id, String env, String directory, Instant at) throws SQLException {
        exec("INSERT INTO agg_deployment_sets (id, env, directory, created_at, last_event_at) SELECT ?, ?, ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM agg_deployment_sets WHERE id = ?)", id, env, directory, ts(at),
                ts(at), id);
    }

    private void exec(String sql, Object... args) throws SQLException {
        update(sql, args);
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
