package dev.flotilla.cli.dev;

import dev.flotilla.backup.Backups;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.worker.ArchiveSource;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backup repositories of the worker's project file ({@code migration { repo { backup = [...] } }}
 * of every env, in the order they first appear) as the worker's second {@link ArchiveSource}: when the
 * registry cannot be reached, or lost a version, the worker runs the copy a {@code migrate push} wrote
 * there. The worker checks that copy's SHA-256 and {@code atlas.sum} as it checks the registry's.
 */
final class BackupArchiveSource implements ArchiveSource, AutoCloseable {
    private final Backups backups;

    private BackupArchiveSource(Backups backups) {
        this.backups = backups;
    }

    /**
     * The backups the project file names; empty when it names none.
     *
     * @throws FlotillaException CONFIG_INVALID naming every backup URL that cannot be opened
     */
    static Optional<BackupArchiveSource> of(ProjectConfig config) {
        Set<String> urls = new LinkedHashSet<>();
        for (EnvConfig env : config.envs()) {
            urls.addAll(env.backups());
        }
        return urls.isEmpty() ? Optional.empty() : Optional.of(new BackupArchiveSource(Backups.open(List.copyOf(urls))));
    }

    @Override
    public String describe() {
        return "the backups " + backups.urls();
    }

    /** Empty when no backup has the version; CONNECTION_FAILED when one could not be read and none had it. */
    @Override
    public Optional<byte[]> read(String directory, String versionId) {
        try {
            return Optional.of(backups.read(directory, versionId).archive());
        } catch (FlotillaException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        backups.close();
    }
}
