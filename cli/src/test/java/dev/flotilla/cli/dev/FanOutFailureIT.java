package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A push whose fan-out cannot succeed (the env's target query fails) is not lost silently: its
 * deployment set appears FAILED with the reason, and once the cause is fixed a deployment of the
 * env starts it again.
 */
class FanOutFailureIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void aFanOutThatFailsShowsAFailedSetWithTheReasonAndCanBeStartedAgain() throws Exception {
        try (ScratchDatabase tenants = TestDatabases.postgresDatabase("tenants")) {
            Path hcl = tmp.resolve("atlas.hcl");
            Files.writeString(hcl, "data \"sql\" \"tenants\" {\n  url   = \"" + tenants.url() + "\"\n"
                    + "  query = \"SELECT name FROM tenants ORDER BY name\"\n}\n"
                    + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n  url = \"sqlite://" + tmp
                    + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
            Path dir = tmp.resolve("migrations");
            FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
            try (FleetHarness fleet = new FleetHarness(hcl, 2)) {
                await().atMost(WAIT).until(fleet::ready);

                fleet.push(dir, "app", "v1");

                await().atMost(WAIT).until(() -> !fleet.sets().isEmpty());
                JsonNode failed = fleet.sets().get(0);
                assertThat(failed.path("status").asText()).isEqualTo("FAILED");
                assertThat(failed.path("tag").asText()).isEqualTo("v1");
                assertThat(failed.path("total").asInt()).isZero();
                assertThat(failed.path("error").asText()).contains("data \"sql\" \"tenants\"")
                        .contains("relation \"tenants\" does not exist");
                assertThat(fleet.set(failed.path("id").asText()).path("error").asText())
                        .contains("relation \"tenants\" does not exist");
                java.io.StringWriter out = new java.io.StringWriter();
                int code = dev.flotilla.cli.Main.run(new String[] {"cloud", "migration", "describe", "--id",
                    failed.path("seq").asText(), "--url", fleet.url(), "--token", fleet.token()},
                    new java.io.PrintWriter(out), new java.io.PrintWriter(out));
                assertThat(code).as(out.toString()).isZero();
                assertThat(out.toString()).contains("Status        FAILED").containsPattern(
                        "Error +.*relation \"tenants\" does not exist");

                tenants.exec("CREATE TABLE tenants (name text NOT NULL)", "INSERT INTO tenants VALUES ('t1'), ('t2')");
                JsonNode again = fleet.post("/api/v1/deployments", "{\"env\":\"prod\",\"tag\":\"v1\"}");

                assertThat(again.path("planned").asInt()).as(again.toString()).isEqualTo(2);
                await().atMost(WAIT).until(() -> fleet.databases("prod").stream()
                        .filter(d -> "SYNCED".equals(d.path("status").asText())).count() == 2);
            }
        }
    }
}
