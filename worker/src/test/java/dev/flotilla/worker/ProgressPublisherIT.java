package dev.flotilla.worker;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Progress events on the real broker, from the real executor on the real PostgreSQL: a run that is
 * over within the delay publishes none, a longer one shows STARTED and then each file's end.
 */
class ProgressPublisherIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static Vertx vertx;
    private static KafkaProducer<String, byte[]> producer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        KAFKA.createTopics(12, Topics.RESULTS);
        vertx = Vertx.vertx();
        producer = new KafkaProducer<>(new HashMap<String, Object>(
                KafkaClients.producer(KafkaSettings.plain(KAFKA.bootstrapServers()), "progress-it")));
    }

    @AfterAll
    static void stop() {
        producer.close();
        vertx.close().await();
    }

    @Test
    void aRunShorterThanTheDelayPublishesNoProgress() throws Exception {
        try (ScratchDatabase db = TestDatabases.postgresDatabase("progress")) {
            String target = "prod/fast-" + UUID.randomUUID();
            apply(db, target, Duration.ofSeconds(5), "1_a.sql", "CREATE TABLE a (id int);\n",
                    "2_b.sql", "CREATE TABLE b (id int);\n");
            String marker = "prod/marker-" + UUID.randomUUID();
            apply(db, marker, Duration.ZERO, "3_c.sql", "CREATE TABLE c (id int);\n");

            // The marker's own events are on the topic, so anything the fast run sent would be too.
            await().atMost(Duration.ofSeconds(30)).until(() -> !states(marker).isEmpty());
            assertThat(states(target)).isEmpty();
        }
    }

    @Test
    void aRunStillGoingAfterTheDelayShowsStartedAndThenEachFile() throws Exception {
        try (ScratchDatabase db = TestDatabases.postgresDatabase("progress")) {
            String target = "prod/slow-" + UUID.randomUUID();
            apply(db, target, Duration.ofMillis(100), "1_slow.sql", "SELECT pg_sleep(0.6);\n",
                    "2_next.sql", "CREATE TABLE n (id int);\n");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> states(target).equals(List.of("STARTED 1_slow.sql", "FILE_DONE 1_slow.sql",
                            "FILE_DONE 2_next.sql")));
        }
    }

    private void apply(ScratchDatabase db, String target, Duration after, String... nameContent) throws Exception {
        PreparedDirectory d = TestDirs.postgres(tmp, nameContent);
        MigrationCommand c = MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDeploymentSetId("set-1").setTargetId(target)
                .setCommandId("set-1/0").setEnv("prod").setDirectory("app").setVersionId("v")
                .setTargetVersion("2").setTargetName(target).setRedactedUrl("postgres://x").setAttempt(1)
                .setDryRun(false).setIndex(0).setPlanned(1).build();
        ApplyResult r;
        try (ProgressPublisher p = new ProgressPublisher(vertx, producer, c, after)) {
            r = new MigrationExecutor().apply(DatabaseUrl.parse(db.url(target.replaceAll("[^a-z0-9]", "_"))), d,
                    ApplyOptions.defaults(), p);
        }
        assertThat(r.status()).isEqualTo("PASSED");
        producer.flush();
    }

    /** "STATE file" of every progress event for the target, in topic order. */
    private static List<String> states(String target) {
        Map<String, Object> props = new HashMap<>(KafkaClients.consumer(KafkaSettings.plain(KAFKA.bootstrapServers()), "unused", "read"));
        props.remove("group.id");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.RESULTS).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (target.equals(r.key())) {
                        MigrationProgress p = EventSerde.decode(r.value(), MigrationProgress.class);
                        out.add(p.getState() + " " + p.getFileName());
                    }
                }
            }
        }
        return out;
    }
}
