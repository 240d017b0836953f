package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Workers share one consumer group: a second worker process takes part of the rollout. */
class TwoWorkersIT {
    @TempDir
    Path tmp;

    @Test
    void aSecondWorkerTakesPartOfTheTargets() throws Exception {
        StringBuilder tenants = new StringBuilder();
        for (int i = 1; i <= 24; i++) {
            tenants.append(i == 1 ? "" : ", ").append("\"t").append(i).append('"');
        }
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [" + tenants + "]\n}\nenv \"prod\" {\n  for_each ="
                + " toset(local.tenant)\n  url = \"sqlite://" + tmp + "/${each.value}.db\"\n  migration {\n"
                + "    dir = \"atlas://app\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE t (id int);\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 1);
             DevServer second = fleet.extraWorker(hcl, 1)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> fleet.ready() && second.ready());
            await().atMost(Duration.ofSeconds(60)).until(() -> fleet.activeWorkers() == 2);

            fleet.push(dir, "app", "v1");

            await().atMost(Duration.ofSeconds(90)).until(() -> !fleet.sets().isEmpty()
                    && "PASSED".equals(fleet.sets().get(0).get("status").asText()));
            JsonNode set = fleet.set(fleet.sets().get(0).get("id").asText());
            Set<String> workers = new HashSet<>();
            set.get("targets").forEach(t -> workers.add(t.get("workerId").asText()));
            assertThat(set.get("succeeded").asInt()).isEqualTo(24);
            assertThat(workers).hasSize(2);
        }
    }
}
