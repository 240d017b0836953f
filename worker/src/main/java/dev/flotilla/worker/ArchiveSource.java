package dev.flotilla.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a worker finds the archive of a directory version that a command names. The registry is
 * the first source; others (backup repositories) may follow it, and the worker asks them in order
 * until one has the version. What a source returns is not trusted: the worker takes an archive only
 * if its SHA-256 is the version id and its {@code atlas.sum} checks, so a source needs no more than
 * to hand over bytes.
 */
public interface ArchiveSource {
    /** The source for messages and logs, e.g. {@code the registry at http://registry:8080}; never a secret. */
    String describe();

    /**
     * The archive of a version, as this source holds it.
     *
     * @param directory the registry name of the directory the version belongs to (a hint: the version
     *     id alone names the content)
     * @param versionId the hex SHA-256 of the archive
     * @return the archive, or empty when this source does not hold the version
     * @throws dev.flotilla.migrate.FlotillaException {@code CONNECTION_FAILED} when the source cannot
     *     be reached for now (the worker tries again with backoff); any other code when it refuses
     *     for good (the worker goes on to the next source)
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    Optional<byte[]> read(String directory, String versionId) throws InterruptedException;

    /**
     * The registry's {@code GET /api/v1/versions/{versionId}}.
     *
     * @param baseUrl the registry's address ({@code http://host:port}), asked for at each read; null
     *     while it is not known yet (a process that runs the registry itself, before it listens)
     * @param token an API token with scope {@code deploy} (or {@code push} of the directory); null
     *     for none, which the registry refuses
     * @param timeout the longest one request may take, its body included
     */
    static ArchiveSource registry(Supplier<String> baseUrl, String token, Duration timeout) {
        return new RegistryArchiveSource(baseUrl, token, timeout);
    }
}
