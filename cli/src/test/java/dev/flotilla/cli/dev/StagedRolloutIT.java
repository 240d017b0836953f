package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.cli.Main;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Staged rollouts through the whole fabric on real PostgreSQL targets (schema per tenant): Atlas'
 * documented canary and tiered examples, the automatic halt and the operator controls through the
 * CLI, promotion between envs, version caps and dry runs. One fleet serves every test; each test
 * has its own env, directory and tenant database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StagedRolloutIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String CREATE_USERS = "CREATE TABLE users (id int PRIMARY KEY, name text);\n";

    private Path tmp;
    private final Map<String, ScratchDatabase> dbs = new LinkedHashMap<>();
    private FleetHarness fleet;
    private Path hcl;

    @BeforeAll
    void fleet() throws Exception {
        tmp = Files.createTempDirectory("staged-rollout-it");
        for (String name : List.of("canary", "tiered", "halting", "promo", "preview")) {
            dbs.put(name, TestDatabases.postgresDatabase(name));
        }
        db("tiered").exec("CREATE TABLE tenants (name text NOT NULL, tier text NOT NULL)",
                "INSERT INTO tenants VALUES ('my-company-staff', 'PAID'), ('zeta', 'FREE'), ('alpha', 'FREE'),"
                        + " ('bravo', 'PAID'), ('charlie', 'PAID'), ('delta', 'FREE')");
        hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, projectFile());
        Files.writeString(tmp.resolve("flotilla.hcl"), """
                env "halting" {
                  halt {
                    failure_ratio = 0.5
                    min_finished  = 2
                  }
                }
                env "prod" {
                  promote_from = "staging"
                }
                """);
        fleet = new FleetHarness(hcl, 4);
        await().atMost(WAIT).until(fleet::ready);
    }

    @AfterAll
    void close() {
        if (fleet != null) {
            fleet.close();
        }
        dbs.values().forEach(ScratchDatabase::close);
    }

    private String projectFile() {
        return """
                locals {
                  tenants  = ["acme", "canary-tenant", "globex", "initech"]
                  halting  = [%s]
                }

                data "sql" "tenants" {
                  url   = "%s"
                  query = "SELECT name, tier FROM tenants"
                }

                deployment "staged" {
                  variable "name" {
                    type = string
                  }
                  group "canary" {
                    match = var.name == "canary-tenant"
                  }
                  group "rest" {
                    parallel   = 5
                    depends_on = [group.canary]
                  }
                }

                deployment "tiered" {
                  variable "name" {
                    type = string
                  }
                  variable "tier" {
                    type = string
                  }
                  group "internal" {
                    match = startswith(var.name, "my-company-")
                  }
                  group "free" {
                    match      = var.tier == "FREE"
                    parallel   = 10
                    on_error   = CONTINUE
                    depends_on = [group.internal]
                  }
                  group "paid" {
                    parallel   = 3
                    on_error   = FAIL
                    depends_on = [group.free]
                  }
                }

                deployment "one_by_one" {
                  variable "name" {
                    type = string
                  }
                  group "all" {
                    order_by = var.name
                    on_error = CONTINUE
                  }
                }

                env "canary" {
                  for_each = toset(local.tenants)
                  url      = urlqueryset("%s", "search_path", each.value)
                  migration {
                    dir = "atlas://canary-app"
                  }
                  rollout {
                    deployment = deployment.staged
                    vars = {
                      name = each.value
                    }
                  }
                }

                env "tiered" {
                  for_each = toset(data.sql.tenants.values)
                  url      = urlqueryset("%s", "search_path", each.value.name)
                  migration {
                    dir = "atlas://tiered-app"
                  }
                  rollout {
                    deployment = deployment.tiered
                    vars = {
                      name = each.value.name
                      tier = each.value.tier
                    }
                  }
                }

                env "halting" {
                  for_each = toset(local.halting)
                  url      = urlqueryset("%s", "search_path", each.value)
                  migration {
                    dir = "atlas://halt-app"
                  }
                  rollout {
                    deployment = deployment.one_by_one
                    vars = {
                      name = each.value
                    }
                  }
                }

                env "staging" {
                  for_each = toset(["s1", "s2"])
                  url      = urlqueryset("%s", "search_path", each.value)
                  migration {
                    dir = "atlas://promo-app"
                  }
                }

                env "prod" {
                  for_each = toset(["p1", "p2"])
                  url      = urlqueryset("%s", "search_path", each.value)
                  migration {
                    dir = "atlas://promo-app"
                  }
                }

                env "preview" {
                  for_each = toset(["v1", "v2"])
                  url      = urlqueryset("%s", "search_path", each.value)
                  migration {
                    dir = "atlas://preview-app?tag=stable"
                  }
                }
                """.formatted(halting().stream().map(h -> "\"" + h + "\"").collect(Collectors.joining(", ")),
                db("tiered").url(), db("canary").url(), db("tiered").url(), db("halting").url(), db("promo").url(),
                db("promo").url(), db("preview").url());
    }

    private static List<String> halting() {
        return IntStream.rangeClosed(1, 12).mapToObj(i -> String.format("h%02d", i)).toList();
    }

    @Test
    void atlasCanaryExampleRunsTheCanaryFirstAndAFailingCanaryStopsTheRest() throws Exception {
        Path dir = tmp.resolve("canary-migrations");
        FleetHarness.write(dir, "1_init.sql", CREATE_USERS);
        fleet.push(dir, "canary-app", "v1");

        String first = awaitSet("canary", 1, "PASSED");
        List<String> rest = List.of("acme", "globex", "initech");
        Timestamp canaryDone = finishedAt(db("canary"), "canary-tenant", "1");
        for (String t : rest) {
            assertThat(startedAt(db("canary"), t, "1")).as(t + " starts after the canary finished")
                    .isAfterOrEqualTo(canaryDone);
        }

        db("canary").exec("CREATE TABLE \"canary-tenant\".orders (id int)");
        FleetHarness.write(dir, "2_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
        fleet.push(dir, "canary-app", "v2");

        String second = awaitSet("canary", 2, "HALTED");
        assertThat(second).isNotEqualTo(first);
        assertThat(state(second).reason()).contains("group \"canary\" failed, so group \"rest\" did not start")
                .contains("flotilla rollout retry --set " + second + " --failed");
        for (String t : rest) {
            assertThat(version(db("canary"), t)).as(t + " was not migrated").isEqualTo("1");
        }
        assertThat(targetStates(second)).containsEntry("canary-tenant", "FAILED").containsEntry("acme", "SKIPPED")
                .containsEntry("globex", "SKIPPED").containsEntry("initech", "SKIPPED");
        // The aggregator's views of the same set: the rollout's state and reason, the skipped targets,
        // and databases behind, not synced.
        JsonNode view = await().atMost(WAIT).until(() -> fleet.set(second),
                s -> "HALTED".equals(s.path("status").asText()) && s.path("skipped").asLong() == 3);
        assertThat(view.path("reason").asText()).contains("group \"canary\" failed");
        assertThat(view.path("failed").asLong()).isEqualTo(1);
        JsonNode acme = await().atMost(WAIT).until(() -> database("canary", "acme"),
                d -> d.path("versionsBehind").asInt() == 1);
        assertThat(acme.path("status").asText()).as("skipped, not synced").isEqualTo("PENDING");

        db("canary").exec("DROP TABLE \"canary-tenant\".orders");
        Cli retry = cli("rollout", "retry", "--set", second, "--failed");
        assertThat(retry.code()).as(retry.out()).isZero();
        assertThat(retry.out()).startsWith("Deployment set " + second + " is RUNNING: retried by ");

        awaitState(second, "PASSED");
        for (String t : List.of("canary-tenant", "acme", "globex", "initech")) {
            assertThat(version(db("canary"), t)).isEqualTo("2");
        }
        await().atMost(WAIT).until(() -> fleet.databases("canary").stream().allMatch(d ->
                d.path("versionsBehind").asInt(-1) == 0 && "SYNCED".equals(d.path("status").asText())));
        assertThat(fleet.set(second).path("status").asText()).isEqualTo("PASSED");
        Cli audit = cli("audit", "list", "--action", "rollout.retry");
        assertThat(audit.out()).contains("rollout.retry").contains("set " + second).contains("now RUNNING");
    }

    @Test
    void atlasTieredExampleRunsInternalThenFreeThenPaidAndAContinueGroupDoesNotStopThePaidOnes() throws Exception {
        db("tiered").exec("CREATE SCHEMA zeta", "CREATE TABLE zeta.users (id int)");
        Path dir = tmp.resolve("tiered-migrations");
        FleetHarness.write(dir, "1_init.sql", CREATE_USERS);
        fleet.push(dir, "tiered-app", "v1");

        String set = awaitSet("tiered", 1, "FAILED");
        assertThat(targetStates(set)).containsEntry("zeta", "FAILED").containsEntry("alpha", "PASSED")
                .containsEntry("delta", "PASSED").containsEntry("my-company-staff", "PASSED")
                .containsEntry("bravo", "PASSED").containsEntry("charlie", "PASSED");
        assertThat(groups(set)).containsEntry("my-company-staff", "internal").containsEntry("zeta", "free")
                .containsEntry("alpha", "free").containsEntry("bravo", "paid").containsEntry("charlie", "paid");
        Timestamp internalDone = finishedAt(db("tiered"), "my-company-staff", "1");
        Timestamp freeDone = later(finishedAt(db("tiered"), "alpha", "1"), finishedAt(db("tiered"), "delta", "1"));
        assertThat(startedAt(db("tiered"), "alpha", "1")).isAfterOrEqualTo(internalDone);
        assertThat(startedAt(db("tiered"), "bravo", "1")).as("paid after free, though a free tenant failed")
                .isAfterOrEqualTo(freeDone);
        assertThat(startedAt(db("tiered"), "charlie", "1")).isAfterOrEqualTo(freeDone);
        assertThat(state(set).reason()).isEqualTo("1 target failed");
    }

    @Test
    void aRolloutPastItsHaltThresholdPausesItselfAndOperatorsSteerItFromTheCli() throws Exception {
        for (String bad : List.of("h01", "h02")) {
            db("halting").exec("CREATE SCHEMA " + bad, "CREATE TABLE " + bad + ".users (id int)");
        }
        Path dir = tmp.resolve("halt-migrations");
        FleetHarness.write(dir, "1_init.sql", "SELECT pg_sleep(0.4);\n" + CREATE_USERS);
        fleet.push(dir, "halt-app", "v1");

        String set = awaitSet("halting", 1, "PAUSED");
        Rollout paused = state(set);
        assertThat(paused.reason()).startsWith("halted: 2 of 2 finished targets of group \"all\" failed (100.0%, the"
                + " threshold is 50.0% once 2 finished): h01: ").contains("; h02: ")
                .contains("connected database is not clean: found table \"users\" in schema \"h01\"");
        assertThat(paused.actor()).isNull();
        long untouched = halting().stream().filter(t -> version(db("halting"), t) == null).count();
        assertThat(untouched).as("a paused rollout starts no new target: most of the 12 never started")
                .isGreaterThanOrEqualTo(6);

        Cli refused = cli("rollout", "pause", "--set", set);
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out()).contains("cannot pause deployment set " + set + ": it is PAUSED");
        Cli resume = cli("rollout", "resume", "--set", set);
        assertThat(resume.out()).as(resume.out()).contains("is RUNNING: resumed by ");

        awaitState(set, "FAILED");
        assertThat(halting().subList(2, 12)).allSatisfy(t -> assertThat(version(db("halting"), t)).isEqualTo("1"));

        Cli skip = cli("rollout", "skip", "--set", set, "--target", "h02", "--reason", "tenant is being deleted");
        assertThat(skip.code()).as(skip.out()).isZero();
        db("halting").exec("DROP TABLE h01.users");
        Cli retry = cli("rollout", "retry", "--set", set, "--target", "h01");
        assertThat(retry.code()).as(retry.out()).isZero();

        Rollout end = awaitState(set, "PASSED");
        assertThat(end.reason()).isEqualTo("1 target was skipped");
        assertThat(version(db("halting"), "h01")).isEqualTo("1");
        assertThat(version(db("halting"), "h02")).as("skipped, not synced").isNull();
        assertThat(targetStates(set)).containsEntry("h02", "SKIPPED");
        assertThat(cli("audit", "list", "--action", "rollout.skip").out()).contains("target h02, reason: tenant is"
                + " being deleted");
    }

    @Test
    void anEnvGetsAVersionOnlyAfterItsPromotionSourceReachedItOnEveryTarget() throws Exception {
        Path dir = tmp.resolve("promo-migrations");
        FleetHarness.write(dir, "1_init.sql", CREATE_USERS);
        fleet.push(dir, "promo-app", "v1");

        awaitSet("staging", 1, "PASSED");
        String promoted = awaitSet("prod", 1, "PASSED");
        assertThat(trigger(promoted)).isEqualTo("PROMOTION");
        assertThat(version(db("promo"), "p1")).isEqualTo("1");

        db("promo").exec("CREATE TABLE s2.orders (id int)");
        FleetHarness.write(dir, "2_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
        fleet.push(dir, "promo-app", "v2");
        String staging2 = awaitSet("staging", 2, "FAILED");

        Cli refused = cli("migrate", "apply", "--env", "prod", "--config", hcl.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out()).contains("env \"prod\" takes versions of promo-app only once every target of env"
                + " \"staging\" has them (flotilla.hcl promote_from); set " + staging2 + " is FAILED and these"
                + " targets are still behind: s2 (FAILED)");
        assertThat(sets("prod")).as("prod got no deployment of v2").hasSize(1);
        assertThat(version(db("promo"), "p1")).isEqualTo("1");
    }

    @Test
    void aDryRunChangesNothingAndAVersionCapStopsTheRollout() throws Exception {
        Path dir = tmp.resolve("preview-migrations");
        FleetHarness.write(dir, "1_init.sql", CREATE_USERS);
        fleet.push(dir, "preview-app", "stable");
        awaitSet("preview", 1, "PASSED");
        db("preview").exec("INSERT INTO v1.users VALUES (1, 'kept')");
        FleetHarness.write(dir, "2_email.sql", "ALTER TABLE users ADD COLUMN email text;\n"
                + "UPDATE users SET name = 'changed';\n");
        FleetHarness.write(dir, "3_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n");
        fleet.push(dir, "preview-app", "next");
        String before = snapshot(db("preview"));

        Cli dry = cli("migrate", "apply", "--env", "preview", "--tag", "next", "--dry-run", "--config", hcl.toString());
        assertThat(dry.code()).as(dry.out()).isZero();
        assertThat(dry.out()).contains("v1: dry run, would migrate to version 3").contains("v2: dry run");

        assertThat(snapshot(db("preview"))).as("schemas, rows and revisions unchanged").isEqualTo(before);
        String drySet = sets("preview").get(1);
        JsonNode v1 = fleet.deployment(drySet, "preview/v1");
        assertThat(v1.path("status").asText()).isEqualTo("DRY_RUN");
        assertThat(v1.toString()).contains("ALTER TABLE users ADD COLUMN email text;")
                .contains("CREATE TABLE orders (id int PRIMARY KEY);");

        Cli capped = cli("migrate", "apply", "--env", "preview", "--tag", "next", "--to-version", "2", "--config",
                hcl.toString());
        assertThat(capped.code()).as(capped.out()).isZero();
        assertThat(version(db("preview"), "v1")).isEqualTo("2");
        assertThat(version(db("preview"), "v2")).isEqualTo("2");
        assertThat(tableExists(db("preview"), "v1", "orders")).isFalse();
    }

    // ---------------------------------------------------------------------------------------------

    private ScratchDatabase db(String name) {
        return dbs.get(name);
    }

    /** A CLI run against the fleet, with the admin token; out and err together. */
    private record Cli(int code, String out) {
    }

    private Cli cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        // migrate commands take the server as --registry (their --url is a database's)
        all.addAll(List.of(args[0].equals("migrate") ? "--registry" : "--url", fleet.url(), "--token",
                fleet.token()));
        StringWriter out = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(out));
        return new Cli(code, out.toString());
    }

    /** A set's rollout as the coordinator keeps it. */
    private record Rollout(String state, String reason, String actor) {
    }

    private Rollout state(String setId) throws SQLException {
        try (Connection c = fleet.store().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT state, reason, actor FROM coordinator_rollouts WHERE set_id = ?")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Rollout(rs.getString(1), rs.getString(2), rs.getString(3)) : null;
            }
        }
    }

    private String trigger(String setId) throws SQLException {
        try (Connection c = fleet.store().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT trigger FROM coordinator_rollouts WHERE set_id = ?")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The env's sets, oldest first. */
    private List<String> sets(String env) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = fleet.store().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT set_id FROM coordinator_rollouts WHERE env = ? ORDER BY created_at")) {
            ps.setString(1, env);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Waits for the env's {@code n}th set to reach {@code state}; its id. */
    /** A database of the env as the aggregator shows it, or a missing node. */
    private JsonNode database(String env, String name) throws Exception {
        return fleet.databases(env).stream().filter(d -> name.equals(d.path("name").asText())).findFirst()
                .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    private String awaitSet(String env, int n, String state) throws SQLException {
        await().atMost(WAIT).until(() -> sets(env).size() >= n && state.equals(state(sets(env).get(n - 1)).state()));
        return sets(env).get(n - 1);
    }

    private Rollout awaitState(String setId, String state) throws SQLException {
        await().atMost(WAIT).until(() -> state.equals(state(setId).state()));
        return state(setId);
    }

    private Map<String, String> targetStates(String setId) throws SQLException {
        return targetColumn(setId, "state");
    }

    private Map<String, String> groups(String setId) throws SQLException {
        return targetColumn(setId, "group_name");
    }

    private Map<String, String> targetColumn(String setId, String column) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = fleet.store().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT target_name, " + column + " FROM coordinator_rollout_targets WHERE set_id = ?")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** The newest version in the tenant's revisions table; null when it has none. */
    private static String version(ScratchDatabase db, String schema) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT version FROM \"" + schema
                + "\".atlas_schema_revisions ORDER BY version DESC LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return null; // no revisions table (or schema): nothing ran there
            }
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp startedAt(ScratchDatabase db, String schema, String version) throws SQLException {
        return revisionTime(db, schema, version, "executed_at");
    }

    private static Timestamp finishedAt(ScratchDatabase db, String schema, String version) throws SQLException {
        return revisionTime(db, schema, version, "executed_at + make_interval(secs => execution_time / 1e9)");
    }

    private static Timestamp revisionTime(ScratchDatabase db, String schema, String version, String expression)
            throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT " + expression + " FROM \""
                + schema + "\".atlas_schema_revisions WHERE version = ?")) {
            ps.setString(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(schema + " has run version " + version).isTrue();
                return rs.getTimestamp(1);
            }
        }
    }

    private static Timestamp later(Timestamp a, Timestamp b) {
        return a.after(b) ? a : b;
    }

    private static boolean tableExists(ScratchDatabase db, String schema, String table) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM"
                + " information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every column of every tenant table, every row of users, every revision: what a dry run must not change. */
    private static String snapshot(ScratchDatabase db) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = db.connect()) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT table_schema, table_name, column_name,"
                    + " data_type FROM information_schema.columns WHERE table_schema IN ('v1', 'v2')"
                    + " ORDER BY 1, 2, 3")) {
                while (rs.next()) {
                    b.append(rs.getString(1)).append('.').append(rs.getString(2)).append('.').append(rs.getString(3))
                            .append(' ').append(rs.getString(4)).append('\n');
                }
            }
            for (String s : List.of("v1", "v2")) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT id, name FROM " + s
                        + ".users ORDER BY id")) {
                    while (rs.next()) {
                        b.append(s).append(" user ").append(rs.getInt(1)).append(' ').append(rs.getString(2))
                                .append('\n');
                    }
                }
                try (ResultSet rs = c.createStatement().executeQuery("SELECT version, applied, total FROM " + s
                        + ".atlas_schema_revisions ORDER BY version")) {
                    while (rs.next()) {
                        b.append(s).append(" revision ").append(rs.getString(1)).append(' ').append(rs.getInt(2))
                                .append('/').append(rs.getInt(3)).append('\n');
                    }
                }
            }
        }
        return b.toString();
    }
}
