package dev.flotilla.migrate.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one apply on one target; mirrors Atlas' {@code MigrateApply} report.
 *
 * @param targetId the database's {@code .atlas_cloud_identifier}, null on a dry run of a fresh database
 * @param url the target URL, redacted
 * @param dialect the target's dialect name
 * @param pending the files that were planned (name, version, description)
 * @param applied what happened to each file that ran
 * @param current the version before the run, null when none
 * @param target the version the run aimed for, null when nothing was pending
 * @param start when the run started
 * @param end when it ended
 * @param error the failure line as Atlas prints it (without {@code Error: }), null on success
 * @param dryRun whether nothing was written
 * @param baselined whether the run only recorded a baseline
 */
public record ApplyResult(String targetId, String url, String dialect, List<FileRef> pending,
        List<FileResult> applied, String current, String target, Instant start, Instant end, String error,
        boolean dryRun, boolean baselined) {

    /** A planned file. */
    public record FileRef(String name, String version, String description) {
    }

    /** PASSED, FAILED, NO_ACTION or DRY_RUN, as Atlas Cloud words deployment statuses. */
    public String status() {
        if (error != null) {
            return "FAILED";
        }
        if (dryRun) {
            return "DRY_RUN";
        }
        return pending.isEmpty() && !baselined ? "NO_ACTION" : "PASSED";
    }

    /** Whether the run failed on a transient error (lock timeout, deadlock, lost connection) and may be retried. */
    public boolean retriable() {
        if (error == null || applied.isEmpty()) {
            return false;
        }
        FileResult last = applied.get(applied.size() - 1);
        return last.error() != null && last.error().retriable();
    }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** Statements that ran successfully, over all files. */
    public int statementsOk() {
        int n = 0;
        for (FileResult f : applied) {
            n += f.applied().size() - (f.error() == null ? 0 : 1);
        }
        return n;
    }

    /** The version the target is at after the run. */
    public String versionAfter() {
        String v = current;
        for (FileResult f : applied) {
            if (f.error() == null && !dryRun) {
                v = f.version();
            }
        }
        return v;
    }
}
