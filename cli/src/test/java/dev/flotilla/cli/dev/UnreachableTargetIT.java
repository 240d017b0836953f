package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A target that stays unreachable is retried with backoff, then ends FAILED with the classified reason. */
class UnreachableTargetIT {
    @TempDir
    Path tmp;

    @Test
    void anUnreachableTargetEndsFailedAfterBoundedRetriesWhileTheOthersPass() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"ok_1\", \"ok_2\"])\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n"
                + "env \"gone\" {\n  url = \"postgres://app:Secret-123@127.0.0.1:1/app?sslmode=disable\"\n"
                + "  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE t (id int);\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 2)) {
            await().atMost(Duration.ofSeconds(60)).until(fleet::ready);

            fleet.push(dir, "app", "v1");

            await().atMost(Duration.ofSeconds(90)).until(() -> fleet.sets().size() == 2
                    && fleet.sets().stream().noneMatch(s -> "RUNNING".equals(s.get("status").asText())));
            JsonNode gone = fleet.sets().stream().filter(s -> "gone".equals(s.get("env").asText())).findFirst()
                    .orElseThrow();
            JsonNode prod = fleet.sets().stream().filter(s -> "prod".equals(s.get("env").asText())).findFirst()
                    .orElseThrow();
            assertThat(prod.get("status").asText()).isEqualTo("PASSED");
            assertThat(gone.get("status").asText()).isEqualTo("FAILED");
            JsonNode d = fleet.deployment(gone.get("id").asText(), "gone/gone");
            assertThat(d.get("errorCode").asText()).isEqualTo("CONNECTION_FAILED");
            assertThat(d.get("error").asText()).startsWith("gave up after 5 attempts: connection refused")
                    .contains("postgres://app:xxxxx@127.0.0.1:1/app").doesNotContain("Secret-123");
        }
    }
}
