package dev.flotilla.worker;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.exec.RetryPolicy;
import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The worker's directory versions, fetched from sources that the test controls: verified by hash
 * and atlas.sum, kept by bytes least recently used first, fetched once for concurrent commands,
 * failed at once when no source has the version, and retried (with the policy's waits, recorded,
 * not slept) when a source cannot be reached.
 */
class DirectoryCacheTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Waits that are recorded, not slept: the test controls time. */
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final RetryPolicy retries = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5,
            waits::add);
    private final List<DirectoryCache> caches = new ArrayList<>();

    @AfterEach
    void close() {
        caches.forEach(DirectoryCache::close);
    }

    private DirectoryCache cache(long maxBytes, ArchiveSource... sources) {
        DirectoryCache c = new DirectoryCache(List.of(sources), maxBytes, retries);
        caches.add(c);
        return c;
    }

    @Test
    void aVersionIsFetchedOnceVerifiedAndThenAnsweredFromMemory() {
        Fake registry = new Fake("the registry");
        byte[] archive = archive("1_init.sql", "CREATE TABLE t (id int);\n");
        String id = registry.put(archive);
        DirectoryCache cache = cache(1 << 20, registry);

        DirectoryCache.Version v = cache.await("app", id, WAIT);

        assertThat(v.directory().files()).extracting(f -> f.name()).containsExactly("1_init.sql");
        assertThat(cache.await("app", id, WAIT)).isSameAs(v);
        assertThat(registry.reads).hasValue(1);
        assertThat(cache.keptBytes()).isEqualTo(archive.length);
    }

    @Test
    void concurrentCommandsForOneVersionShareOneFetch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Fake registry = new Fake("the registry") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) throws InterruptedException {
                release.await();
                return super.read(directory, versionId);
            }
        };
        String id = registry.put(archive("1_init.sql", "CREATE TABLE t (id int);\n"));
        DirectoryCache cache = cache(1 << 20, registry);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<DirectoryCache.Version>> waiting = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                waiting.add(threads.submit(() -> cache.await("app", id, WAIT)));
            }
            release.countDown();
            DirectoryCache.Version first = waiting.get(0).get(30, TimeUnit.SECONDS);
            for (Future<DirectoryCache.Version> w : waiting) {
                assertThat(w.get(30, TimeUnit.SECONDS)).isSameAs(first);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(registry.reads).as("one read for eight commands").hasValue(1);
    }

    @Test
    void theLeastRecentlyUsedVersionsGoWhenTheBytesAreSpent() {
        Fake registry = new Fake("the registry");
        String a = registry.put(archive("1_a.sql", padded("CREATE TABLE a (id int);\n", 3000)));
        String b = registry.put(archive("1_b.sql", padded("CREATE TABLE b (id int);\n", 3000)));
        String c = registry.put(archive("1_c.sql", padded("CREATE TABLE c (id int);\n", 3000)));
        long each = registry.archives.get(a).length;
        DirectoryCache cache = cache(2 * each + each / 2, registry);

        cache.await("app", a, WAIT);
        cache.await("app", b, WAIT);
        cache.await("app", a, WAIT); // a is now more recent than b
        cache.await("app", c, WAIT); // over the bound: b goes

        assertThat(cache.keptBytes()).isEqualTo(2 * each);
        cache.await("app", a, WAIT);
        cache.await("app", c, WAIT);
        assertThat(registry.readsOf(a)).isEqualTo(1);
        assertThat(registry.readsOf(c)).isEqualTo(1);
        cache.await("app", b, WAIT);
        assertThat(registry.readsOf(b)).as("b was dropped, so fetched again").isEqualTo(2);
    }

    @Test
    void statementsSplitForADialectWeighAsMuchAgainAndAreSplitOnce() {
        Fake registry = new Fake("the registry");
        String a = registry.put(archive("1_a.sql", padded("CREATE TABLE a (id int);\n", 2000)));
        String b = registry.put(archive("1_b.sql", padded("CREATE TABLE b (id int);\n", 2000)));
        long each = registry.archives.get(a).length;
        DirectoryCache cache = cache(3 * each, registry);
        DirectoryCache.Version va = cache.await("app", a, WAIT);
        cache.await("app", b, WAIT);

        PreparedDirectory pg = cache.prepared(va, Dialect.POSTGRES);

        assertThat(cache.prepared(va, Dialect.POSTGRES)).isSameAs(pg);
        assertThat(cache.prepared(va, Dialect.SQLITE)).isNotSameAs(pg);
        // a weighs three times its archive now; b, used less recently, had to go
        assertThat(cache.keptBytes()).isEqualTo(3 * each);
        cache.await("app", b, WAIT);
        assertThat(registry.readsOf(b)).isEqualTo(2);
    }

    @Test
    void aVersionLargerThanTheCacheIsUsedButNotKept() {
        Fake registry = new Fake("the registry");
        String big = registry.put(archive("1_big.sql", padded("CREATE TABLE big (id int);\n", 20_000)));
        DirectoryCache cache = cache(1024, registry);

        assertThat(cache.await("app", big, WAIT).directory().files()).hasSize(1);
        assertThat(cache.await("app", big, WAIT).directory().files()).hasSize(1);

        assertThat(cache.keptBytes()).isZero();
        assertThat(registry.readsOf(big)).isEqualTo(2);
    }

    @Test
    void aVersionNoSourceHasFailsAtOnceNamingTheVersionAndTheRegistry() {
        Fake registry = new Fake("the registry at http://registry:8080");
        DirectoryCache cache = cache(1 << 20, registry);
        String missing = "f".repeat(64);

        assertThatThrownBy(() -> cache.await("app", missing, WAIT))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("directory version " + missing + " of \"app\" is not in the registry")
                .hasMessageContaining("the registry at http://registry:8080 does not have it")
                .hasMessageContaining("nothing ran");
        assertThat(waits).as("a 404 is not retried").isEmpty();
        assertThat(cache.fetchFailures()).isEqualTo(1);
    }

    @Test
    void aFetchThatNeverEndsFailsTheCommandOnceItsWaitIsOver() {
        CountDownLatch never = new CountDownLatch(1);
        ArchiveSource stalled = new Named("the registry at http://slow:8080") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) throws InterruptedException {
                never.await();
                return Optional.empty();
            }
        };
        DirectoryCache cache = cache(1 << 20, stalled);
        String id = "c".repeat(64);

        assertThatThrownBy(() -> cache.await("app", id, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
                .hasMessageContaining("directory version " + id + " of \"app\" did not arrive from the registry at"
                        + " http://slow:8080 within 300 ms").hasMessageContaining("nothing ran");
    }

    @Test
    void somethingThatIsNotAVersionIdFailsWithoutAsking() {
        Fake registry = new Fake("the registry");
        DirectoryCache cache = cache(1 << 20, registry);

        assertThatThrownBy(() -> cache.await("app", "../../etc/passwd", WAIT)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("is not a directory version id");
        assertThat(registry.reads).hasValue(0);
    }

    @Test
    void anUnreachableSourceIsRetriedWithBackoffThenTheCommandFails() {
        AtomicInteger tries = new AtomicInteger();
        ArchiveSource down = new Named("the registry at http://127.0.0.1:9") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) {
                tries.incrementAndGet();
                throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot reach the registry at"
                        + " http://127.0.0.1:9: Connection refused");
            }
        };
        DirectoryCache cache = cache(1 << 20, down);
        String id = "a".repeat(64);

        assertThatThrownBy(() -> cache.await("app", id, WAIT))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
                .hasMessageContaining("directory version " + id + " of \"app\" could not be fetched, nothing ran")
                .hasMessageContaining("gave up after 4 attempts").hasMessageContaining("Connection refused");
        assertThat(tries).hasValue(4);
        assertThat(waits).as("waits grow: full jitter at 0.5 of 100, 200, 400 ms").containsExactly(
                Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aTokenTheRegistryRefusesIsNotRetriedAndSaysSo() {
        ArchiveSource refusing = new Named("the registry") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "the registry answered 401; give the worker a"
                        + " token with scope deploy in FLOTILLA_WORKER_TOKEN");
            }
        };
        DirectoryCache cache = cache(1 << 20, refusing);

        assertThatThrownBy(() -> cache.await("app", "b".repeat(64), WAIT))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("FLOTILLA_WORKER_TOKEN");
        assertThat(waits).isEmpty();
    }

    @Test
    void anArchiveThatIsNotItsVersionIsRefusedAndRememberedAsRefused() {
        Fake registry = new Fake("the registry");
        String claimed = "0".repeat(64);
        registry.archives.put(claimed, archive("1_a.sql", "DROP TABLE users;\n"));
        DirectoryCache cache = cache(1 << 20, registry);

        assertThatThrownBy(() -> cache.await("app", claimed, WAIT))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH))
                .hasMessageContaining("directory version " + claimed + " of \"app\" was refused")
                .hasMessageContaining("SHA-256 is ");
        assertThatThrownBy(() -> cache.await("app", claimed, WAIT)).hasMessageContaining("was refused");
        assertThat(registry.reads).as("the refusal is remembered for a while").hasValue(1);
    }

    @Test
    void anArchiveWhoseAtlasSumDoesNotCheckIsRefused() {
        Fake registry = new Fake("the registry");
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("1_a.sql", utf8("CREATE TABLE a (id int);\n"));
        byte[] sum = MigrationDirectory.of(files, null).computeSum().toBytes();
        files.put("1_a.sql", utf8("CREATE TABLE a (id int);\nDROP TABLE users;\n"));
        String id = registry.put(MigrationDirectory.of(files, sum).toArchive());
        DirectoryCache cache = cache(1 << 20, registry);

        assertThatThrownBy(() -> cache.await("app", id, WAIT)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("was refused");
    }

    @Test
    void theNextSourceIsAskedWhenTheRegistryDoesNotHaveTheVersionOrCannotBeReached() {
        Fake registry = new Fake("the registry");
        Fake backups = new Fake("the backups");
        String id = backups.put(archive("1_a.sql", "CREATE TABLE a (id int);\n"));
        ArchiveSource down = new Named("a registry that is down") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) {
                throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "connection refused");
            }
        };

        assertThat(cache(1 << 20, registry, backups).await("app", id, WAIT).directory().files()).hasSize(1);
        assertThat(cache(1 << 20, down, backups).await("app", id, WAIT).directory().files()).hasSize(1);
        assertThat(registry.reads).hasValue(1);
        assertThat(backups.reads).hasValue(2);
        assertThat(waits).as("a registry that is down does not hold up the backup: no backoff").isEmpty();
    }

    @Test
    void whenNoSourceHasItAndOneIsDownEveryRoundAsksThemAll() {
        Fake backups = new Fake("the backups");
        AtomicInteger tries = new AtomicInteger();
        ArchiveSource down = new Named("a registry that is down") {
            @Override
            public Optional<byte[]> read(String directory, String versionId) {
                tries.incrementAndGet();
                throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "connection refused");
            }
        };
        String id = "d".repeat(64);

        assertThatThrownBy(() -> cache(1 << 20, down, backups).await("app", id, WAIT))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED))
                .hasMessageContaining("a registry that is down: connection refused")
                .hasMessageContaining("the backups does not have it");
        assertThat(tries).hasValue(4);
        assertThat(backups.reads).as("each round asks the backup again").hasValue(4);
    }

    private static String padded(String sql, int commentChars) {
        return "-- " + "x".repeat(commentChars) + "\n" + sql;
    }

    private static byte[] archive(String name, String sql) {
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put(name, utf8("-- " + UUID.randomUUID() + "\n" + sql));
        byte[] sum = MigrationDirectory.of(files, null).computeSum().toBytes();
        return MigrationDirectory.of(files, sum).toArchive();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A source with a name and nothing else. */
    private abstract static class Named implements ArchiveSource {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String describe() {
            return name;
        }
    }

    /** A source holding archives in memory, counting reads. */
    private static class Fake extends Named {
        final Map<String, byte[]> archives = new ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        private final Map<String, AtomicInteger> readsById = new ConcurrentHashMap<>();

        Fake(String name) {
            super(name);
        }

        String put(byte[] archive) {
            String id = Hashes.sha256Hex(archive);
            archives.put(id, archive);
            return id;
        }

        int readsOf(String id) {
            return readsById.getOrDefault(id, new AtomicInteger()).get();
        }

        @Override
        public Optional<byte[]> read(String directory, String versionId) throws InterruptedException {
            reads.incrementAndGet();
            readsById.computeIfAbsent(versionId, k -> new AtomicInteger()).incrementAndGet();
            return Optional.ofNullable(archives.get(versionId));
        }
    }
}
