package dev.flotilla.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where pushed directories live. Versions are content-addressed (the id is the SHA-256 of the
 * canonical archive) and immutable; tags are movable names for versions.
 */
public interface RegistryStore {
    /**
     * Stores the version if new and points {@code tag} and {@code latest} at it; when the tag
     * moved, queues the event in the outbox, all in one transaction.
     *
     * @param event the encoded event, made once the directory's pushes are serialised (so events
     *     of one directory are stamped in the order their pushes took effect)
     */
    Put put(StoredVersion version, String tag, Supplier<byte[]> event);

    /**
     * What {@link #put} did.
     *
     * @param previous the tag's previous version id, empty when the tag is new
     * @param outboxSeq the queued event's place in the outbox; 0 when the tag did not move
     */
    record Put(Optional<String> previous, long outboxSeq) {
    }

    /** The oldest queued event whose next attempt is due, if any. */
    Optional<OutboxEvent> nextDue();

    /** When the next queued event falls due; empty when the outbox is empty. */
    Optional<Instant> nextAttemptAt();

    /** Removes an event Kafka has acknowledged. */
    void published(long seq);

    /** Records a failed attempt to publish an event: one more attempt, why, and when to try next. */
    void failed(long seq, String error, Instant nextAttemptAt);

    /** How many events wait in the outbox. */
    long pending();

    /** The queued event at {@code seq}; empty once it was published. */
    Optional<OutboxState> outboxState(long seq);

    /** The newest queued event announcing {@code versionId} of {@code directory}; empty when none waits. */
    Optional<OutboxState> pendingAnnouncement(String directory, String versionId);

    /**
     * A queued event.
     *
     * @param seq outbox position
     * @param key Kafka key (the version id)
     * @param payload the encoded event
     * @param attempts how many times publishing it failed
     */
    record OutboxEvent(long seq, String key, byte[] payload, int attempts) {
    }

    /**
     * Where a queued event stands.
     *
     * @param attempts how many times publishing it failed so far
     * @param lastError why the last attempt failed; null before the first attempt
     * @param nextAttemptAt when it is tried next
     */
    record OutboxState(int attempts, String lastError, Instant nextAttemptAt) {
    }

    /** The version a tag of a directory points at. */
    Optional<StoredVersion> byTag(String directory, String tag);

    /** A version by id. */
    Optional<StoredVersion> byId(String versionId);

    /** A page of the directories, by name, each with its tags (newest first) and whether each tag's push was announced. */
    DirectoryPage directories(int offset, int limit);

    /**
     * One page of directories.
     *
     * @param items the directories of the page
     * @param total how many directories there are
     */
    record DirectoryPage(List<DirectoryInfo> items, long total) {
    }

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
     * @param unannounced the event announcing the push that moved it, while it waits in the outbox;
     *     null once Kafka has it
     */
    record TagInfo(String tag, String versionId, String latestVersion, Instant updatedAt, OutboxState unannounced) {
    }
}
