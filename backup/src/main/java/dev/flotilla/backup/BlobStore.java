package dev.flotilla.backup;

import dev.flotilla.migrate.FlotillaException;

import java.util.Optional;

/**
 * A place that keeps named byte blobs: a directory or a bucket. Keys are relative, {@code /}-separated
 * and made only of the characters {@link BackupLayout} allows. Implementations are thread-safe.
 */
interface BlobStore extends AutoCloseable {
    /** The backup URL this store was opened from, as the project file writes it; shown in messages. */
    String url();

    /**
     * Stores {@code bytes} under {@code key}, replacing what was there; a reader sees the old or the
     * new bytes, never a part.
     *
     * @throws FlotillaException naming the store, the key and why the write failed
     */
    void put(String key, byte[] bytes);

    /**
     * The bytes stored under {@code key}; empty when there are none.
     *
     * @throws FlotillaException naming the store, the key and why the read failed (not for a missing key)
     */
    Optional<byte[]> get(String key);

    /** Releases connections; the store is not used afterwards. */
    @Override
    void close();
}
