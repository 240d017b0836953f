package dev.flotilla.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where pushed directories live. Versions are content-addressed (the id is the SHA-256 of the
 * canonical archive) and immutable; tags are movable names for versions.
 */
public interface RegistryStore {
    /**
     * Stores the version if new and points {@code tag} and {@code latest} at it; when the tag
     * moved, queues {@code event} in the outbox, all in one transaction.
     *
     * @return the tag's previous version id, empty when the tag is new
     */
    Optional<String> put(StoredVersion version, String tag, byte[] event);

    /** Events stored by {@link #put} and not yet acknowledged by Kafka, oldest first. */
    List<OutboxEvent> outbox(int limit);

    /** Removes an event Kafka has acknowledged. */
    void published(long seq);

    /**
     * A queued event.
     *
     * @param seq outbox position
     * @param key Kafka key (the version id)
     * @param payload the encoded event
     */
    record OutboxEvent(long seq, String key, byte[] payload) {
    }

    /** The version a tag of a directory points at. */
    Optional<StoredVersion> byTag(String directory, String tag);

    /** A version by id. */
    Optional<StoredVersion> byId(String versionId);

    /** Every directory with its tags. */
    List<DirectoryInfo> directories();

    /**
     * An immutable version of a directory.
     *
     * @param versionId hex SHA-256 of the archive
     * @param directory registry name
     * @param latestVersion last file version, null when empty
     * @param fileCount number of .sql files
     * @param archive Atlas' tar archive, atlas.sum first
     * @param createdAt when first pushed
     */
    record StoredVersion(String versionId, String directory, String latestVersion, int fileCount, byte[] archive,
            Instant createdAt) {
    }

    /**
     * A directory and its tags.
     *
     * @param name registry name
     * @param tags tag name → version id, with its latest file version
     */
    record DirectoryInfo(String name, List<TagInfo> tags) {
    }

    /**
     * A tag.
     *
     * @param tag name
     * @param versionId version it points at
     * @param latestVersion that version's last file version
     * @param updatedAt when it last moved
     */
    record TagInfo(String tag, String versionId, String latestVersion, Instant updatedAt) {
    }
}
