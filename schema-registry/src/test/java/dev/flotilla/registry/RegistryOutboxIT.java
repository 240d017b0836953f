package dev.flotilla.registry;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A push and its DirectoryPushed are stored in one transaction; the event stays until Kafka has
 * it. A row Kafka refuses is retried on its own schedule, shown on its push, counted, and never
 * holds back the pushes behind it.
 */
class RegistryOutboxIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aMovedTagQueuesExactlyOneEventThatStaysUntilPublished() {
        try (ScratchDatabase store = TestDatabases.postgresDatabase("outbox");
             ServiceStore db = ServiceStore.connect(store.jdbcUrl(), null, null, 2, "outbox-test")) {
            JdbcRegistryStore s = new JdbcRegistryStore(db);
            Registry registry = new Registry(s, 1 << 20);
            byte[] archive = archive("CREATE TABLE t (id int);\n");

            PushResult first = registry.push("app", "v1", archive);
            PushResult again = registry.push("app", "v1", archive);

            assertThat(first.moved()).isTrue();
            assertThat(first.announcement()).isPositive();
            assertThat(again.moved()).isFalse();
            assertThat(again.announcement()).isZero();
            assertThat(s.pending()).isEqualTo(1);
            RegistryStore.OutboxEvent queued = s.nextDue().orElseThrow();
            assertThat(queued.seq()).isEqualTo(first.announcement());
            assertThat(queued.key()).isEqualTo(first.versionId());
            DirectoryPushed p = EventSerde.decode(queued.payload(), DirectoryPushed.class);
            assertThat(p.getDirectory()).isEqualTo("app");
            assertThat(p.getTag()).isEqualTo("v1");
            assertThat(p.getVersionId()).isEqualTo(first.versionId());
            assertThat(p.getArchiveBytes()).isEqualTo(archive.length);
            assertThat(p.getVersions()).as("the files' versions, in order").containsExactly(first.latestVersion());
            assertThat(EventSerde.encode(p).length).as("a reference, not the archive").isLessThan(1024);

            s.published(queued.seq());

            assertThat(s.nextDue()).isEmpty();
            assertThat(s.outboxState(first.announcement())).isEmpty();
            assertThat(registry.push("app", "v2", archive).moved()).as("a new tag on the same content").isTrue();
            assertThat(s.pending()).isEqualTo(1);
        }
    }

    @Test
    void aRowKafkaRefusesIsRetriedOnItsOwnShownOnItsPushAndCountedWhileThePushesBehindItGoOut() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        KafkaSettings k = KafkaSettings.plain(kafka.bootstrapServers());
        TopicSetup.ensure(k);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String stuckDir = "stuck-" + Long.toHexString(System.nanoTime());
        try (ScratchDatabase store = TestDatabases.postgresDatabase("outbox");
             ServiceStore db = ServiceStore.connect(store.jdbcUrl(), null, null, 4, "outbox-test");
             Events events = new Events(kafka.bootstrapServers())) {
            // A push stored while no registry ran, whose event Kafka will refuse: larger than the
            // producer's max.request.size (1 MiB by default).
            Registry offline = new Registry(new JdbcRegistryStore(db), 1 << 20);
            byte[] stuckArchive = archive("CREATE TABLE stuck (id int);\n");
            PushResult stuck = offline.push(stuckDir, "v1", stuckArchive);
            byte[] event = payload(store, stuck.announcement());
            setPayload(store, stuck.announcement(), junk(2 * 1024 * 1024));

            try (ServiceHost host = new ServiceHost(k, db, HttpSettings.loopback())) {
                String token = host.access().create("outbox-it", List.of(Grant.parse("push"), Grant.parse("read")),
                        "test").text();
                host.deploy(new RegistryService(1 << 20)).toCompletionStage().toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
                int port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(60,
                        TimeUnit.SECONDS);
                Client api = new Client(http, port, token);

                JsonObject a1 = api.push("behind", "v1", archive("CREATE TABLE a (id int);\n"));
                JsonObject a2 = api.push("behind", "v2", archive("CREATE TABLE b (id int);\n"));

                assertThat(a1.getBoolean("announced")).as(a1.encode()).isTrue();
                assertThat(a2.getBoolean("announced")).as(a2.encode()).isTrue();
                await().atMost(WAIT).until(() -> events.seen(a1.getString("versionId"), a2.getString("versionId")));
                JsonObject stuckTag = api.tag(stuckDir, "v1");
                assertThat(stuckTag.getBoolean("announced")).as(stuckTag.encode()).isFalse();
                assertThat(stuckTag.getString("announceError")).contains("RecordTooLargeException");
                assertThat(stuckTag.getInteger("announceAttempts")).isPositive();
                assertThat(api.tag(stuckDir, "latest").getBoolean("announced")).isFalse();
                assertThat(api.tag("behind", "v2").getBoolean("announced")).isTrue();
                JsonObject again = api.push(stuckDir, "v1", stuckArchive);
                assertThat(again.getBoolean("created")).isFalse();
                assertThat(again.getBoolean("announced")).as("the push's own answer says so").isFalse();
                assertThat(again.getString("announceError")).contains("RecordTooLargeException");
                await().atMost(WAIT).until(() -> metric(api.metrics(), "flotilla_registry_outbox_failures_total") >= 1
                        && metric(api.metrics(), "flotilla_registry_outbox_pending") == 1);
                assertThat(events.seen(stuck.versionId())).isFalse();

                // Once Kafka can take the row, its next attempt announces it.
                setPayload(store, stuck.announcement(), event);
                await().atMost(WAIT).until(() -> events.seen(stuck.versionId()));
                await().atMost(WAIT).until(() -> api.tag(stuckDir, "v1").getBoolean("announced"));
            }
        }
    }

    private static byte[] archive(String sql) {
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("1_init.sql", ("-- " + System.nanoTime() + "\n" + sql).getBytes(StandardCharsets.UTF_8));
        MigrationDirectory d = MigrationDirectory.of(files, null);
        return MigrationDirectory.of(files, d.computeSum().toBytes()).toArchive();
    }

    private static byte[] junk(int size) {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        return b;
    }

    private static byte[] payload(ScratchDatabase store, long seq) throws Exception {
        try (Connection c = store.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT payload FROM registry_outbox WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    private static void setPayload(ScratchDatabase store, long seq, byte[] payload) throws Exception {
        try (Connection c = store.connect(); PreparedStatement ps = c.prepareStatement(
                "UPDATE registry_outbox SET payload = ? WHERE seq = ?")) {
            ps.setBytes(1, payload);
            ps.setLong(2, seq);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }

    /** The registry's API as a pipeline would call it. */
    private record Client(HttpClient http, int port, String token) {
        JsonObject push(String dir, String tag, byte[] archive) throws Exception {
            HttpResponse<String> r = http.send(request("/api/v1/dirs/" + dir + "/push?tag=" + tag)
                    .header("content-type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofByteArray(archive))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
            return new JsonObject(r.body());
        }

        JsonObject tag(String dir, String tag) throws Exception {
            HttpResponse<String> r = http.send(request("/api/v1/dirs?pageSize=500").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            for (Object d : new JsonObject(r.body()).getJsonArray("items")) {
                JsonObject directory = (JsonObject) d;
                if (directory.getString("name").equals(dir)) {
                    for (Object t : directory.getJsonArray("tags", new JsonArray())) {
                        if (((JsonObject) t).getString("tag").equals(tag)) {
                            return (JsonObject) t;
                        }
                    }
                }
            }
            throw new AssertionError(dir + ":" + tag + " is not listed: " + r.body());
        }

        String metrics() throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        private HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("authorization", "Bearer " + token);
        }
    }

    /** The version ids announced on flotilla.directories, read as they come. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Set<String> versions = ConcurrentHashMap.newKeySet();

        Events(String bootstrap) {
            consumer = new KafkaConsumer<>(KafkaClients.consumer(KafkaSettings.plain(bootstrap), null, "outbox-it"));
            TopicPartition tp = new TopicPartition(Topics.DIRECTORIES, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        boolean seen(String... versionIds) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                versions.add(r.key()); // the version id, whatever else other tests put on the shared topic
            }
            return versions.containsAll(List.of(versionIds));
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
