package dev.flotilla.cli.dev;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whoever can write to Flotilla's topics still cannot make a worker run anything: commands and
 * pushes written straight to Kafka, naming targets the workers' project file does not have,
 * options their env does not set, or directory versions the registry does not hold, touch no
 * database and end as FAILED results that say why. A push refers to its archive by version id, and
 * workers run only what the registry serves under that id (whose SHA-256 they check).
 */
class ForgedEventsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void forgedCommandsAndDirectoriesTouchNoDatabase() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"t1\", \"t2\"])\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 2);
             KafkaProducer<String, byte[]> kafka = new KafkaProducer<>(KafkaClients.producer(
                     KafkaSettings.plain(fleet.bootstrap()), "forger"))) {
            await().atMost(WAIT).until(fleet::ready);
            String v1 = fleet.push(dir, "app", "v1").path("versionId").asText();
            await().atMost(WAIT).until(() -> fleet.databases("prod").stream()
                    .filter(d -> "SYNCED".equals(d.path("status").asText())).count() == 2);
            Events events = new Events(fleet.bootstrap());
            String forgedId = "f".repeat(64);

            String unknown = send(kafka, command("evil", "prod/evil", v1, "sqlite://" + tmp + "/evil.db", null));
            String mismatched = send(kafka, command("evil", "prod/t1", v1, "sqlite://" + tmp + "/t1.db", null));
            String baseline = send(kafka, command("t2", "prod/t2", v1, "sqlite://" + tmp + "/t2.db", "999"));
            forgedPush(kafka, forgedId);
            String runForged = send(kafka, command("t1", "prod/t1", forgedId, "sqlite://" + tmp + "/t1.db", null));

            assertThat(events.failure(unknown)).contains("target \"evil\" of env \"prod\" is not in this worker's"
                    + " project file, so nothing was connected");
            assertThat(events.failure(mismatched)).contains("names target \"prod/t1\" but env \"prod\" and name"
                    + " \"evil\"");
            assertThat(events.failure(baseline)).contains("asks for baseline \"999\", but env \"prod\" in this"
                    + " worker's project file sets none");
            String notInRegistry = "directory version " + forgedId + " of \"app\" is not in the registry";
            assertThat(events.failure(runForged)).contains(notInRegistry).contains("nothing ran");
            // The forged push is deployed like any push, and fails on every target before one is touched.
            await().atMost(WAIT).until(() -> fleet.sets().stream().anyMatch(set -> "forged".equals(
                    set.path("tag").asText()) && "FAILED".equals(set.path("status").asText())));
            String forgedSet = fleet.sets().stream().filter(set -> "forged".equals(set.path("tag").asText()))
                    .findFirst().orElseThrow().path("id").asText();
            for (String t : List.of("prod/t1", "prod/t2")) {
                assertThat(fleet.deployment(forgedSet, t).path("error").asText()).as(t).contains(notInRegistry);
            }
            assertThat(tmp.resolve("evil.db")).doesNotExist();
            assertThat(count("t1", "SELECT count(*) FROM sqlite_master WHERE name = 'users'")).isEqualTo(1);
            assertThat(count("t2", "SELECT count(*) FROM sqlite_master WHERE name = 'users'")).isEqualTo(1);
            assertThat(count("t1", "SELECT count(*) FROM atlas_schema_revisions WHERE version NOT LIKE '.%'"))
                    .as("only v1's file ran").isEqualTo(1);
            assertThat(count("t2", "SELECT count(*) FROM atlas_schema_revisions WHERE version = '999'")).as("no baseline")
                    .isZero();
            events.close();
        }
    }

    private MigrationCommand command(String name, String targetId, String versionId, String url, String baseline) {
        String set = UUID.randomUUID().toString();
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(set).setTargetId(targetId).setCommandId(set + "/0").setEnv("prod")
                .setDirectory("app").setVersionId(versionId).setTargetVersion(null).setTargetName(name)
                .setRedactedUrl(url).setAttempt(1).setDryRun(false).setIndex(0).setPlanned(1).setBaseline(baseline)
                .build();
    }

    private static String send(KafkaProducer<String, byte[]> kafka, MigrationCommand c) throws Exception {
        kafka.send(new ProducerRecord<>(Topics.COMMANDS, c.getTargetId(), EventSerde.encode(c))).get(30,
                TimeUnit.SECONDS);
        return c.getCommandId();
    }

    /** A push the registry never made, of a version it does not hold, with a tag of its own. */
    private static void forgedPush(KafkaProducer<String, byte[]> kafka, String versionId) throws Exception {
        DirectoryPushed e = DirectoryPushed.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDirectory("app").setTag("forged").setVersionId(versionId)
                .setLatestVersion("2").setFileCount(2).setArchiveBytes(4096).build();
        kafka.send(new ProducerRecord<>(Topics.DIRECTORIES, versionId, EventSerde.encode(e))).get(30, TimeUnit.SECONDS);
    }

    private long count(String tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(tenant + ".db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The results on the fleet's topics, read as they come. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, String> failures = new ConcurrentHashMap<>();

        Events(String bootstrap) {
            consumer = new KafkaConsumer<>(KafkaClients.consumer(KafkaSettings.plain(bootstrap), null, "forged-it"));
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.RESULTS).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        String failure(String commandId) {
            await().atMost(WAIT).until(() -> poll() && failures.containsKey(commandId));
            return failures.get(commandId);
        }

        private boolean poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (EventSerde.decode(r.value()) instanceof MigrationResult m && "FAILED".equals(m.getStatus())) {
                    failures.put(m.getCommandId(), String.valueOf(m.getError()));
                }
            }
            return true;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
