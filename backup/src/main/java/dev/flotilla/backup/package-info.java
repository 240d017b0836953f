/**
 * Backup repositories for pushed migration directories, as Atlas configures them with
 * {@code env { migration { repo { name = "app", backup = ["s3://…", "file://…"] } } }}.
 *
 * <p>{@link dev.flotilla.backup.Backups} is the whole API: open it with the env's backup URLs, write
 * each {@link dev.flotilla.backup.PushedVersion} to every backup, and read a version back, by tag or
 * by version id, verified, when the registry cannot be reached. Storage implementations
 * ({@code file://} directories, {@code s3://} buckets) stay package-private.
 */
package dev.flotilla.backup;
