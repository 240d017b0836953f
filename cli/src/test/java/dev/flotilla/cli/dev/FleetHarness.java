package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole fabric for one test class: its own in-process Kafka, a scratch PostgreSQL database
 * for the service stores, and every service on one HTTP port, as {@code flotilla dev} runs them.
 */
final class FleetHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The harness's own broker; null when it was given one. */
    private final KafkaFixture fixture;
    private final KafkaSettings kafka;
    private final ScratchDatabase store;
    private final DevServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The dev admin token {@code flotilla dev} made; every request of the harness carries it. */
    private final String token;

    FleetHarness(Path atlasHcl, int concurrency) throws Exception {
        this(KafkaFixture.start(), null, atlasHcl, concurrency, List.of(DevServer.Role.values()));
    }

    /** The registry, coordinator and aggregator without a worker: the test starts its workers ({@link #extraWorker}). */
    static FleetHarness withoutWorker(Path atlasHcl) throws Exception {
        return new FleetHarness(KafkaFixture.start(), null, atlasHcl, 1, List.of(DevServer.Role.REGISTRY,
                DevServer.Role.COORDINATOR, DevServer.Role.AGGREGATOR));
    }

    /** Every service on the broker {@code kafka} names (with its client properties), which the caller runs. */
    FleetHarness(KafkaSettings kafka, Path atlasHcl, int concurrency) throws Exception {
        this(null, kafka, atlasHcl, concurrency, List.of(DevServer.Role.values()));
    }

    private FleetHarness(KafkaFixture fixture, KafkaSettings given, Path atlasHcl, int concurrency,
            List<DevServer.Role> roles) throws Exception {
        this.fixture = fixture;
        this.kafka = given != null ? given : KafkaSettings.plain(fixture.bootstrapServers());
        TopicSetup.ensure(kafka);
        store = TestDatabases.postgresDatabase("store");
        server = DevServer.start(new DevServer.Options(roles, kafka, store.jdbcUrl(),
                atlasHcl, Map.of(), "127.0.0.1", 0, atlasHcl.getParent().resolve(".flotilla"), concurrency, 4,
                DevServer.DEFAULT_MAX_ARCHIVE_BYTES, HttpSettings.loopback(), true));
        token = Files.readString(server.adminTokenFile()).trim();
    }

    /**
     * Starts one more worker process's worth of service (its own Vert.x, consumer and executor) on
     * this fleet's Kafka, fetching from this fleet's registry with a token of scope deploy, as a
     * worker on another host would.
     */
    DevServer extraWorker(Path atlasHcl, int concurrency) throws Exception {
        return extraWorker(atlasHcl, concurrency, url());
    }

    /** {@link #extraWorker(Path, int)} fetching from the registry at {@code registryUrl}. */
    DevServer extraWorker(Path atlasHcl, int concurrency, String registryUrl) throws Exception {
        String workerToken = server.host().access().create("extra-worker-" + UUID.randomUUID().toString()
                .substring(0, 8), List.of(new Grant(Scope.DEPLOY, List.of())), "test").text();
        return DevServer.start(new DevServer.Options(List.of(DevServer.Role.WORKER), kafka, null,
                atlasHcl, Map.of(), "127.0.0.1", 0, atlasHcl.getParent().resolve(".flotilla-w-" + workerToken.substring(
                        workerToken.length() - 8)), concurrency, 4,
                DevServer.DEFAULT_MAX_ARCHIVE_BYTES, HttpSettings.loopback(), false, registryUrl, workerToken,
                DevServer.DEFAULT_DIRECTORY_CACHE_BYTES));
    }

    String bootstrap() {
        return kafka.bootstrap();
    }

    ScratchDatabase store() {
        return store;
    }

    /** Members of the workers' consumer group that hold partitions. */
    int activeWorkers() {
        return fixture.membersWithPartitions("workers");
    }

    /** The HTTP host of the fleet's services. */
    ServiceHost host() {
        return server.host();
    }

    /** The admin token, for CLI runs ({@code --token}). */
    String token() {
        return token;
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    boolean ready() {
        return server.ready();
    }

    /** Pushes a directory as the CLI does: Atlas' archive to the registry. */
    JsonNode push(Path dir, String name, String tag) throws IOException, InterruptedException {
        MigrationDirectory d = MigrationDirectory.open(dir);
        d.validate();
        HttpResponse<String> r = send("POST", "/api/v1/dirs/" + name + "/push?tag=" + tag, "application/x-tar",
                d.toArchive());
        com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body());
        return body.put("status", r.statusCode());
    }

    /** Any request with the admin token, answered as it came. */
    HttpResponse<String> send(String method, String pathAndQuery, String contentType, byte[] body)
            throws IOException, InterruptedException {
        return sendAs(token, method, pathAndQuery, contentType, body);
    }

    /** Any request with {@code bearer} as its token (null: none), answered as it came. */
    HttpResponse<String> sendAs(String bearer, String method, String pathAndQuery, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + pathAndQuery));
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("content-type", contentType);
        }
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(text(path));
    }

    String text(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null).body();
    }

    JsonNode post(String path, String json) throws IOException, InterruptedException {
        return JSON.readTree(send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8)).body());
    }

    /** Database rows of an env, as the API lists them. */
    List<JsonNode> databases(String env) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        get("/api/v1/databases?env=" + env + "&pageSize=500").get("items").forEach(out::add);
        return out;
    }

    JsonNode set(String id) throws IOException, InterruptedException {
        return get("/api/v1/deployment-sets/" + id + "?pageSize=500");
    }

    List<JsonNode> sets() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        get("/api/v1/deployment-sets?pageSize=500").get("items").forEach(out::add);
        return out;
    }

    JsonNode deployment(String setId, String targetId) throws IOException, InterruptedException {
        return get("/api/v1/deployment-sets/" + setId + "/targets/"
                + URLEncoder.encode(targetId, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    static void write(Path dir, String name, String content) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), content);
        MigrationDirectory.open(dir).writeSum(dir);
    }

    @Override
    public void close() {
        server.close();
        store.close();
        if (fixture != null) {
            fixture.close();
        }
    }
}
