package dev.flotilla.worker;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.testkit.KafkaFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Finding a command's target may query a {@code data "sql"} database: the worker never does it
 * on its event loop, and a target that is already known is not looked up again.
 */
class WorkerResolvesOffTheEventLoopIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    @TempDir
    Path tmp;

    @Test
    void targetsAreResolvedOnAWorkerThreadNeverTheEventLoop() throws Exception {
        KafkaSettings kafka = KafkaSettings.plain(KAFKA.bootstrapServers());
        TopicSetup.ensure(kafka);
        List<String> threads = new CopyOnWriteArrayList<>();
        TargetResolver resolver = c -> {
            threads.add(Thread.currentThread().getName());
            return new TargetResolver.Resolved(DatabaseUrl.parse("sqlite://" + tmp.resolve(c.getTargetName() + ".db")),
                    null, null);
        };
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("1_init.sql"), "-- " + UUID.randomUUID() + "\nCREATE TABLE t (id int);\n");
        MigrationDirectory.open(dir).writeSum(dir);
        byte[] archive = MigrationDirectory.open(dir).toArchive();
        String version = Hashes.sha256Hex(archive);
        try (ServiceHost host = new ServiceHost(kafka, null, HttpSettings.loopback());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka, "off-loop-it"))) {
            ArchiveSource registry = new ArchiveSource() {
                @Override
                public String describe() {
                    return "the test's archives";
                }

                @Override
                public Optional<byte[]> read(String directory, String versionId) {
                    return Optional.of(archive).filter(a -> versionId.equals(version));
                }
            };
            host.deploy(new WorkerService(2, 2, resolver, "off-loop", List.of(registry), 1 << 20))
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            String set = UUID.randomUUID().toString();
            for (int i = 0; i < 3; i++) {
                MigrationCommand c = MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setOccurredAt(Instant.now()).setDeploymentSetId(set).setTargetId("prod/off-loop-" + i)
                        .setCommandId(set + "/" + i).setEnv("prod").setDirectory("app").setVersionId(version)
                        .setTargetVersion("1").setTargetName("off-loop-" + i).setRedactedUrl("sqlite://x")
                        .setIndex(i).setPlanned(3).build();
                producer.send(new ProducerRecord<>(Topics.COMMANDS, c.getTargetId(), EventSerde.encode(c)))
                        .get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.size() == 3
                    && Files.exists(tmp.resolve("off-loop-2.db")));
        }
        assertThat(threads).noneMatch(t -> t.contains("eventloop"));
    }
}
