package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.cli.Main;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker that cannot reach the registry runs the version a {@code migrate push} wrote to the env's
 * backup repository ({@code migration { repo { backup = [...] } }}), as Atlas' "Connect Migration
 * Directories" promises for {@code atlas://} reads.
 */
class BackupFallbackIT {
    @TempDir
    Path tmp;

    @Test
    void aWorkerThatCannotReachTheRegistryRunsTheBackupsCopy() throws Exception {
        Path backup = tmp.resolve("backup");
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [\"t1\", \"t2\", \"t3\"]\n}\nenv \"prod\" {\n  for_each ="
                + " toset(local.tenant)\n  url = \"sqlite://" + tmp + "/${each.value}.db\"\n  migration {\n"
                + "    dir = \"atlas://app\"\n    repo {\n      name = \"app\"\n      backup = [\"file://" + backup
                + "\"]\n    }\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id int);\n");
        String down = "http://127.0.0.1:" + TestPorts.free();
        try (FleetHarness fleet = FleetHarness.withoutWorker(hcl);
             DevServer worker = fleet.extraWorker(hcl, 2, down)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> fleet.ready() && worker.ready());

            StringWriter out = new StringWriter();
            int code = Main.run(new String[] {"migrate", "push", "--env", "prod", "--config", hcl.toString(),
                "--dir", "file://" + dir, "app:v1", "--registry", fleet.url(), "--token", fleet.token()},
                    new PrintWriter(out), new PrintWriter(out));
            assertThat(code).as(out.toString()).isZero();
            assertThat(backup.resolve("app/tags/v1")).as("the push wrote the backup").exists();

            await().atMost(Duration.ofSeconds(60)).until(() -> !fleet.sets().isEmpty()
                    && "PASSED".equals(fleet.sets().get(0).get("status").asText()));
            JsonNode set = fleet.set(fleet.sets().get(0).get("id").asText());
            assertThat(set.get("succeeded").asInt()).isEqualTo(3);
            for (String t : new String[] {"t1", "t2", "t3"}) {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(t + ".db"));
                     ResultSet rs = c.getMetaData().getTables(null, null, "users", null)) {
                    assertThat(rs.next()).as("users in %s", t).isTrue();
                }
            }
        }
    }
}
