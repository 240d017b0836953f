package dev.flotilla.migrate.exec;

import java.util.List;

/**
 * What {@code migrate status} shows, with Atlas' JSON field meanings.
 *
 * @param status {@code OK} or {@code PENDING}
 * @param current the last revision's version, null when none
 * @param next the first pending version, null when none
 * @param executed revision rows (identity row excluded)
 * @param pending pending files
 * @param outOfOrder how many pending files are older than the current version
 * @param partial whether the last executed file is only partly applied
 * @param partialApplied statements of that file that ran
 * @param error the last attempt's error, null when none
 * @param errorStmt the statement that raised it
 */
public record StatusReport(String status, String current, String next, List<Revision> executed,
        List<ApplyResult.FileRef> pending, int outOfOrder, boolean partial, long partialApplied, String error,
        String errorStmt) {
}
