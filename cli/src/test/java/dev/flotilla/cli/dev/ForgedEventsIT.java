package dev.flotilla.cli.dev;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeadLetter;
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

import java.nio.ByteBuffer;
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
 * directories written straight to Kafka, naming targets the workers' project file does not have,
 * options their env does not set, or archives that are not what their version id says, touch no
 * database and end as FAILED results or dead letters that say why.
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
            int setsBefore = fleet.sets().size();
            Events events = new Events(fleet.bootstrap());

            String unknown = send(kafka, command("evil", "prod/evil", v1, "sqlite://" + tmp + "/evil.db", null));
            String mismatched = send(kafka, command("evil", "prod/t1", v1, "sqlite://" + tmp + "/t1.db", null));
            String baseline = send(kafka, command("t2", "prod/t2", v1, "sqlite://" + tmp + "/t2.db", "999"));
            String drop = forgedDirectory(kafka, "f".repeat(64), "2_drop.sql", "DROP TABLE users;\n", false);
            String tampered = forgedDirectory(kafka, null, "2_drop.sql", "DROP TABLE users;\n", true);
            String runForged = send(kafka, command("t1", "prod/t1", "f".repeat(64), "sqlite://" + tmp + "/t1.db", null));

            assertThat(events.failure(unknown)).contains("target \"evil\" of env \"prod\" is not in this worker's"
                    + " project file, so nothing was connected");
            assertThat(events.failure(mismatched)).contains("names target \"prod/t1\" but env \"prod\" and name"
                    + " \"evil\"");
            assertThat(events.failure(baseline)).contains("asks for baseline \"999\", but env \"prod\" in this"
                    + " worker's project file sets none");
            assertThat(events.failure(runForged)).contains("directory version " + "f".repeat(64) + " of \"app\" is not in"
                    + " the registry").contains("nothing ran");
            assertThat(events.deadLetter(drop)).contains("refused, nothing deployed").contains("SHA-256");
            assertThat(events.deadLetter(tampered)).contains("refused, nothing deployed").contains("atlas.sum");
            assertThat(tmp.resolve("evil.db")).doesNotExist();
            assertThat(count("t1", "SELECT count(*) FROM sqlite_master WHERE name = 'users'")).isEqualTo(1);
            assertThat(count("t2", "SELECT count(*) FROM atlas_schema_revisions WHERE version = '999'")).as("no baseline")
                    .isZero();
            assertThat(fleet.sets()).as("no deployment of a forged push").noneMatch(set -> "forged".equals(
                    set.path("tag").asText()) || "PUSH".equals(set.path("trigger").asText()) && set.path("seq").asInt()
                    > setsBefore);
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

    /** A push the registry never made; returns the version id it claims. */
    private String forgedDirectory(KafkaProducer<String, byte[]> kafka, String claimedId, String file, String sql,
            boolean staleSum) throws Exception {
        Path d = Files.createDirectories(tmp.resolve("forged-" + UUID.randomUUID()));
        FleetHarness.write(d, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        FleetHarness.write(d, file, sql);
        if (staleSum) {
            Files.writeString(d.resolve(file), sql + "DROP TABLE other;\n");
        }
        byte[] archive = MigrationDirectory.open(d).toArchive();
        String id = claimedId != null ? claimedId : Hashes.sha256Hex(archive);
        DirectoryPushed e = DirectoryPushed.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDirectory("app").setTag("forged").setVersionId(id)
                .setLatestVersion("2").setFileCount(2).setArchive(ByteBuffer.wrap(archive)).build();
        kafka.send(new ProducerRecord<>(Topics.DIRECTORIES, id, EventSerde.encode(e))).get(30, TimeUnit.SECONDS);
        return id;
    }

    private long count(String tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(tenant + ".db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The results and dead letters on the fleet's topics, read as they come. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, String> failures = new ConcurrentHashMap<>();
        private final Map<String, String> deadLetters = new ConcurrentHashMap<>();

        Events(String bootstrap) {
            consumer = new KafkaConsumer<>(KafkaClients.consumer(KafkaSettings.plain(bootstrap), null, "forged-it"));
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.RESULTS).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            parts.add(new TopicPartition(Topics.DEAD_LETTERS, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        String failure(String commandId) {
            await().atMost(WAIT).until(() -> poll() && failures.containsKey(commandId));
            return failures.get(commandId);
        }

        String deadLetter(String versionId) {
            await().atMost(WAIT).until(() -> poll() && deadLetters.values().stream().anyMatch(r -> r.contains(versionId)));
            return deadLetters.values().stream().filter(r -> r.contains(versionId)).findFirst().orElseThrow();
        }

        private boolean poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(Topics.DEAD_LETTERS)) {
                    DeadLetter d = EventSerde.decode(r.value(), DeadLetter.class);
                    deadLetters.put(d.getEventId(), d.getReason());
                } else if (EventSerde.decode(r.value()) instanceof MigrationResult m) {
                    if ("FAILED".equals(m.getStatus())) {
                        failures.put(m.getCommandId(), String.valueOf(m.getError()));
                    }
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
