package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.util.List;
import java.util.Map;

/**
 * What an apply will do on one target, computed from the directory and the revisions table.
 *
 * @param revisions the target's revisions by version (the identity row excluded)
 * @param current the last fully applied (or baseline) version, null when none
 * @param pending files to run, in order (a partially applied file first, resuming)
 * @param outOfOrder pending files older than the last applied version
 * @param baseline the baseline row to write first, null when none
 */
record Plan(Map<String, Revision> revisions, String current, List<PreparedFile> pending,
        List<PreparedFile> outOfOrder, Revision baseline) {

    /** The version the target will be at, or the current one when nothing is pending. */
    String target() {
        return pending.isEmpty() ? (baseline != null ? baseline.version() : current)
                : pending.get(pending.size() - 1).version();
    }
}
