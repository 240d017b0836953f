package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every service in its own JVM, killed with SIGKILL at random points of a 500-tenant rollout:
 * the coordinator right after the push (mid fan-out), workers several times mid-apply, the
 * aggregator and the Kafka broker mid-rollout (the broker comes back on the same port and log). Afterwards every tenant must be SYNCED, every file must have run
 * exactly once on every tenant (each file appends a row to {@code runs}, which has no key, so a
 * second run would show), exactly one set must exist, and {@code flotilla verify} must find the
 * views in agreement with every tenant's revisions table.
 */
class RolloutCrashIT {
    private static final int TENANTS = 500;
    private static final String SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 150000)"
            + " SELECT count(*) FROM c;\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    /** Where the kills fall; a failed run names it, and {@code -Dcrash.seed=N} replays that run. */
    private final long seed = Long.getLong("crash.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void killingEveryServiceAtRandomPointsLosesNothingAndRunsNothingTwice() throws Exception {
        String replay = "crash seed " + seed + " (replay: mvn verify -pl cli -am -Dit.test=RolloutCrashIT -Dcrash.seed="
                + seed + ")";
        System.out.println("RolloutCrashIT: " + replay);
        Path hcl = projectFile();
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                + "CREATE TABLE runs (file TEXT NOT NULL);\nINSERT INTO runs VALUES ('1');\n");
        FleetHarness.write(dir, "2_seed.sql", "INSERT INTO users VALUES (1, 'a8m');\nINSERT INTO users VALUES (2,"
                + " 'rotemtam');\n" + SLOW + "INSERT INTO runs VALUES ('2');\n");
        FleetHarness.write(dir, "3_more.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n" + SLOW
                + "INSERT INTO runs VALUES ('3');\n");
        int kills = 0;
        int kafkaPort = TestPorts.free();
        try (ServiceProcess kafka = ServiceProcess.kafka(tmp, kafkaPort, TestPorts.free()).start();
             ScratchDatabase store = TestDatabases.postgresDatabase("crash")) {
            String b = "127.0.0.1:" + kafkaPort;
            try (ServiceProcess registry = new ServiceProcess("registry", tmp, b, store.jdbcUrl(), hcl).start();
                 ServiceProcess coordinator = new ServiceProcess("coordinator", tmp, b, store.jdbcUrl(), hcl).start();
                 ServiceProcess aggregator = new ServiceProcess("aggregator", tmp, b, store.jdbcUrl(), hcl).start();
                 ServiceProcess w1 = new ServiceProcess("worker", tmp, b, null, hcl);
                 ServiceProcess w2 = new ServiceProcess("worker2", tmp, b, null, hcl)) {
                // Workers fetch what they run from the registry, with a token that may deploy and nothing more.
                String workerToken = deployToken(aggregator.port());
                w1.fetchingFrom(registry.port(), workerToken).start();
                w2.fetchingFrom(registry.port(), workerToken).startAs("worker");
                push(registry.port(), dir);
                // Kill the coordinator while it handles the push: once the registry has sent the
                // event, after a random 0-150 ms more.
                await(replay).pollDelay(Duration.ofMillis(random.nextInt(150))).atMost(Duration.ofSeconds(30))
                        .until(() -> outboxEmpty(store));
                coordinator.kill();
                kills++;
                coordinator.start();
                String api = "http://127.0.0.1:" + aggregator.port();
                for (int round = 0; round < 5; round++) {
                    int target = (round + 1) * TENANTS / 7;
                    String current = api;
                    await(replay).atMost(Duration.ofMinutes(3)).ignoreExceptionsInstanceOf(IOException.class)
                            .until(() -> synced(current) >= target);
                    ServiceProcess victim = round == 2 ? aggregator : round == 3 ? kafka : round % 2 == 0 ? w1 : w2;
                    victim.kill();
                    kills++;
                    victim.start();
                    api = "http://127.0.0.1:" + aggregator.port();
                }
                String finalApi = api;
                await(replay).atMost(Duration.ofMinutes(5)).ignoreExceptionsInstanceOf(IOException.class)
                        .until(() -> synced(finalApi) == TENANTS);

                int twice = 0;
                int lost = 0;
                for (int i = 1; i <= TENANTS; i++) {
                    long runs = count(i, "SELECT count(*) FROM runs");
                    twice += runs > 3 ? 1 : 0;
                    lost += runs < 3 || count(i, "SELECT count(*) FROM users") != 2 ? 1 : 0;
                }
                JsonNode sets = get(finalApi + "/api/v1/deployment-sets");
                StringWriter out = new StringWriter();
                int verify = dev.flotilla.cli.Main.run(new String[] {"verify", "--env", "prod", "--config",
                    hcl.toString(), "--url", finalApi, "--token", ServiceProcess.ADMIN_TOKEN}, new PrintWriter(out), new PrintWriter(out));
                System.out.printf("%n| scenario | runs | targets | kills | lost | applied twice | mismatches |%n"
                        + "| kill -9 coordinator, workers, aggregator, Kafka broker | 1 | %d | %d | %d | %d | %s |%n",
                        TENANTS, kills, lost, twice, verify == 0 ? "0" : out);
                assertThat(twice).as("tenants where a file ran twice; " + replay).isZero();
                assertThat(lost).as("tenants missing a file; " + replay).isZero();
                assertThat(sets.path("items")).as(replay).hasSize(1);
                assertThat(sets.path("items").get(0).path("status").asText()).as(replay).isEqualTo("PASSED");
                assertThat(sets.path("items").get(0).path("succeeded").asInt()).as(replay).isEqualTo(TENANTS);
                assertThat(verify).as(replay + "\n" + out).isZero();
            }
        }
    }

    private Path projectFile() throws Exception {
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

    private void push(int port, Path dir) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/dirs/app/push?tag=v1")).header("content-type", "application/x-tar")
                .header("authorization", "Bearer " + ServiceProcess.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(MigrationDirectory.open(dir).toArchive())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private String deployToken(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/tokens")).header("content-type", "application/json")
                .header("authorization", "Bearer " + ServiceProcess.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"workers\",\"scopes\":[\"deploy\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("token").asText();
    }

    private static boolean outboxEmpty(ScratchDatabase store) throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM registry_outbox")) {
            rs.next();
            return rs.getLong(1) == 0;
        }
    }

    /**
     * SYNCED databases in the views. A connection that fails (the aggregator restarting) is waited out;
     * any answer but 200 fails the test at once with the API's own error, instead of a timeout.
     */
    private long synced(String api) throws Exception {
        return get(api + "/api/v1/databases?env=prod&status=SYNCED&pageSize=1").path("page").path("total").asLong();
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("authorization", "Bearer " + ServiceProcess.ADMIN_TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private long count(int tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("tenant_" + tenant + ".db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
