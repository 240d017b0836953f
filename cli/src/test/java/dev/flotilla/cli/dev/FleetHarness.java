package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.fabric.TopicSetup;
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

/**
 * The whole fabric for one test class: its own in-process Kafka, a scratch PostgreSQL database
 * for the service stores, and every service on one HTTP port, as {@code flotilla dev} runs them.
 */
final class FleetHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaFixture kafka;
    private final ScratchDatabase store;
    private final DevServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    FleetHarness(Path atlasHcl, int concurrency) throws Exception {
        kafka = KafkaFixture.start();
        TopicSetup.ensure(kafka.bootstrapServers());
        store = TestDatabases.postgresDatabase("store");
        server = DevServer.start(new DevServer.Options(List.of(DevServer.Role.values()), kafka.bootstrapServers(),
                store.jdbcUrl(), atlasHcl, Map.of(), "127.0.0.1", 0, atlasHcl.getParent().resolve(".flotilla"),
                concurrency, 4, 16 * 1024 * 1024));
    }

    /** Starts one more worker process's worth of service (its own Vert.x, consumer and executor) on this fleet's Kafka. */
    DevServer extraWorker(Path atlasHcl, int concurrency) throws Exception {
        return DevServer.start(new DevServer.Options(List.of(DevServer.Role.WORKER), kafka.bootstrapServers(), null,
                atlasHcl, Map.of(), "127.0.0.1", 0, atlasHcl.getParent().resolve(".flotilla-w2"), concurrency, 4,
                16 * 1024 * 1024));
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    ScratchDatabase store() {
        return store;
    }

    /** Members of the workers' consumer group that hold partitions. */
    int activeWorkers() {
        return kafka.membersWithPartitions("workers");
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
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/dirs/" + name
                + "/push?tag=" + tag)).header("content-type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.toArchive())).build(), HttpResponse.BodyHandlers.ofString());
        com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body());
        return body.put("status", r.statusCode());
    }

    /** Any request, answered as it came. */
    HttpResponse<String> send(String method, String pathAndQuery, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + pathAndQuery));
        if (body != null) {
            b.header("content-type", contentType);
        }
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    String text(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    JsonNode post(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
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
        kafka.close();
    }
}
