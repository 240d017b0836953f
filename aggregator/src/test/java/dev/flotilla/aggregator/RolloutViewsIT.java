package dev.flotilla.aggregator;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The aggregator service on the in-process Kafka cluster and the real PostgreSQL, fed the events
 * the coordinator, the workers and the registry send: skipped targets, rollout states, versions
 * behind and the gauge of databases behind, read back over HTTP and {@code /metrics}.
 */
class RolloutViewsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ScratchDatabase scratch;
    private static ServiceStore db;
    private static ServiceHost host;
    private static KafkaProducer<String, byte[]> producer;
    private static HttpClient http;
    private static String token;
    private static int port;

    private final Events ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));

    @BeforeAll
    static void start() throws Exception {
        KafkaSettings kafka = KafkaSettings.plain(KafkaFixture.shared().bootstrapServers());
        TopicSetup.ensure(kafka);
        scratch = TestDatabases.postgresDatabase("rollviews");
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 8, "rollviews-test");
        host = new ServiceHost(kafka, db, HttpSettings.loopback());
        token = host.access().create("rollviews-it", List.of(Grant.parse("read")), "test").text();
        host.deploy(new AggregatorService()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.producer(kafka, "rollviews-test")));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(WAIT).until(host::ready);
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (host != null) {
            host.close();
        }
        db.close();
        scratch.close();
    }

    @Test
    void skippedTargetsAndTheRolloutStateShowInTheSetWithTheReason() throws Exception {
        String set = UUID.randomUUID().toString();
        send(Topics.DEPLOYMENTS, set, ev.set(set, "2", 3));
        send(Topics.COMMANDS, "prod/t1", ev.command(set, "prod/t1", "2", "canary", 1));
        send(Topics.COMMANDS, "prod/t2", ev.command(set, "prod/t2", "2", "rest", 1));
        send(Topics.COMMANDS, "prod/t3", ev.command(set, "prod/t3", "2", "rest", 1));
        send(Topics.RESULTS, "prod/t1", ev.result(set, "prod/t1", "PASSED", 1, "2", "2", 2));
        send(Topics.RESULTS, "prod/t2", ev.skipped(set, "prod/t2", 1, "SET_PAUSED", "set paused by alice", 3));
        send(Topics.RESULTS, "prod/t3", ev.skipped(set, "prod/t3", 1, "OPERATOR", "skipped by alice: tenant offboarding",
                3));
        send(Topics.ROLLOUTS, set, ev.rollout(set, 1, "RUNNING", null, null, 1));
        send(Topics.ROLLOUTS, set, ev.rollout(set, 3, "PAUSED", "paused by alice: checking canary", "alice", 3));
        send(Topics.ROLLOUTS, set, ev.rollout(set, 2, "CANCELLED", "an older epoch, read late", "bob", 2));

        JsonObject paused = await().atMost(WAIT).until(() -> get("/api/v1/deployment-sets/" + set),
                s -> s != null && "PAUSED".equals(s.getString("status")) && s.getLong("skipped") == 1
                        && s.getLong("succeeded") == 1);
        assertThat(paused.getString("state")).isEqualTo("PAUSED");
        assertThat(paused.getString("reason")).as("the older epoch changed nothing")
                .isEqualTo("paused by alice: checking canary");
        assertThat(paused.getString("actor")).isEqualTo("alice");
        assertThat(paused.getBoolean("stalled")).isFalse();
        assertThat(paused.getString("completedAt")).isNull();
        assertThat(target(paused, "prod/t1").getString("group")).isEqualTo("canary");
        assertThat(target(paused, "prod/t2").getString("status")).as("paused: another attempt comes").isEqualTo("QUEUED");
        assertThat(target(paused, "prod/t2").getString("errorCode")).isEqualTo("SET_PAUSED");
        assertThat(target(paused, "prod/t3").getString("status")).isEqualTo("SKIPPED");
        assertThat(target(paused, "prod/t3").getString("error")).isEqualTo("skipped by alice: tenant offboarding");
        JsonObject skippedOnly = get("/api/v1/deployment-sets/" + set + "?status=SKIPPED");
        assertThat(skippedOnly.getJsonArray("targets")).hasSize(1);
        assertThat(skippedOnly.getJsonObject("targetsPage").getLong("total")).isEqualTo(1);
        assertThat(get("/api/v1/databases/prod%2Ft3").getString("status")).as("not synced by a skip")
                .isEqualTo("PENDING");
        JsonArray listed = get("/api/v1/deployment-sets?status=PAUSED").getJsonArray("items");
        assertThat(listed.stream().map(o -> ((JsonObject) o).getString("id"))).contains(set);

        send(Topics.ROLLOUTS, set, ev.rollout(set, 4, "RUNNING", null, "alice", 4));
        send(Topics.RESULTS, "prod/t2", ev.result(set, "prod/t2", "PASSED", 2, "2", "2", 5));

        JsonObject done = await().atMost(WAIT).until(() -> get("/api/v1/deployment-sets/" + set),
                s -> s != null && "PASSED".equals(s.getString("status")));
        assertThat(done.getString("state")).isEqualTo("RUNNING");
        assertThat(done.getLong("succeeded")).isEqualTo(2);
        assertThat(done.getLong("total")).isEqualTo(3);
        assertThat(done.getLong("skipped")).isEqualTo(1);
        assertThat(done.getLong("failed")).isZero();
        assertThat(get("/api/v1/databases/prod%2Ft2").getString("status")).isEqualTo("SYNCED");
    }

    @Test
    void databasesShowTheVersionsTheyAreBehindAndTheGaugeCountsThemPerEnvAndDirectory() throws Exception {
        send(Topics.DIRECTORIES, "v1", ev.pushed("v1", 0, "1"));
        send(Topics.DIRECTORIES, "v2", ev.pushed("v2", 1, "1", "2"));
        send(Topics.DIRECTORIES, "v3", ev.pushed("v3", 2, "1", "2", "3"));
        String set = UUID.randomUUID().toString();
        send(Topics.DEPLOYMENTS, set, ev.set(set, "3", 4));
        for (String target : List.of("eu/a", "eu/b", "eu/c", "us/d")) {
            send(Topics.COMMANDS, target, ev.command(set, target, "3", 3));
        }
        send(Topics.RESULTS, "eu/a", ev.result(set, "eu/a", "PASSED", 1, "3", "3", 4));
        send(Topics.RESULTS, "eu/b", ev.result(set, "eu/b", "FAILED", 1, "3", "1", 4));
        send(Topics.RESULTS, "eu/c", ev.result(set, "eu/c", "FAILED", 1, "3", "2", 4));
        send(Topics.RESULTS, "us/d", ev.result(set, "us/d", "PASSED", 1, "3", "3", 4));

        await().atMost(WAIT).until(() -> get("/api/v1/deployment-sets/" + set), s -> s != null
                && "FAILED".equals(s.getString("status")));
        List<Integer> behind = new ArrayList<>();
        get("/api/v1/databases?env=eu").getJsonArray("items").forEach(d -> behind.add(
                ((JsonObject) d).getInteger("versionsBehind")));
        assertThat(behind).containsExactly(0, 2, 1);
        assertThat(get("/api/v1/databases/eu%2Fb").getInteger("versionsBehind")).isEqualTo(2);

        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = metrics();
            assertThat(gauge(metrics, "eu", "app")).isEqualTo(2.0);
            assertThat(gauge(metrics, "us", "app")).isEqualTo(0.0);
        });
        assertThat(metrics()).as("no tenant in a label").doesNotContain("tenant").doesNotContain("\"eu/b\"");
    }

    @Test
    void databasesByStatusAndUnfinishedSetsByStateAreGaugedPerEnvAndDirectory() throws Exception {
        // sets are prod/app in every test of this class: read the running ones as a change from now
        double runningBefore = value(metrics(), FleetGauges.SETS_RUNNING, "prod", "app", "state", "RUNNING");
        double pausedBefore = value(metrics(), FleetGauges.SETS_RUNNING, "prod", "app", "state", "PAUSED");
        String set = UUID.randomUUID().toString();
        send(Topics.DEPLOYMENTS, set, ev.set(set, "2", 3));
        for (String target : List.of("fleet/a", "fleet/b", "fleet/c")) {
            send(Topics.COMMANDS, target, ev.command(set, target, "2", 1));
        }
        send(Topics.RESULTS, "fleet/a", ev.result(set, "fleet/a", "PASSED", 1, "2", "2", 2));
        send(Topics.RESULTS, "fleet/b", ev.result(set, "fleet/b", "FAILED", 1, "2", "1", 2));
        send(Topics.ROLLOUTS, set, ev.rollout(set, 1, "RUNNING", null, null, 1));

        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = metrics();
            assertThat(value(metrics, FleetGauges.DATABASES, "fleet", "app", "status", "SYNCED")).isEqualTo(1.0);
            assertThat(value(metrics, FleetGauges.DATABASES, "fleet", "app", "status", "FAILED")).isEqualTo(1.0);
            assertThat(value(metrics, FleetGauges.DATABASES, "fleet", "app", "status", "PENDING")).isEqualTo(1.0);
            assertThat(value(metrics, FleetGauges.SETS_RUNNING, "prod", "app", "state", "RUNNING"))
                    .isEqualTo(runningBefore + 1);
        });
        send(Topics.ROLLOUTS, set, ev.rollout(set, 2, "PAUSED", "paused by alice", "alice", 3));
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = metrics();
            assertThat(value(metrics, FleetGauges.SETS_RUNNING, "prod", "app", "state", "RUNNING"))
                    .isEqualTo(runningBefore);
            assertThat(value(metrics, FleetGauges.SETS_RUNNING, "prod", "app", "state", "PAUSED"))
                    .isEqualTo(pausedBefore + 1);
        });
        send(Topics.ROLLOUTS, set, ev.rollout(set, 3, "FAILED", null, null, 4));
        await().atMost(WAIT).untilAsserted(() -> assertThat(value(metrics(), FleetGauges.SETS_RUNNING, "prod", "app",
                "state", "PAUSED")).as("a finished set is not running").isEqualTo(pausedBefore));

        Matcher m = Pattern.compile("(?m)^(" + FleetGauges.DATABASES + "|" + FleetGauges.SETS_RUNNING
                + ")\\{([^}]*)\\} ").matcher(metrics());
        while (m.find()) {
            List<String> names = new ArrayList<>();
            for (String pair : m.group(2).split(",")) {
                names.add(pair.substring(0, pair.indexOf('=')));
            }
            assertThat(names).as(m.group()).containsExactlyInAnyOrder("env", "directory",
                    m.group(1).equals(FleetGauges.DATABASES) ? "status" : "state");
        }
    }

    /** A gauge's value for env, directory and one more label; 0 when the series is not shown. */
    private static double value(String metrics, String name, String env, String directory, String label, String is) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("env=\"" + env + "\"") && labels.contains("directory=\"" + directory + "\"")
                    && labels.contains(label + "=\"" + is + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private static JsonObject target(JsonObject set, String targetId) {
        for (Object t : set.getJsonArray("targets")) {
            if (targetId.equals(((JsonObject) t).getString("targetId"))) {
                return (JsonObject) t;
            }
        }
        throw new AssertionError("no target " + targetId + " in " + set.encode());
    }

    /** The value of flotilla_databases_behind for env and directory, or null when not shown. */
    private static Double gauge(String metrics, String env, String directory) {
        Matcher m = Pattern.compile("(?m)^" + BehindGauge.NAME + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("env=\"" + env + "\"") && labels.contains("directory=\"" + directory + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }

    private static void send(String topic, String key, SpecificRecord event) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, EventSerde.encode(event))).get();
    }

    private static JsonObject get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    }

    private static String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
