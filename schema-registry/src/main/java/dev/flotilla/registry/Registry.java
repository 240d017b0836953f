package dev.flotilla.registry;

import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.dir.MigrationFile;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.avro.DirectoryPushed;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The registry's core, free of HTTP and Kafka: checks a pushed archive, stores it and says
 * whether a {@link DirectoryPushed} must follow. Blocking (JDBC): call it off the event loop.
 */
public final class Registry {
    /** Atlas' rule for directory names: letters, digits, dashes and underscores. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** Letters, digits, '_', '.', '-'; not only dots (a tag of "." or ".." reads like a path). */
    private static final Pattern TAG = Pattern.compile("(?!\\.+$)[A-Za-z0-9_.-]{1,128}");
    /** A version id: the hex SHA-256 of a canonical archive. */
    static final Pattern VERSION_ID = Pattern.compile("[0-9a-f]{64}");

    private final RegistryStore store;
    private final long maxArchiveBytes;

    public Registry(RegistryStore store, long maxArchiveBytes) {
        this.store = store;
        this.maxArchiveBytes = maxArchiveBytes;
    }

    /**
     * Validates and stores a pushed archive.
     *
     * @throws FlotillaException naming what is wrong; nothing is stored then
     */
    public PushResult push(String name, String tag, byte[] archive) {
        checkName("directory name", name, NAME);
        String t = tag == null || tag.isEmpty() ? "latest" : checkName("tag", tag, TAG);
        if (archive.length > maxArchiveBytes) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "archive of " + archive.length + " bytes is over"
                    + " the registry's limit of " + maxArchiveBytes + " bytes");
        }
        if (archive.length == 0) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "the push has no body: send the directory as"
                    + " Atlas' tar archive, atlas.sum first ('flotilla migrate push' does)");
        }
        MigrationDirectory dir = MigrationDirectory.fromArchive(archive);
        if (dir.files().isEmpty()) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "the archive holds no migration file (*.sql):"
                    + " nothing to deploy; push a directory with at least one migration and its atlas.sum");
        }
        dir.validate();
        byte[] canonical = dir.toArchive();
        String id = Hashes.sha256Hex(canonical);
        RegistryStore.StoredVersion v = new RegistryStore.StoredVersion(id, name, dir.latestVersion(),
                dir.files().size(), canonical, Instant.now());
        PushResult r = new PushResult(name, t, id, dir.latestVersion(), dir.files().size(), true, 0);
        List<String> versions = dir.files().stream().map(MigrationFile::version).toList();
        RegistryStore.Put put = store.put(v, t, () -> EventSerde.encode(event(r, canonical.length, versions)));
        boolean moved = put.previous().isEmpty() || !put.previous().get().equals(id);
        return new PushResult(name, t, id, dir.latestVersion(), dir.files().size(), moved, put.outboxSeq());
    }

    /**
     * The event announcing a push; stored in the outbox with the push, sent by the service. It
     * refers to the archive by its id (readers fetch it from {@code GET /api/v1/versions/{id}}), so
     * it stays small however large the directory is: the files' versions, in order, are all it
     * lists of them (the aggregator counts how many versions a database is behind from them).
     */
    static DirectoryPushed event(PushResult r, long archiveBytes, List<String> versions) {
        return DirectoryPushed.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDirectory(r.directory()).setTag(r.tag()).setVersionId(r.versionId())
                .setLatestVersion(r.latestVersion()).setFileCount(r.fileCount()).setArchiveBytes(archiveBytes)
                .setVersions(versions).build();
    }

    public RegistryStore store() {
        return store;
    }

    private static String checkName(String what, String value, Pattern p) {
        if (value == null || !p.matcher(value).matches()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "invalid " + what + " \"" + value + "\": use only"
                    + " letters, digits, '-' and '_'" + ("tag".equals(what) ? " and '.'" : "") + ", at most 128");
        }
        return value;
    }

}
