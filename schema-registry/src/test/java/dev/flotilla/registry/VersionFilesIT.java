package dev.flotilla.registry;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.flotilla.registry.TarBytes.validArchive;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/versions/{id}/files}, which the web UI shows a version with: scope read sees
 * the file names and {@code atlas.sum}; the SQL, which may hold {@code -- atlas:sensitive} literals,
 * only a token that may fetch the archive itself (push of that directory, or deploy).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersionFilesIT {
    private static final String SENSITIVE = "-- atlas:sensitive\n\nINSERT INTO keys (k) VALUES ('s3cr3t-literal');\n";
    private static final String INIT = "CREATE TABLE keys (k text);\n";

    private ScratchDatabase scratch;
    private ServiceStore db;
    private KafkaFixture kafka;
    private ServiceHost host;
    private int port;
    private String versionId;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        scratch = TestDatabases.postgresDatabase("files");
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 4, "test");
        kafka = KafkaFixture.start();
        TopicSetup.ensure(KafkaSettings.plain(kafka.bootstrapServers()));
        host = new ServiceHost(KafkaSettings.plain(kafka.bootstrapServers()), db, HttpSettings.loopback());
        host.deploy(new RegistryService(1 << 20)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        versionId = new Registry(new JdbcRegistryStore(db), 1 << 20).push("app", "v1", validArchive(
                "1_init.sql", INIT, "2_keys.sql", SENSITIVE)).versionId();
    }

    @AfterAll
    void stop() {
        if (host != null) {
            host.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (db != null) {
            db.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }

    @Test
    void readSeesTheNamesAndAtlasSumButNoSql() throws Exception {
        HttpResponse<String> r = get("/api/v1/versions/" + versionId + "/files", token("read"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject v = new JsonObject(r.body());
        assertThat(v.getString("directory")).isEqualTo("app");
        assertThat(v.getString("latestVersion")).isEqualTo("2");
        assertThat(v.getBoolean("contentHidden")).isTrue();
        assertThat(v.getString("atlasSum")).startsWith("h1:").contains("1_init.sql h1:", "2_keys.sql h1:");
        JsonArray files = v.getJsonArray("files");
        assertThat(files).hasSize(2);
        assertThat(files.getJsonObject(1).getMap()).containsEntry("name", "2_keys.sql").containsEntry("version", "2")
                .containsEntry("description", "keys").doesNotContainKey("content");
        assertThat(r.body()).doesNotContain("s3cr3t-literal").doesNotContain("CREATE TABLE");
    }

    @Test
    void pushOfTheDirectoryOrDeploySeesTheFilesAsPushed() throws Exception {
        for (String grant : List.of("push:app", "deploy", "admin")) {
            JsonObject v = new JsonObject(get("/api/v1/versions/" + versionId + "/files", token(grant)).body());
            assertThat(v.getBoolean("contentHidden")).as(grant).isFalse();
            assertThat(v.getJsonArray("files").getJsonObject(0).getString("content")).as(grant).isEqualTo(INIT);
            assertThat(v.getJsonArray("files").getJsonObject(1).getString("content")).as(grant).isEqualTo(SENSITIVE);
        }
    }

    @Test
    void withoutReadOrForAnUnknownVersionItIsRefused() throws Exception {
        assertThat(get("/api/v1/versions/" + versionId + "/files", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/versions/" + versionId + "/files", token("push:other")).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/versions/" + "0".repeat(64) + "/files", token("read")).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = get("/api/v1/versions/nope/files", token("read"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("is not a version id");
    }

    private String token(String... grants) {
        return host.access().create("t" + System.nanoTime(), Arrays.stream(grants).map(Grant::parse).toList(), "test")
                .text();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
