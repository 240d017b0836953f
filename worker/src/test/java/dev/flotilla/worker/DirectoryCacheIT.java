package dev.flotilla.worker;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.testkit.KafkaFixture;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker's view of pushed directories, read from the real {@code flotilla.directories} topic. */
class DirectoryCacheIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private KafkaProducer<String, byte[]> producer;
    private DirectoryCache cache;

    @BeforeEach
    void start() throws Exception {
        TopicSetup.ensure(KafkaSettings.plain(KAFKA.bootstrapServers()));
        vertx = Vertx.vertx();
        producer = new KafkaProducer<>(new HashMap<String, Object>(KafkaClients.producer(KafkaSettings.plain(KAFKA.bootstrapServers()),
                "directory-cache-it")));
        cache = new DirectoryCache();
        cache.start(vertx, KafkaSettings.plain(KAFKA.bootstrapServers()), "directory-cache-it-" + UUID.randomUUID())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        cache.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        producer.close();
        vertx.close().await();
    }

    @Test
    void aCommandThatArrivesBeforeItsDirectoryWaitsForIt() throws Exception {
        byte[] archive = directory("1_init.sql", unique("CREATE TABLE t (id int);\n")).toArchive();
        String versionId = Hashes.sha256Hex(archive);
        CompletableFuture<MigrationDirectory> waiting = CompletableFuture.supplyAsync(
                () -> cache.await(versionId, Duration.ofSeconds(30)));
        assertThat(waiting).isNotDone();

        publish(versionId, archive);

        MigrationDirectory dir = waiting.get(30, TimeUnit.SECONDS);
        assertThat(dir.files()).extracting(f -> f.name()).containsExactly("1_init.sql");
        assertThat(cache.await(versionId, Duration.ofMillis(1))).as("known now: answered at once").isSameAs(dir);
    }

    @Test
    void aDirectoryThatNeverArrivesEndsTheWaitWithNotFoundNamingTheVersion() {
        String versionId = "never-pushed-" + UUID.randomUUID();

        assertThatThrownBy(() -> cache.await(versionId, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining(versionId).hasMessageContaining(Topics.DIRECTORIES)
                .hasMessageContaining("flotilla migrate push");
    }

    @Test
    void anUnreadableRecordIsSkippedAndTheOnesBehindItStillArrive() throws Exception {
        producer.send(new ProducerRecord<>(Topics.DIRECTORIES, "garbage", "not avro".getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
        String versionId = publish(directory("1_a.sql", unique("CREATE TABLE a (id int);\n")).toArchive());

        assertThat(cache.await(versionId, Duration.ofSeconds(30)).files()).hasSize(1);
    }

    @Test
    void aVersionIsSplitOncePerDialectAndReusedForEveryTarget() throws Exception {
        String versionId = publish(directory("1_a.sql", unique("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"))
                .toArchive());
        MigrationDirectory dir = cache.await(versionId, Duration.ofSeconds(30));

        PreparedDirectory pg = cache.prepared(versionId, dir, Dialect.POSTGRES);

        assertThat(cache.prepared(versionId, dir, Dialect.POSTGRES)).isSameAs(pg);
        assertThat(cache.prepared(versionId, dir, Dialect.SQLITE)).isNotSameAs(pg);
    }

    @Test
    void aRecordWhoseArchiveIsNotItsVersionIsRefusedAndItsCommandsFailAtOnce() throws Exception {
        String claimed = "0".repeat(64);
        publish(claimed, directory("1_a.sql", unique("DROP TABLE users;\n")).toArchive());

        assertThatThrownBy(() -> cache.await(claimed, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(FlotillaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH))
                .hasMessageContaining("directory version " + claimed).hasMessageContaining("was refused")
                .hasMessageContaining("SHA-256 is ");
    }

    @Test
    void aRecordWhoseAtlasSumDoesNotCheckIsRefused() throws Exception {
        Path dir = write("1_a.sql", unique("CREATE TABLE a (id int);\n"));
        Files.writeString(dir.resolve("1_a.sql"), Files.readString(dir.resolve("1_a.sql")) + "DROP TABLE users;\n");
        byte[] archive = MigrationDirectory.open(dir).toArchive();

        String versionId = publish(archive);

        assertThatThrownBy(() -> cache.await(versionId, Duration.ofSeconds(30))).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("was refused");
    }

    private static String unique(String sql) {
        return "-- " + UUID.randomUUID() + "\n" + sql;
    }

    private MigrationDirectory directory(String... nameContent) throws Exception {
        return MigrationDirectory.open(write(nameContent));
    }

    /** A directory of these files with its atlas.sum. */
    private Path write(String... nameContent) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m" + System.nanoTime()));
        for (int i = 0; i < nameContent.length; i += 2) {
            Files.writeString(dir.resolve(nameContent[i]), nameContent[i + 1]);
        }
        MigrationDirectory.open(dir).writeSum(dir);
        return dir;
    }

    /** Publishes the archive under its own version id, as the registry does; returns the id. */
    private String publish(byte[] archive) throws Exception {
        String versionId = Hashes.sha256Hex(archive);
        publish(versionId, archive);
        return versionId;
    }

    private void publish(String versionId, byte[] archive) throws Exception {
        DirectoryPushed e = DirectoryPushed.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDirectory("app").setTag("v1").setVersionId(versionId)
                .setLatestVersion(null).setFileCount(1).setArchive(ByteBuffer.wrap(archive)).build();
        producer.send(new ProducerRecord<>(Topics.DIRECTORIES, versionId, EventSerde.encode(e))).get(30, TimeUnit.SECONDS);
    }
}
