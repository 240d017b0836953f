package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.migrate.dir.MigrationDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code flotilla dev} killed with SIGKILL in the middle of a rollout, its embedded PostgreSQL
 * left running and holding the data directory: the next {@code flotilla dev} on the same data
 * directory stops that orphan, starts, and finishes the rollout, every file applied exactly once.
 */
class DevRestartIT {
    private static final int TENANTS = 300;
    private static final String SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)"
            + " SELECT count(*) FROM c;\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aKilledDevRestartsOnItsDataDirAndFinishesTheRollout() throws Exception {
        Path hcl = projectFile();
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE runs (file TEXT NOT NULL);\nINSERT INTO runs VALUES ('1');\n");
        FleetHarness.write(dir, "2_more.sql", SLOW + "INSERT INTO runs VALUES ('2');\n");
        Path data = tmp.resolve("data");
        try (ServiceProcess dev = ServiceProcess.dev(tmp, data, hcl).start()) {
            String token = Files.readString(data.resolve("admin.token")).trim();
            push(dev.port(), token, dir);
            await().atMost(Duration.ofMinutes(3)).until(() -> synced(dev.port(), token) >= TENANTS / 4);
            long orphan = Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(0)
                    .trim());

            dev.kill();
            assertThat(ProcessHandle.of(orphan)).as("the embedded PostgreSQL outlives a SIGKILL")
                    .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

            dev.start();
            assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("the orphan was stopped").isEmpty();
            await().atMost(Duration.ofMinutes(5)).until(() -> synced(dev.port(), token) == TENANTS);
        }
        for (int i = 1; i <= TENANTS; i++) {
            assertThat(count(i)).as("files run on tenant_%d", i).isEqualTo(2);
        }
    }

    @Test
    void aSecondDevOnARunningOnesDataDirIsRefusedAndTheFirstKeepsItsPostgres() throws Exception {
        Path data = tmp.resolve("data");
        try (ServiceProcess first = ServiceProcess.dev(tmp, data, projectFile()).start()) {
            String token = Files.readString(data.resolve("admin.token")).trim();
            long postgres = Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                    .get(0).trim());
            Path other = Files.createDirectories(tmp.resolve("second"));
            try (ServiceProcess second = ServiceProcess.dev(other, data, projectFile())) {
                assertThatThrownBy(second::start).hasMessageContaining("the data directory " + data
                        + " is in use by another 'flotilla dev' (pid ").hasMessageContaining("--data-dir of its own");
            }
            assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive)).as("the first one's PostgreSQL")
                    .isPresent();
            assertThat(synced(first.port(), token)).as("the first one still answers").isZero();
        }
    }

    private Path projectFile() throws IOException {
        StringBuilder tenants = new StringBuilder();
        for (int i = 1; i <= TENANTS; i++) {
            tenants.append(i == 1 ? "" : ", ").append("\"tenant_").append(i).append('"');
        }
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [" + tenants + "]\n}\nenv \"prod\" {\n  for_each ="
                + " toset(local.tenant)\n  url = \"sqlite://" + tmp + "/${each.value}.db\"\n  migration {\n"
                + "    dir = \"atlas://app\"\n  }\n}\n");
        return hcl;
    }

    private void push(int port, String token, Path dir) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/dirs/app/push?tag=v1")).header("content-type", "application/x-tar")
                .header("authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(MigrationDirectory.open(dir).toArchive())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private long synced(int port, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/databases?env=prod&status=SYNCED&pageSize=1")).header("authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("the API answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode page = JSON.readTree(r.body()).path("page");
        return page.path("total").asLong();
    }

    private long count(int tenant) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("tenant_" + tenant + ".db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM runs")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
