package dev.flotilla.migrate;

/**
 * Every failure Flotilla reports carries one of these codes. The code decides the CLI exit
 * code, the HTTP status of the API and the {@code errorCode} field of result events, so it is
 * mapped once, here.
 */
public enum ErrorCode {
    /** A file name, version or directive in the migration directory is not valid. */
    DIRECTORY_INVALID(1),
    /** {@code atlas.sum} is missing, stale (files changed) or tampered with. */
    CHECKSUM_MISMATCH(1),
    /** A migration file could not be split into statements (unterminated quote, comment, …). */
    SQL_PARSE_ERROR(1),
    /** A statement failed on the target database. */
    STATEMENT_FAILED(1),
    /** A pending file has a version lower than the last applied one. */
    HISTORY_NON_LINEAR(1),
    /** A statement of a partially applied file was edited after it ran. */
    HISTORY_CHANGED(1),
    /** The database is not clean and neither a baseline nor --allow-dirty was given. */
    DATABASE_NOT_CLEAN(1),
    /** The revisions table names a version the directory does not have, or is unreadable. */
    REVISIONS_INVALID(1),
    /** The per-target migration lock could not be acquired within the timeout. */
    LOCK_TIMEOUT(1),
    /** The database could not be reached. */
    CONNECTION_FAILED(1),
    /** The database refused the credentials. */
    AUTH_FAILED(1),
    /** A database URL could not be parsed or names an unknown scheme. */
    URL_INVALID(2),
    /** A command-line argument or configuration value is not valid. */
    CONFIG_INVALID(2),
    /** The named object (deployment set, database, directory, tag) does not exist. */
    NOT_FOUND(1),
    /** An API request is malformed: not JSON, a field of the wrong type, an unknown filter value. */
    REQUEST_INVALID(2),
    /** An API request carries no token, or one that is unknown, revoked or expired. */
    UNAUTHENTICATED(1),
    /** The request's token lacks the scope the request needs. */
    FORBIDDEN(1),
    /** A bug: an unexpected exception. */
    INTERNAL(70);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code the CLI uses for this error. */
    public int exitCode() {
        return exitCode;
    }
}
