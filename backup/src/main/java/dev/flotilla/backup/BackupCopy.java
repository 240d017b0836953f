package dev.flotilla.backup;

import dev.flotilla.migrate.dir.MigrationDirectory;

import java.util.List;

/**
 * A version read from a backup repository and verified: its archive's SHA-256 is the version id it is
 * stored under, and its {@code atlas.sum} checks.
 *
 * @param url the backup it was read from; never null
 * @param directoryName the registry directory, e.g. {@code app}; never null
 * @param versionId the lower-case hex SHA-256 of {@code archive}; never null
 * @param archive the archive bytes; not copied, do not change them
 * @param directory the migration directory in it, already validated; never null
 * @param skipped why each backup tried before this one gave nothing, in order; never null
 */
public record BackupCopy(String url, String directoryName, String versionId, byte[] archive,
        MigrationDirectory directory, List<String> skipped) {
    public BackupCopy {
        skipped = List.copyOf(skipped);
    }
}
