package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.coordinator.config.TargetSource;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A set whose targets come from a {@code data "sql"} query, deployed by {@link FanOut} as the
 * coordinator does, with its store and the tenant table on the real PostgreSQL and the in-process
 * Kafka cluster. The env's target source refuses to be resolved into a list: the fan-out must take
 * its targets as a stream, as a set of a million needs in a coordinator of 512 MiB.
 */
class StreamedFanOutIT {
    private static final DirectoryIndex.TagVersion V2 = new DirectoryIndex.TagVersion("app", "v2", "sha-of-v2",
            "20250102000000");
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String HEAD = "variable \"url\" {\n  type = string\n}\n"
            + "data \"sql\" \"tenants\" {\n  url   = var.url\n  query = \"%s\"\n}\n";

    private static KafkaFixture kafka;

    private ScratchDatabase db;
    private ServiceStore store;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private FanOut fanOut;
    private final AtomicLong published = new AtomicLong();
    private final List<SpecificRecord> seen = new ArrayList<>();

    @BeforeAll
    static void topics() {
        kafka = KafkaFixture.shared();
        TopicSetup.ensure(KafkaSettings.plain(kafka.bootstrapServers()));
    }

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.postgresDatabase("streamed");
        db.exec("CREATE TABLE tenants (n int NOT NULL, name text NOT NULL, tier text, region text)");
        store = ServiceStore.connect(db.jdbcUrl(), null, null, 4, "test");
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.transactionalProducer(
                KafkaSettings.plain(kafka.bootstrapServers()), "streamed-it", "streamed-it-" + UUID.randomUUID())));
        producer.initTransactions();
        fanOut = new FanOut(producer, store);
        fanOut.rollouts().onCommandsPublished(published::addAndGet);
        Map<String, Object> config = new HashMap<>(KafkaClients.consumer(KafkaSettings.plain(kafka.bootstrapServers()),
                null, "streamed-it"));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(config);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.COMMANDS, Topics.RESULTS)) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @AfterEach
    void tearDown() {
        consumer.close();
        producer.close(Duration.ofSeconds(10));
        store.close();
        db.close();
    }

    @Test
    void fiftyThousandTargetsOfAQueryGoToTheStoreAndOutAsCommandsWithoutAListOfThem() throws SQLException {
        db.exec("INSERT INTO tenants (n, name) SELECT g, 'tenant_' || g FROM generate_series(1, 50000) g");
        EnvConfig prod = env(String.format(HEAD, "SELECT name FROM tenants ORDER BY n")
                + "env \"prod\" {\n  for_each = data.sql.tenants.values\n"
                + "  url      = urlqueryset(var.url, \"search_path\", each.value)\n}\n");
        String setId = UUID.randomUUID().toString();

        Rollouts.Created created = fanOut.deploy(setId, prod, V2, "CLI", false);

        assertThat(created.planned()).isEqualTo(50_000);
        assertThat(published.get()).isEqualTo(50_000);
        assertThat(count("SELECT count(*) FROM coordinator_rollout_targets WHERE set_id = ? AND state = 'SENT'"
                + " AND ord = substring(target_name FROM 8)::int - 1 AND redacted_url LIKE '%search_path=' || target_name"
                + " || '%'", setId)).as("every target in the store, numbered in the query's order").isEqualTo(50_000);
        assertThat(count("SELECT count(*) FROM coordinator_rollouts WHERE set_id = ? AND published AND planned = 50000",
                setId)).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> commands(setId).size() == 50_000);
        assertThat(commands(setId).stream().map(MigrationCommand::getTargetId).distinct().count()).isEqualTo(50_000);
        assertThat(commands(setId)).filteredOn(c -> c.getTargetName().equals("tenant_40000")).singleElement()
                .satisfies(c -> assertThat(c.getIndex()).isEqualTo(39_999));
    }

    @Test
    void stagedGroupsAreMatchedAndOrderedAsTheTargetsStreamAndALaterGroupIsReadBackInItsOrder()
            throws SQLException {
        db.exec("INSERT INTO tenants (n, name, tier, region) VALUES (1, 't_c1', 'canary', 'us'),"
                + " (2, 't_c2', 'canary', 'eu'), (3, 't_c3', 'canary', 'eu'), (4, 't_p1', 'paid', 'eu'),"
                + " (5, 't_p2', 'paid', 'us'), (6, 't_p3', 'paid', 'eu'), (7, 't_p4', 'paid', 'us'),"
                + " (8, 't_p5', 'paid', 'eu'), (9, 't_f1', 'free', 'eu'), (10, 't_f2', 'free', 'us')");
        EnvConfig prod = env(String.format(HEAD, "SELECT name, tier, region FROM tenants ORDER BY name DESC")
                + "deployment \"staged\" {\n"
                + "  variable \"name\" {\n    type = string\n  }\n"
                + "  variable \"tier\" {\n    type = string\n  }\n"
                + "  variable \"region\" {\n    type = string\n  }\n"
                + "  group \"canary\" {\n    match    = var.tier == \"canary\"\n"
                + "    order_by = [var.region, var.name]\n    parallel = 2\n  }\n"
                + "  group \"paid\" {\n    match      = var.tier == \"paid\"\n    depends_on = [group.canary]\n"
                + "    order_by   = var.region\n    parallel   = 3\n  }\n}\n"
                + "env \"prod\" {\n  for_each = data.sql.tenants.values\n"
                + "  url      = urlqueryset(var.url, \"search_path\", each.value.name)\n"
                + "  rollout {\n    deployment = deployment.staged\n"
                + "    vars = {\n      name = each.value.name\n      tier = each.value.tier\n"
                + "      region = each.value.region\n    }\n  }\n}\n");
        String setId = UUID.randomUUID().toString();

        Rollouts.Created created = fanOut.deploy(setId, prod, V2, "CLI", false);

        assertThat(created.planned()).isEqualTo(10);
        await().atMost(PATIENCE).until(() -> commands(setId).size() == 3 && skips(setId).size() == 2);
        assertThat(commands(setId)).extracting(c -> c.getTargetName() + "#" + c.getIndex() + "@" + c.getLane())
                .as("canary by region, then name; two lanes").containsExactly("t_c2#0@" + setId + "/canary/0",
                        "t_c3#1@" + setId + "/canary/1", "t_c1#2@" + setId + "/canary/0");
        assertThat(skips(setId)).extracting(r -> r.getTargetName() + " " + r.getErrorCode())
                .containsExactlyInAnyOrder("t_f1 UNMATCHED", "t_f2 UNMATCHED");

        List<MigrationCommand> canary = commands(setId);
        fanOut.rollouts().onResults(setId, canary.stream().map(c -> passed(c)).toList());

        await().atMost(PATIENCE).until(() -> commands(setId).size() == 8);
        assertThat(commands(setId).subList(3, 8)).extracting(c -> c.getTargetName() + "#" + c.getIndex() + "@"
                + c.getLane()).as("paid by region; a tie keeps the query's order (name descending); three lanes")
                .containsExactly("t_p5#0@" + setId + "/paid/0", "t_p3#1@" + setId + "/paid/1",
                        "t_p1#2@" + setId + "/paid/2", "t_p4#3@" + setId + "/paid/0", "t_p2#4@" + setId + "/paid/1");
    }

    @Test
    void aNameTheQueryGivesTwiceIsRefusedAndNothingIsRecorded() throws SQLException {
        db.exec("INSERT INTO tenants (n, name) VALUES (1, 'b'), (2, 'a'), (3, 'b'), (4, 'c')");
        EnvConfig prod = env(String.format(HEAD, "SELECT name FROM tenants ORDER BY n")
                + "env \"prod\" {\n  for_each = data.sql.tenants.values\n  url      = \"sqlite://${each.value}.db\"\n}\n");
        String setId = UUID.randomUUID().toString();

        Throwable thrown = catchThrowable(() -> fanOut.deploy(setId, prod, V2, "CLI", false));

        assertThat(thrown).isInstanceOf(FlotillaException.class);
        FlotillaException e = (FlotillaException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(e.getMessage()).isEqualTo("env \"prod\" lists target \"b\" twice; target names must be unique"
                + " within an env");
        assertThat(count("SELECT count(*) FROM coordinator_rollouts WHERE set_id = ?", setId)).isZero();
        assertThat(count("SELECT count(*) FROM coordinator_rollout_targets WHERE set_id = ?", setId)).isZero();
    }

    @Test
    void tosetOfTheQueryTakesEachNameOnceInNameOrder() throws SQLException {
        db.exec("INSERT INTO tenants (n, name) VALUES (1, 'b'), (2, 'a'), (3, 'b'), (4, 'c')");
        EnvConfig prod = env(String.format(HEAD, "SELECT name FROM tenants ORDER BY n")
                + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n"
                + "  url      = \"sqlite://${each.value}.db\"\n}\n");
        String setId = UUID.randomUUID().toString();

        assertThat(fanOut.deploy(setId, prod, V2, "CLI", false).planned()).isEqualTo(3);

        await().atMost(PATIENCE).until(() -> commands(setId).size() == 3);
        assertThat(commands(setId)).extracting(c -> c.getTargetName() + "#" + c.getIndex())
                .containsExactly("a#0", "b#1", "c#2");
    }

    // ---------------------------------------------------------------------------------------------

    /** The env of the project file, whose targets can be streamed but not resolved into a list. */
    private EnvConfig env(String hcl) {
        String withDir = hcl.replace("env \"prod\" {\n", "env \"prod\" {\n  migration {\n    dir = \"atlas://app\"\n  }\n");
        EnvConfig e = ProjectConfig.parse(withDir, Path.of("."), Map.of("url", db.url())).requireEnv("prod");
        TargetSource real = e.targets();
        TargetSource streamOnly = new TargetSource() {
            @Override
            public List<Target> resolve() {
                throw new AssertionError("the fan-out resolved the env's targets into one list");
            }

            @Override
            public Order stream(Consumer<Target> each) {
                return real.stream(each);
            }
        };
        return new EnvConfig(e.name(), e.migrationDir(), e.devUrl(), streamOnly, e.baseline(), e.txMode(), e.repo(),
                e.deployment(), e.toVersion());
    }

    private long count(String sql, String setId) throws SQLException {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void drain() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            seen.add(EventSerde.decode(r.value()));
        }
    }

    /** The set's commands so far, in the order they were sent (by time, then group order). */
    private List<MigrationCommand> commands(String setId) {
        drain();
        return seen.stream().filter(e -> e instanceof MigrationCommand c && setId.equals(c.getDeploymentSetId()))
                .map(MigrationCommand.class::cast).sorted(Comparator.comparing(MigrationCommand::getOccurredAt)
                        .thenComparing(MigrationCommand::getIndex)).toList();
    }

    private List<MigrationResult> skips(String setId) {
        drain();
        return seen.stream().filter(e -> e instanceof MigrationResult r && setId.equals(r.getDeploymentSetId()))
                .map(MigrationResult.class::cast).toList();
    }

    private static MigrationResult passed(MigrationCommand c) {
        Instant now = Instant.now();
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now)
                .setDeploymentSetId(c.getDeploymentSetId()).setTargetId(c.getTargetId()).setCommandId(c.getCommandId())
                .setAttempt(c.getAttempt()).setEnv(c.getEnv()).setDirectory(c.getDirectory())
                .setVersionId(c.getVersionId()).setTargetName(c.getTargetName()).setRedactedUrl(c.getRedactedUrl())
                .setStatus("PASSED").setToVersion(c.getTargetVersion()).setFiles(List.of()).setStartedAt(now)
                .setEndedAt(now).setWorkerId("it").build();
    }
}
