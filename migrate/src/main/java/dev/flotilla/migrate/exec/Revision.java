package dev.flotilla.migrate.exec;

import java.time.Instant;
import java.util.List;

/**
 * One row of {@code atlas_schema_revisions}, column for column as Atlas writes it.
 *
 * @param version file version (primary key)
 * @param description file description
 * @param type bit flags: {@link #BASELINE}, {@link #EXECUTE}, {@link #RESOLVED}
 * @param applied statements of the file that succeeded
 * @param total statements in the file
 * @param executedAt when the row was first written
 * @param executionTime nanoseconds
 * @param error last error, null when none; for a sensitive file with the statement's values masked
 * @param errorStmt the statement that raised {@code error}, null when none; masked for a sensitive file
 * @param hash the file's atlas.sum hash without {@code h1:}
 * @param partialHashes running statement hashes while the file is partially applied, else null
 * @param operatorVersion who wrote the row, e.g. {@code Flotilla v0.1.0}
 */
public record Revision(String version, String description, long type, long applied, long total,
        Instant executedAt, long executionTime, String error, String errorStmt, String hash,
        List<String> partialHashes, String operatorVersion) {

    /** Type bit: the row is a baseline, nothing ran. */
    public static final long BASELINE = 1;
    /** Type bit: the file was executed. */
    public static final long EXECUTE = 2;
    /** Type bit: the row was set by hand ({@code migrate set}). */
    public static final long RESOLVED = 4;
    /** The version of Atlas' per-database identity row; readers skip it. */
    public static final String CLOUD_IDENTIFIER = ".atlas_cloud_identifier";

    /** True when the file was only partly applied (a {@code txmode none} failure, or a crash). */
    public boolean partial() {
        return (type & EXECUTE) != 0 && applied < total;
    }

    /** Atlas' words for the type: {@code baseline}, {@code applied}, {@code manually set}, … */
    public String typeName() {
        if (type == BASELINE) {
            return "baseline";
        }
        if (type == (EXECUTE | RESOLVED)) {
            return "applied + manually set";
        }
        if (type == RESOLVED) {
            return "manually set";
        }
        return type == EXECUTE ? "applied" : "unknown (" + type + ")";
    }
}
