package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Atlas' database-per-tenant tutorial, run through the fabric: five tenants, push v1 → all
 * SYNCED; push a seed that collides with tenant_4's data → tenant_4 FAILED, the set 4/5; fix the
 * data, deploy the same tag again → tenant_4 PASSED, the others NO_ACTION, all SYNCED.
 */
abstract class SeedTutorialFlow {
    static final String INIT = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  name VARCHAR(100) NOT NULL\n);\n";
    static final String SEED = "INSERT INTO users (id, name) VALUES (1, 'a8m');\n"
            + "INSERT INTO users (id, name) VALUES (2, 'rotemtam');\n";
    static final Duration WAIT = Duration.ofSeconds(90);

    /** The env's {@code url = …} line for target {@code each.value}. */
    abstract String urlExpression();

    /** Inserts a row with id 1 into tenant_4's users table. */
    abstract void collide(String tenant) throws Exception;

    /** Removes it again. */
    abstract void fix(String tenant) throws Exception;

    /** The driver's text for the duplicate key. */
    abstract String duplicateKeyMessage();

    String statementQuote() {
        return "'";
    }

    void run(Path tmp) throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [\"tenant_1\", \"tenant_2\", \"tenant_3\", \"tenant_4\","
                + " \"tenant_5\"]\n}\n\nenv \"prod\" {\n  for_each = toset(local.tenant)\n  url = " + urlExpression()
                + "\n  migration {\n    dir = \"atlas://db-per-tenant\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "20240721101205_init.sql", INIT);
        try (FleetHarness fleet = fleet(hcl)) {
            await().atMost(WAIT).until(fleet::ready);

            JsonNode first = fleet.push(dir, "db-per-tenant", "v1");
            assertThat(first.get("status").asInt()).as(first.toString()).isEqualTo(201);
            await().atMost(WAIT).untilAsserted(() -> assertThat(statuses(fleet)).containsOnlyKeys(
                    "tenant_1", "tenant_2", "tenant_3", "tenant_4", "tenant_5").containsValues("SYNCED")
                    .doesNotContainValue("PENDING"));
            JsonNode set1 = awaitDone(fleet, 1);
            JsonNode again1 = fleet.push(dir, "db-per-tenant", "v1");
            assertThat(again1.get("status").asInt()).as("identical re-push is a no-op").isEqualTo(200);
            assertThat(again1.get("versionId").asText()).isEqualTo(first.get("versionId").asText());
            assertThat(set1.get("status").asText()).isEqualTo("PASSED");
            assertThat(ratio(set1)).isEqualTo("5/5");

            collide("tenant_4");
            FleetHarness.write(dir, "20240721111345_seed_users.sql", SEED);
            assertThat(fleet.push(dir, "db-per-tenant", "v2").get("status").asInt()).isEqualTo(201);
            JsonNode set2 = awaitDone(fleet, 2);
            assertThat(set2.get("status").asText()).isEqualTo("FAILED");
            assertThat(ratio(set2)).isEqualTo("4/5");
            assertThat(statuses(fleet)).containsEntry("tenant_4", "FAILED").containsEntry("tenant_1", "SYNCED")
                    .containsEntry("tenant_5", "SYNCED");
            JsonNode failed = fleet.deployment(set2.get("id").asText(), "prod/tenant_4");
            assertThat(failed.get("error").asText()).isEqualTo("sql/migrate: executing statement \"INSERT INTO users"
                    + " (id, name) VALUES (1, 'a8m');\" from version \"20240721111345\": " + duplicateKeyMessage());
            assertThat(failed.get("files").get(0).get("errorStmt").asText())
                    .isEqualTo("INSERT INTO users (id, name) VALUES (1, 'a8m');");

            String metrics = fleet.text("/metrics");
            assertThat(metrics).contains("flotilla_worker_commands_applied_total{status=\"FAILED\"} 1.0")
                    .contains("flotilla_worker_commands_applied_total{status=\"PASSED\"} 9.0")
                    .contains("flotilla_coordinator_commands_published_total 10.0")
                    .contains("flotilla_worker_commands_in_flight 0.0")
                    .contains("flotilla_worker_apply_duration_seconds_count 10")
                    .contains("flotilla_aggregator_failed_targets_total 1.0");
            assertThat(fleet.text("/health/ready")).contains("\"status\":\"UP\"");
            fix("tenant_4");
            JsonNode again = fleet.post("/api/v1/deployments", "{\"env\":\"prod\"}");
            assertThat(again.has("id")).as(again.toString()).isTrue();
            JsonNode set3 = awaitDone(fleet, 3);
            Map<String, String> byTarget = targets(set3);
            assertThat(byTarget).containsEntry("tenant_4", "PASSED").containsEntry("tenant_1", "NO_ACTION")
                    .containsEntry("tenant_2", "NO_ACTION").containsEntry("tenant_3", "NO_ACTION")
                    .containsEntry("tenant_5", "NO_ACTION");
            assertThat(set3.get("status").asText()).isEqualTo("PASSED");
            assertThat(set3.get("seq").asLong()).as("set IDs count up by one").isEqualTo(set1.get("seq").asLong() + 2);
            JsonNode retried = fleet.deployment(set3.get("id").asText(), "prod/tenant_4");
            assertThat(retried.get("fromVersion").asText()).isEqualTo("20240721101205");
            assertThat(retried.get("currentVersion").asText()).isEqualTo("20240721111345");
            await().atMost(WAIT).untilAsserted(() -> assertThat(statuses(fleet).values()).hasSize(5)
                    .containsOnly("SYNCED"));
            assertThat(fleet.databases("prod")).allSatisfy(d -> assertThat(d.get("currentVersion").asText())
                    .isEqualTo("20240721111345"));
            assertThat(fleet.sets()).hasSize(3);
            assertNoSecretIn(fleet, set2.get("id").asText());
            String[] verify = {"verify", "--env", "prod", "--config", hcl.toString(), "--url", fleet.url(), "--token",
                fleet.token()};
            java.io.StringWriter out = new java.io.StringWriter();
            int code = dev.flotilla.cli.Main.run(verify, new java.io.PrintWriter(out), new java.io.PrintWriter(out));
            assertThat(out.toString()).contains("5 targets of env prod checked: the views agree");
            assertThat(code).isZero();
            afterTutorial(fleet, hcl, dir, set2.get("id").asText());
        }
    }

    /** The services the tutorial runs against: by default with a broker of their own. */
    FleetHarness fleet(Path hcl) throws Exception {
        return new FleetHarness(hcl, 4);
    }

    /**
     * More checks on the finished fleet, per database kind.
     *
     * @param dir the migration directory, pushed as {@code db-per-tenant}
     * @param failedSetId the set in which tenant_4 failed
     */
    void afterTutorial(FleetHarness fleet, Path hcl, Path dir, String failedSetId) throws Exception {
    }

    /** A secret in the target URLs (none by default) must not appear in any API answer. */
    String secret() {
        return null;
    }

    private void assertNoSecretIn(FleetHarness fleet, String setId) throws Exception {
        if (secret() == null) {
            return;
        }
        StringBuilder all = new StringBuilder();
        all.append(fleet.get("/api/v1/databases?pageSize=500")).append(fleet.get("/api/v1/deployment-sets"))
                .append(fleet.set(setId)).append(fleet.deployment(setId, "prod/tenant_4"))
                .append(fleet.get("/api/v1/directories"));
        assertThat(all.toString()).contains("xxxxx").doesNotContain(secret());
    }

    private static JsonNode awaitDone(FleetHarness fleet, int count) throws Exception {
        await().atMost(WAIT).until(() -> {
            List<JsonNode> sets = fleet.sets();
            return sets.size() >= count && !"RUNNING".equals(sets.get(0).get("status").asText());
        });
        return fleet.set(fleet.sets().get(0).get("id").asText());
    }

    private static String ratio(JsonNode set) {
        return set.get("succeeded").asText() + "/" + set.get("total").asText();
    }

    private static Map<String, String> statuses(FleetHarness fleet) throws Exception {
        return fleet.databases("prod").stream().collect(Collectors.toMap(d -> d.get("name").asText(),
                d -> d.get("status").asText()));
    }

    private static Map<String, String> targets(JsonNode set) {
        Map<String, String> out = new java.util.TreeMap<>();
        set.get("targets").forEach(t -> out.put(t.get("targetName").asText(), t.get("status").asText()));
        return out;
    }
}
