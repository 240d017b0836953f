package dev.flotilla.backup;

import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;

import java.util.Objects;

/**
 * One push as the backups keep it: the directory it was pushed to, its tag and the archive.
 *
 * @param directory the registry directory, e.g. {@code app}; never null
 * @param tag the pushed tag; null for an untagged push, which moves only {@code latest}
 * @param versionId the lower-case hex SHA-256 of {@code archive}, as the registry names the version
 * @param archive the tar the registry stores ({@code atlas.sum} first, then the files); not copied, do not change it
 */
public record PushedVersion(String directory, String tag, String versionId, byte[] archive) {
    public PushedVersion {
        BackupLayout.directory(directory);
        if (tag != null) {
            BackupLayout.tag(tag);
        }
        BackupLayout.versionId(versionId);
        Objects.requireNonNull(archive, "archive");
    }

    /**
     * The push of {@code dir} to {@code directory:tag}, with the archive and id the registry gives the
     * same files: the canonical archive and its SHA-256.
     */
    public static PushedVersion of(String directory, String tag, MigrationDirectory dir) {
        byte[] archive = MigrationDirectory.fromArchive(dir.toArchive()).toArchive();
        return new PushedVersion(directory, tag, Hashes.sha256Hex(archive), archive);
    }

    /** {@code app:v1@0123456789ab}, for messages. */
    @Override
    public String toString() {
        return directory + ":" + (tag == null ? BackupLayout.LATEST : tag) + "@" + versionId.substring(0, 12);
    }
}
