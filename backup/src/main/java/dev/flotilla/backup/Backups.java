package dev.flotilla.backup;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The backup repositories of an env ({@code migration { repo { backup = [...] } }} in the project
 * file), in the order they are tried: every push is written to each of them, and when the registry
 * is unreachable a version is read from the first one that has it intact.
 *
 * <p>Supported URLs: {@code file:///path/to/dir} and {@code s3://bucket/prefix?region=REGION} (with
 * {@code endpoint=} or {@code AWS_ENDPOINT_URL} for S3-compatible servers, path-style; credentials
 * from the AWS SDK's standard chain). {@code gs://} and {@code azureblob://} are refused when opened.
 * The layout inside each repository is described by {@code BackupLayout}:
 * {@code <prefix>/<directory>/versions/<versionId>.tar} and {@code <prefix>/<directory>/tags/<tag>}.
 *
 * <p>Every archive read is verified before it is returned: its SHA-256 must be the version id it is
 * stored under and its {@code atlas.sum} must check. A backup that fails either is skipped with the
 * reason, and the next one is tried. Failures are returned ({@link BackupWrite#error()},
 * {@link BackupCopy#skipped()}, the exception's message), not logged above DEBUG: the caller reports
 * them once. Reads and writes block (file and network I/O): call them off an event loop. Thread-safe;
 * close it to release the S3 connections.
 *
 * <p>Use from a worker that cannot get a version from the registry:
 * <pre>{@code
 * try (Backups backups = Backups.open(env.backups())) {
 *     MigrationDirectory dir = backups.read("app", versionId).directory();
 * }
 * }</pre>
 */
public final class Backups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backups.class);

    private final List<BlobStore> stores;
    private final AutoCloseable credentials;

    private Backups(List<BlobStore> stores, AutoCloseable credentials) {
        this.stores = List.copyOf(stores);
        this.credentials = credentials;
    }

    /**
     * Opens the backups at {@code urls}, with the process environment and the AWS SDK's default
     * credential chain. Nothing is read or written yet.
     *
     * @param urls backup URLs in the order they are tried; may be empty
     * @throws FlotillaException CONFIG_INVALID listing every URL that cannot be opened (an unsupported
     *     scheme, a malformed URL, an S3 bucket without a region), and what is supported
     */
    public static Backups open(List<String> urls) {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        return open(urls, System.getenv(), chain, chain);
    }

    /** Like {@link #open(List)}, with the environment and S3 credentials given (tests). */
    static Backups open(List<String> urls, Map<String, String> env, AwsCredentialsProvider credentials,
            AutoCloseable closeCredentials) {
        List<BlobStore> stores = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String url : urls) {
            try {
                stores.add(BlobStores.open(url, env, credentials));
            } catch (FlotillaException e) {
                problems.add(e.getMessage());
            }
        }
        Backups b = new Backups(stores, closeCredentials);
        if (!problems.isEmpty()) {
            b.close();
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, String.join("\n", problems));
        }
        return b;
    }

    /** The backup URLs, in order; never null. */
    public List<String> urls() {
        return stores.stream().map(BlobStore::url).collect(Collectors.toList());
    }

    /** Whether there is no backup at all. */
    public boolean isEmpty() {
        return stores.isEmpty();
    }

    /**
     * Writes the version to every backup: the archive, then its tag (if any) and {@code latest}.
     * A failing backup does not stop the others.
     *
     * @return one result per backup, in order; never null
     */
    public List<BackupWrite> write(PushedVersion version) {
        byte[] idLine = (version.versionId() + "\n").getBytes(StandardCharsets.US_ASCII);
        List<BackupWrite> out = new ArrayList<>();
        for (BlobStore store : stores) {
            out.add(write(store, version, idLine));
        }
        return out;
    }

    private static BackupWrite write(BlobStore store, PushedVersion v, byte[] idLine) {
        try {
            store.put(BackupLayout.versionKey(v.directory(), v.versionId()), v.archive());
            if (v.tag() != null && !BackupLayout.LATEST.equals(v.tag())) {
                store.put(BackupLayout.tagKey(v.directory(), v.tag()), idLine);
            }
            store.put(BackupLayout.tagKey(v.directory(), BackupLayout.LATEST), idLine);
            return new BackupWrite(store.url(), null);
        } catch (RuntimeException e) {
            LOG.debug("writing {} to backup {} failed: {}", v, store.url(), e.getMessage());
            return new BackupWrite(store.url(), e.getMessage());
        }
    }

    /**
     * The version {@code versionId} of {@code directory}, from the first backup that has it intact.
     *
     * @param directory the registry directory, e.g. {@code app}
     * @param versionId the lower-case hex SHA-256 of the archive (a {@code MigrationCommand}'s version)
     * @throws FlotillaException NOT_FOUND when no backup has it; CHECKSUM_MISMATCH when the copies found
     *     were all refused; CONNECTION_FAILED when a backup could not be read; the message lists every
     *     backup and why it gave nothing
     */
    public BackupCopy read(String directory, String versionId) {
        BackupLayout.versionKey(directory, versionId);
        return first(directory, "version " + versionId, store -> version(store, directory, versionId));
    }

    /**
     * The version {@code directory:tag} points at, from the first backup that has it intact.
     *
     * @param tag the tag; null for {@code latest}
     * @throws FlotillaException as {@link #read(String, String)}
     */
    public BackupCopy readTag(String directory, String tag) {
        String t = tag == null ? BackupLayout.LATEST : tag;
        String key = BackupLayout.tagKey(directory, t);
        return first(directory, "tag " + t, store -> {
            Optional<byte[]> id = store.get(key);
            if (id.isEmpty()) {
                return Optional.empty();
            }
            String text = new String(id.get(), StandardCharsets.US_ASCII).trim();
            if (!BackupLayout.isVersionId(text)) {
                throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "backup " + store.url() + ": refused " + key
                        + ": it holds no version id (64 hex digits); push the directory again to rewrite it");
            }
            return version(store, directory, text);
        });
    }

    /** One backup's answer: empty when it does not have the object; throws when it is unreadable or refused. */
    private interface Lookup {
        Optional<BackupCopy> in(BlobStore store);
    }

    private BackupCopy first(String directory, String what, Lookup lookup) {
        List<String> skipped = new ArrayList<>();
        List<ErrorCode> codes = new ArrayList<>();
        for (BlobStore store : stores) {
            try {
                Optional<BackupCopy> found = lookup.in(store);
                if (found.isPresent()) {
                    BackupCopy c = found.get();
                    return new BackupCopy(c.url(), c.directoryName(), c.versionId(), c.archive(), c.directory(), skipped);
                }
                skipped.add("backup " + store.url() + ": has no " + what + " of directory " + directory);
            } catch (FlotillaException e) {
                LOG.debug("{}", e.getMessage());
                skipped.add(e.getMessage());
                codes.add(e.code());
            }
        }
        throw new FlotillaException(code(codes), "no backup repository has " + what + " of directory " + directory
                + " intact" + (stores.isEmpty() ? ": none is configured (migration.repo.backup in the project file)"
                : ":\n  - " + String.join("\n  - ", skipped)));
    }

    private static ErrorCode code(List<ErrorCode> failures) {
        if (failures.isEmpty()) {
            return ErrorCode.NOT_FOUND;
        }
        boolean unreadable = failures.stream().anyMatch(c -> c == ErrorCode.CONNECTION_FAILED
                || c == ErrorCode.AUTH_FAILED);
        return unreadable ? ErrorCode.CONNECTION_FAILED : ErrorCode.CHECKSUM_MISMATCH;
    }

    private static Optional<BackupCopy> version(BlobStore store, String directory, String versionId) {
        String key = BackupLayout.versionKey(directory, versionId);
        Optional<byte[]> archive = store.get(key);
        return archive.map(bytes -> new BackupCopy(store.url(), directory, versionId, bytes,
                verified("backup " + store.url() + ": refused " + key, versionId, bytes), List.of()));
    }

    /**
     * The directory in {@code archive}, if its SHA-256 is {@code versionId} and its atlas.sum checks.
     *
     * @param refused the start of the message when it is not, e.g. {@code backup URL: refused KEY}
     */
    private static MigrationDirectory verified(String refused, String versionId, byte[] archive) {
        String actual = Hashes.sha256Hex(archive);
        if (!actual.equals(versionId)) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, refused + ": its SHA-256 is " + actual
                    + ", not the version id it is stored under (corrupted or replaced); push the directory again to"
                    + " rewrite it");
        }
        try {
            MigrationDirectory dir = MigrationDirectory.fromArchive(archive);
            dir.validate();
            return dir;
        } catch (FlotillaException e) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, refused + ": " + e.getMessage(), e);
        }
    }

    /** Closes every store and the credential chain. */
    @Override
    public void close() {
        stores.forEach(BlobStore::close);
        try {
            credentials.close();
        } catch (Exception e) {
            LOG.debug("closing the AWS credential chain failed", e);
        }
    }

    @Override
    public String toString() {
        return "Backups" + urls();
    }
}
