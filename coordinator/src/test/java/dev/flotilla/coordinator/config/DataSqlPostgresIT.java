package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static dev.flotilla.coordinator.config.Configs.error;
import static org.assertj.core.api.Assertions.assertThat;

/** data "sql" target groups against the real PostgreSQL on 127.0.0.1. */
class DataSqlPostgresIT {
    /** Schema-per-tenant, as in Atlas' target-groups guide: the tenant list is a query. */
    private static final String SCHEMA_PER_TENANT = "variable \"url\" {\n  type = string\n}\n"
            + "data \"sql\" \"tenants\" {\n  url   = var.url\n"
            + "  query = \"SELECT name FROM tenants WHERE active = $1 ORDER BY name\"\n  args  = [true]\n}\n"
            + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n"
            + "  url      = urlqueryset(var.url, \"search_path\", each.value)\n"
            + "  migration {\n    dir = \"atlas://app?tag=main\"\n  }\n}\n";

    private ScratchDatabase db;

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.postgresDatabase("cfg");
        db.exec("CREATE TABLE tenants (name text, active boolean NOT NULL DEFAULT true)",
                "INSERT INTO tenants (name) VALUES ('tenant_2'), ('tenant_1')",
                "INSERT INTO tenants (name, active) VALUES ('retired', false)");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private ProjectConfig config(String url) {
        return ProjectConfig.parse(SCHEMA_PER_TENANT, Path.of("."), Map.of("url", url));
    }

    @Test
    void aQueryWithSeveralColumnsGivesObjectsAsInAtlasTieredExample() throws SQLException {
        db.exec("ALTER TABLE tenants ADD COLUMN tier text NOT NULL DEFAULT 'FREE'",
                "UPDATE tenants SET tier = 'PAID' WHERE name = 'tenant_2'");
        String hcl = "variable \"url\" {\n  type = string\n}\n"
                + "data \"sql\" \"tenants\" {\n  url   = var.url\n"
                + "  query = \"SELECT name, tier FROM tenants WHERE active ORDER BY name\"\n}\n"
                + "deployment \"tiered\" {\n  variable \"name\" {\n    type = string\n  }\n"
                + "  variable \"tier\" {\n    type = string\n  }\n"
                + "  group \"free\" {\n    match = var.tier == \"FREE\"\n  }\n"
                + "  group \"paid\" {\n    depends_on = [group.free]\n  }\n}\n"
                + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n"
                + "  url      = urlqueryset(var.url, \"search_path\", each.value.name)\n"
                + "  rollout {\n    deployment = deployment.tiered\n"
                + "    vars = {\n      name = each.value.name\n      tier = each.value.tier\n    }\n  }\n}\n";
        EnvConfig prod = ProjectConfig.parse(hcl, Path.of("."), Map.of("url", db.url())).requireEnv("prod");

        List<Target> targets = prod.targets().resolve();
        List<DeploymentConfig.Planned> plan = prod.deployment().plan(targets);

        assertThat(targets).extracting(Target::name).containsExactly("tenant_1", "tenant_2");
        assertThat(targets.get(1).vars()).containsEntry("tier", "PAID");
        assertThat(targets.get(1).url()).contains("search_path=tenant_2");
        assertThat(plan.get(0).targets()).extracting(Target::name).containsExactly("tenant_1");
        assertThat(plan.get(1).targets()).extracting(Target::name).containsExactly("tenant_2");
    }

    @Test
    void queryGivesOneSchemaPerTenantTarget() {
        EnvConfig prod = config(db.url()).requireEnv("prod");

        List<Target> targets = prod.targets().resolve();

        assertThat(prod.registryDirectory()).contains("app");
        assertThat(prod.registryTag()).contains("main");
        assertThat(targets).extracting(Target::name).containsExactly("tenant_1", "tenant_2");
        assertThat(targets.get(0).url()).startsWith("postgres://postgres@127.0.0.1:")
                .endsWith("/" + db.name() + "?search_path=tenant_1&sslmode=disable");
    }

    @Test
    void tenantsAddedAfterLoadingAreDeployedToAtTheNextResolve() throws SQLException {
        TargetSource targets = config(db.url()).requireEnv("prod").targets();
        assertThat(targets.resolve()).hasSize(2);

        db.exec("INSERT INTO tenants (name) VALUES ('tenant_3')", "UPDATE tenants SET active = true WHERE name = 'retired'");

        assertThat(targets.resolve()).extracting(Target::name).containsExactly("retired", "tenant_1", "tenant_2", "tenant_3");
    }

    @Test
    void loadingDoesNotQueryTheDatabase() throws SQLException {
        db.exec("DROP TABLE tenants");

        ProjectConfig config = config(db.url());

        assertThat(configError(() -> config.requireEnv("prod").targets().resolve()))
                .startsWith("atlas.hcl:4: data \"sql\" \"tenants\": the query failed on postgres://postgres@127.0.0.1:")
                .contains("relation \"tenants\" does not exist").contains("(SQLState 42P01)");
    }

    @Test
    void tenantNamesFromTheDatabaseAreChecked() throws SQLException {
        db.exec("INSERT INTO tenants (name) VALUES ('acme; DROP SCHEMA public')");

        assertThat(configError(() -> config(db.url()).requireEnv("prod").targets().resolve()))
                .contains("for_each: tenant name \"acme; DROP SCHEMA public\" (element 1) contains \";\"");
    }

    @Test
    void unreachableDatabaseIsAConnectionFailureWithoutThePassword() {
        String url = "postgres://postgres:s3cret@127.0.0.1:1/" + db.name() + "?sslmode=disable";

        String message = error(ErrorCode.CONNECTION_FAILED, () -> config(url).requireEnv("prod").targets().resolve());

        assertThat(message).doesNotContain("s3cret").startsWith("atlas.hcl:4: data \"sql\" \"tenants\": cannot connect to"
                + " postgres://postgres:xxxxx@127.0.0.1:1/" + db.name() + "?sslmode=disable: connection refused");
    }
}
