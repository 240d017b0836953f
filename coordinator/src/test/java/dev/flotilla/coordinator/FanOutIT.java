package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * {@link FanOut} on the in-process Kafka cluster, with its store on a scratch PostgreSQL database:
 * a deployment set and its commands become visible to read-committed consumers together, or not
 * at all.
 */
class FanOutIT {
    private static final DirectoryIndex.TagVersion V2 = new DirectoryIndex.TagVersion("app", "v2", "sha-of-v2",
            "20250102000000");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static KafkaFixture kafka;

    private ScratchDatabase storeDatabase;
    private ServiceStore store;
    private KafkaProducer<String, byte[]> producer;
    private FanOut fanOut;

    @BeforeAll
    static void topics() {
        kafka = KafkaFixture.shared();
        TopicSetup.ensure(KafkaSettings.plain(kafka.bootstrapServers()));
    }

    /** A FanOut as the coordinator builds it: its transactional producer and its own tables. */
    @BeforeEach
    void setUp() {
        storeDatabase = TestDatabases.postgresDatabase("fanout");
        store = ServiceStore.connect(storeDatabase.jdbcUrl(), null, null, 4, "test");
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.transactionalProducer(KafkaSettings.plain(kafka.bootstrapServers()),
                "fanout-it", "fanout-it-" + UUID.randomUUID())));
        producer.initTransactions();
        fanOut = new FanOut(producer, store);
    }

    @AfterEach
    void tearDown() {
        producer.close(Duration.ofSeconds(10));
        store.close();
        storeDatabase.close();
    }

    @Test
    void theSetAndEveryCommandAreVisibleToReadCommittedConsumers() throws SQLException {
        String setId = UUID.randomUUID().toString();

        Rollouts.Created created = fanOut.deploy(setId, env(tenants(5)), V2, "CLI", false);

        assertThat(created).isEqualTo(new Rollouts.Created(setId, 5, V2.latestVersion()));
        List<Seen> seen = committedEventsOf(setId);
        assertThat(seen).filteredOn(s -> s.event() instanceof DeploymentSetCreated).singleElement().satisfies(s -> {
            assertThat(s.topic() + " " + s.key()).isEqualTo(Topics.DEPLOYMENTS + " " + setId);
            DeploymentSetCreated set = (DeploymentSetCreated) s.event();
            assertThat(set.getEnv()).isEqualTo("prod");
            assertThat(set.getPlanned()).isEqualTo(5);
            assertThat(set.getTargetVersion()).isEqualTo(V2.latestVersion());
        });
        List<Seen> commandRecords = seen.stream().filter(s -> s.event() instanceof MigrationCommand).toList();
        assertThat(commandRecords).extracting(s -> s.topic() + " " + s.key()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 5).mapToObj(i -> Topics.COMMANDS + " prod/tenant_" + i).toList());
        List<MigrationCommand> commands = commandRecords.stream().map(s -> (MigrationCommand) s.event()).toList();
        assertThat(commands).extracting(MigrationCommand::getCommandId).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 5).mapToObj(i -> setId + "/0/" + i).toList());
        assertThat(commands).allSatisfy(c -> {
            assertThat(c.getGroup()).as("a set without a deployment block runs as one group without a name").isNull();
            assertThat(c.getLane()).as("and without a parallel limit, so without lanes").isNull();
            assertThat(c.getControlEpoch()).isEqualTo(1);
        });
        assertThat(commands).allSatisfy(c -> assertThat(c.getRedactedUrl()).doesNotContain("s3cret"));
        assertThat(recorded(setId)).contains("5 published");
    }

    /**
     * tenant_2's URL makes its command larger than the producer's max.request.size (1 MiB by
     * default), so Kafka refuses it after the set and two commands were handed to the producer.
     */
    @Test
    void aCommandKafkaRefusesMidWayPublishesNothingAndTheCallerGetsTheError() throws SQLException {
        String setId = UUID.randomUUID().toString();
        List<Target> targets = new ArrayList<>(tenants(4));
        targets.set(2, new Target("tenant_2", "postgres://db:5432/app?application_name=" + "x".repeat(1_200_000)));

        Throwable thrown = catchThrowable(() -> fanOut.deploy(setId, env(targets), V2, "CLI", false));

        assertThat(thrown).isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("publishing deployment set " + setId + " for env \"prod\" failed, nothing was sent: ")
                .hasRootCauseInstanceOf(RecordTooLargeException.class);
        assertThat(((FlotillaException) thrown).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(committedEventsOf(setId)).isEmpty();
        assertThat(recorded(setId)).as("recorded but not published: the coordinator publishes it again at its next"
                + " start").contains("4 unpublished");
    }

    @Test
    void theSetAfterAFailedOneIsPublished() {
        List<Target> tooLarge = List.of(new Target("tenant_0", "postgres://db/app?x=" + "x".repeat(1_200_000)));
        String failed = UUID.randomUUID().toString();
        String next = UUID.randomUUID().toString();
        assertThat(catchThrowable(() -> fanOut.deploy(failed, env(tooLarge), V2, "CLI", false)))
                .isInstanceOf(FlotillaException.class);

        fanOut.deploy(next, env(tenants(2)), V2, "CLI", false);

        assertThat(committedEventsOf(next)).hasSize(1 + 2);
        assertThat(committedEventsOf(failed)).isEmpty();
    }

    private static List<Target> tenants(int count) {
        return IntStream.range(0, count).mapToObj(i -> new Target("tenant_" + i,
                "postgres://app:s3cret@db:5432/app?search_path=tenant_" + i)).toList();
    }

    private static EnvConfig env(List<Target> targets) {
        return new EnvConfig("prod", "atlas://app", null, () -> targets);
    }

    /**
     * The events of {@code setId} on the deployments and commands topics that a read-committed
     * consumer sees, read once every transaction on them has been committed or aborted (the
     * read-committed end offsets have caught up with the read-uncommitted ones).
     */
    private static List<Seen> committedEventsOf(String setId) {
        try (KafkaConsumer<String, byte[]> committed = consumer("read_committed");
             KafkaConsumer<String, byte[]> uncommitted = consumer("read_uncommitted")) {
            List<TopicPartition> partitions = partitions(committed);
            await().atMost(PATIENCE).until(() -> committed.endOffsets(partitions)
                    .equals(uncommitted.endOffsets(partitions)));
            Map<TopicPartition, Long> end = committed.endOffsets(partitions);
            committed.assign(partitions);
            committed.seekToBeginning(partitions);
            List<Seen> events = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : committed.poll(Duration.ofMillis(200))) {
                    SpecificRecord event = EventSerde.decode(r.value());
                    if (setId.equals(setIdOf(event))) {
                        events.add(new Seen(r.topic(), r.key(), event));
                    }
                }
                return partitions.stream().allMatch(p -> committed.position(p) >= end.get(p));
            });
            return events;
        }
    }

    /** A record a consumer read: where, under which key, and the event it holds. */
    private record Seen(String topic, String key, SpecificRecord event) {
    }

    private static String setIdOf(SpecificRecord event) {
        if (event instanceof DeploymentSetCreated set) {
            return set.getDeploymentSetId();
        }
        return event instanceof MigrationCommand command ? command.getDeploymentSetId() : null;
    }

    private static KafkaConsumer<String, byte[]> consumer(String isolation) {
        Map<String, Object> config = new HashMap<>(KafkaClients.consumer(KafkaSettings.plain(kafka.bootstrapServers()), null,
                "fanout-it-" + isolation));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(config);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.DEPLOYMENTS, Topics.COMMANDS)) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /** "planned published|unpublished" as coordinator_rollouts recorded the set, empty when it has no row. */
    private Optional<String> recorded(String setId) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("SELECT planned, published FROM coordinator_rollouts WHERE set_id = ?")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1) + (rs.getBoolean(2) ? " published" : " unpublished"))
                        : Optional.empty();
            }
        }
    }
}
