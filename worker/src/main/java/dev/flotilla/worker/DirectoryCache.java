package dev.flotilla.worker;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.FailureClassifier;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.exec.RetryPolicy;
import dev.flotilla.migrate.sql.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The directory versions a worker has fetched, by version id. A command names a version; the
 * worker fetches its archive from the {@link ArchiveSource}s in order (the registry first) on the
 * first command that needs it, and takes it only if its SHA-256 is the version id and its
 * {@code atlas.sum} checks: anything else (forged, or corrupted on the way) is refused, and
 * commands for it fail at once with the reason. A source that does not have the version is passed
 * over; one that cannot be reached is tried again with backoff before the next.
 *
 * <p>What was fetched is kept, least recently used first out, up to {@code maxBytes}: a version
 * weighs its archive's size once for its files and once more for each dialect its statements were
 * split for. Concurrent requests for one version share one fetch. A version heavier than the whole
 * cache is still fetched and used by the commands waiting for it, but not kept.
 */
final class DirectoryCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryCache.class);
    private static final Pattern VERSION_ID = Pattern.compile("[0-9a-f]{64}");
    /** How long a refused version is answered from memory before it is fetched again. */
    private static final Duration REMEMBER_REFUSAL = Duration.ofMinutes(1);
    private static final int FETCH_THREADS = 2;

    private final List<ArchiveSource> sources;
    private final long maxBytes;
    private final RetryPolicy retries;
    private final ExecutorService fetchers;
    private final Map<String, CompletableFuture<Version>> loading = new ConcurrentHashMap<>();
    private final Map<String, Refusal> refused = new ConcurrentHashMap<>();
    /** Guarded by itself; access order, eldest first. */
    private final LinkedHashMap<String, Version> kept = new LinkedHashMap<>(16, 0.75f, true);
    private long keptBytes;
    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong fetchFailures = new AtomicLong();

    private record Refusal(String why, Instant until) {
    }

    /**
     * @param sources where archives come from, asked in order; at least one
     * @param maxBytes what may be kept, in bytes (0 keeps nothing)
     * @param retries how a source that cannot be reached is tried again
     */
    DirectoryCache(List<ArchiveSource> sources, long maxBytes, RetryPolicy retries) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one source of directory archives");
        }
        if (maxBytes < 0) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--directory-cache-bytes must not be negative, was "
                    + maxBytes);
        }
        this.sources = List.copyOf(sources);
        this.maxBytes = maxBytes;
        this.retries = retries.withClassifier(DirectoryCache::classify);
        AtomicInteger n = new AtomicInteger();
        this.fetchers = Executors.newFixedThreadPool(FETCH_THREADS, r -> {
            Thread t = new Thread(r, "flotilla-worker-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A source that cannot be reached for now is worth another attempt; every other failure is final. */
    static FailureClassifier.Classification classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FlotillaException fe && fe.code() == ErrorCode.CONNECTION_FAILED) {
                return new FailureClassifier.Classification(FailureClassifier.Kind.TRANSIENT,
                        ErrorCode.CONNECTION_FAILED, "source unreachable");
            }
        }
        return FailureClassifier.classify(t);
    }

    /**
     * A verified version, fetched if it is not kept; blocks the calling (JDBC) thread.
     *
     * @param directory the directory the command names
     * @param timeout the longest this call waits for a fetch
     * @throws FlotillaException NOT_FOUND when no source has it, CHECKSUM_MISMATCH when what was
     *     fetched is not the version, CONNECTION_FAILED when no source could be reached (after
     *     retries) or the fetch outlasted {@code timeout}
     */
    Version await(String directory, String versionId, Duration timeout) {
        if (versionId == null || !VERSION_ID.matcher(versionId).matches()) {
            throw new FlotillaException(ErrorCode.NOT_FOUND, "\"" + versionId + "\" is not a directory version id"
                    + " (the hex SHA-256 of an archive); the command is forged or corrupted, nothing ran");
        }
        Version v = lookup(versionId);
        if (v != null) {
            return v;
        }
        Refusal r = refused.get(versionId);
        if (r != null && r.until().isAfter(Instant.now())) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, r.why());
        }
        CompletableFuture<Version> f = fetch(directory, versionId);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "directory version " + versionId + " of \""
                    + directory + "\" did not arrive from " + describe() + " within " + (timeout.toMillis() < 1000
                    ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s") + ";"
                    + " nothing ran");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlotillaException(ErrorCode.INTERNAL, "interrupted while fetching directory version " + versionId);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FlotillaException fe) {
                throw fe;
            }
            throw new FlotillaException(ErrorCode.INTERNAL, "fetching directory version " + versionId + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /** The one fetch of a version in flight, started if there is none. */
    private CompletableFuture<Version> fetch(String directory, String versionId) {
        CompletableFuture<Version> mine = new CompletableFuture<>();
        CompletableFuture<Version> running = loading.putIfAbsent(versionId, mine);
        if (running != null) {
            return running;
        }
        Version kept = lookup(versionId); // a fetch may have finished between the lookup and now
        if (kept != null) {
            loading.remove(versionId, mine);
            mine.complete(kept);
            return mine;
        }
        fetchers.execute(() -> {
            // Out of the map before the waiters hear: a later request finds the version kept, or fetches again.
            try {
                Version v = load(directory, versionId);
                loading.remove(versionId, mine);
                mine.complete(v);
            } catch (Throwable t) { // every kind: the waiting commands must hear of it
                loading.remove(versionId, mine);
                mine.completeExceptionally(t);
            }
        });
        return mine;
    }

    /**
     * Asks each source in turn; the first archive that is the version wins. A source that cannot be
     * reached does not hold up the ones after it (a backup is asked at once when the registry is
     * down); only when none had the version and one could not be reached is the round tried again,
     * with backoff.
     */
    private Version load(String directory, String versionId) {
        long t0 = System.nanoTime();
        Version v;
        try {
            v = retries.call(() -> round(directory, versionId), retry -> LOG.warn(
                    "fetching directory version {} of \"{}\": {}", versionId, directory, retry));
        } catch (FlotillaException e) {
            fetchFailures.incrementAndGet();
            throw e;
        }
        fetched.incrementAndGet();
        LOG.info("fetched directory version {} of \"{}\" ({} bytes) in {} ms", versionId, directory,
                v.archiveBytes(), (System.nanoTime() - t0) / 1_000_000);
        return v;
    }

    /** One pass over the sources; throws CONNECTION_FAILED when one could not be reached and none had it. */
    private Version round(String directory, String versionId) throws InterruptedException {
        List<String> misses = new ArrayList<>();
        FlotillaException failure = null;
        String refusal = null;
        for (ArchiveSource s : sources) {
            Optional<byte[]> archive;
            try {
                archive = s.read(directory, versionId);
            } catch (FlotillaException e) {
                // A source that refuses (the worker's token, say) says more than one that cannot be reached.
                failure = failure == null || failure.code() == ErrorCode.CONNECTION_FAILED ? e : failure;
                String m = String.valueOf(e.getMessage());
                misses.add(m.contains(s.describe().replaceFirst("^the ", "")) ? m : s.describe() + ": " + m);
                continue;
            }
            if (archive.isEmpty()) {
                misses.add(s.describe() + " does not have it");
                continue;
            }
            try {
                Version v = verified(versionId, archive.get());
                keep(v);
                if (!misses.isEmpty()) {
                    LOG.warn("directory version {} of \"{}\" came from {}: {}", versionId, directory, s.describe(),
                            String.join("; ", misses));
                }
                return v;
            } catch (FlotillaException e) {
                refusal = "directory version " + versionId + " of \"" + directory + "\" was refused: " + e.getMessage();
                LOG.warn("{} (from {})", refusal, s.describe());
                misses.add(s.describe() + " sent an archive that is not the version");
            }
        }
        String where = String.join("; ", misses);
        if (failure != null && failure.code() == ErrorCode.CONNECTION_FAILED) {
            // Worth another round: the unreachable source may hold it.
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "directory version " + versionId + " of \""
                    + directory + "\" could not be fetched, nothing ran: " + where, failure);
        }
        if (refusal != null) {
            refused.put(versionId, new Refusal(refusal, Instant.now().plus(REMEMBER_REFUSAL)));
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, refusal);
        }
        if (failure != null) {
            throw new FlotillaException(failure.code(), "directory version " + versionId + " of \"" + directory
                    + "\" could not be fetched, nothing ran: " + where, failure);
        }
        throw new FlotillaException(ErrorCode.NOT_FOUND, "directory version " + versionId + " of \"" + directory
                + "\" is not in the registry (" + where + "); it was never pushed there, so nothing ran");
    }

    /** The archive's directory, if the archive is the version its id names and its atlas.sum checks. */
    private Version verified(String versionId, byte[] archive) {
        String actual = Hashes.sha256Hex(archive);
        if (!actual.equals(versionId)) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "its archive's SHA-256 is " + actual
                    + ", not the version id; forged or corrupted, so nothing of it runs");
        }
        MigrationDirectory dir = MigrationDirectory.fromArchive(archive);
        dir.validate();
        return new Version(versionId, dir, archive.length);
    }

    /** The version split into statements for a dialect; blocking the first time (parsing), kept with it after. */
    PreparedDirectory prepared(Version v, Dialect dialect) {
        PreparedDirectory p = v.prepared.get(dialect);
        if (p != null) {
            return p;
        }
        p = v.prepared.computeIfAbsent(dialect, d -> PreparedDirectory.of(v.directory(), d));
        reweigh(v);
        return p;
    }

    private Version lookup(String versionId) {
        synchronized (kept) {
            return kept.get(versionId);
        }
    }

    private void keep(Version v) {
        synchronized (kept) {
            if (v.weight() > maxBytes) {
                LOG.info("directory version {} ({} bytes) is larger than the directory cache ({} bytes): used, not"
                        + " kept; raise --directory-cache-bytes to keep it", v.id(), v.weight(), maxBytes);
                return;
            }
            Version old = kept.put(v.id(), v);
            keptBytes += v.weight() - (old == null ? 0 : old.counted);
            v.counted = v.weight();
            evictBut(v);
        }
    }

    /** A kept version grew (statements for one more dialect): its new weight counts, and may push others out. */
    private void reweigh(Version v) {
        synchronized (kept) {
            if (kept.get(v.id()) != v) {
                return;
            }
            keptBytes += v.weight() - v.counted;
            v.counted = v.weight();
            if (v.counted > maxBytes) {
                kept.remove(v.id());
                keptBytes -= v.counted;
                return;
            }
            evictBut(v);
        }
    }

    /** Drops the least recently used versions, never {@code keep}, until the cache is within its bound. */
    private void evictBut(Version keep) {
        Iterator<Version> eldest = kept.values().iterator();
        while (keptBytes > maxBytes && eldest.hasNext()) {
            Version v = eldest.next();
            if (v != keep) {
                eldest.remove();
                keptBytes -= v.counted;
                LOG.debug("directory version {} dropped from the cache ({} bytes)", v.id(), v.counted);
            }
        }
    }

    /** What the cache holds now, in bytes (by the weights above). */
    long keptBytes() {
        synchronized (kept) {
            return keptBytes;
        }
    }

    /** Versions fetched since start. */
    long fetched() {
        return fetched.get();
    }

    /** Fetches that ended without a version (not found, refused, unreachable). */
    long fetchFailures() {
        return fetchFailures.get();
    }

    private String describe() {
        return String.join(", then ", sources.stream().map(ArchiveSource::describe).toList());
    }

    @Override
    public void close() {
        fetchers.shutdownNow();
    }

    /**
     * A verified directory version.
     */
    static final class Version {
        private final String id;
        private final MigrationDirectory directory;
        private final long archiveBytes;
        private final Map<Dialect, PreparedDirectory> prepared = new ConcurrentHashMap<>();
        /** The weight the cache counted for it; guarded by the cache's lock. */
        private long counted;

        Version(String id, MigrationDirectory directory, long archiveBytes) {
            this.id = id;
            this.directory = directory;
            this.archiveBytes = archiveBytes;
        }

        String id() {
            return id;
        }

        MigrationDirectory directory() {
            return directory;
        }

        long archiveBytes() {
            return archiveBytes;
        }

        long weight() {
            return archiveBytes * (1 + prepared.size());
        }
    }
}
