package dev.flotilla.migrate.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What happened to one file on one target, as Atlas' JSON report has it.
 *
 * @param name file name
 * @param version file version
 * @param description file description
 * @param start when the file started
 * @param end when it ended
 * @param skipped statements skipped because an earlier run had applied them
 * @param applied statements run in this attempt (masked for {@code atlas:sensitive} files)
 * @param error the failure, null on success
 */
public record FileResult(String name, String version, String description, Instant start, Instant end,
        int skipped, List<String> applied, StatementError error) {

    public Duration duration() {
        return Duration.between(start, end);
    }

    /**
     * A failed statement.
     *
     * @param stmt the statement text (masked for sensitive files)
     * @param text the driver's message (for sensitive files, with the statement's values masked)
     * @param retriable whether the failure is transient (lock timeout, deadlock, lost connection):
     *     the file was rolled back or can resume, so running the command again may succeed
     */
    public record StatementError(String stmt, String text, boolean retriable) {
    }
}
