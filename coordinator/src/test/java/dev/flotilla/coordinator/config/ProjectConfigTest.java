package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static dev.flotilla.coordinator.config.Configs.parse;
import static dev.flotilla.coordinator.config.Configs.targets;
import static org.assertj.core.api.Assertions.assertThat;

/** Reading atlas.hcl files as Atlas' guides write them. */
class ProjectConfigTest {
    @TempDir
    Path tmp;

    private static Path seed() throws URISyntaxException {
        return Path.of(ProjectConfigTest.class.getResource("/seeds/db-per-tenant/atlas.hcl").toURI());
    }

    @Test
    void seedProdEnvHasOneSqliteTargetPerTenantAndFollowsTheRegistry() throws URISyntaxException {
        ProjectConfig config = ProjectConfig.load(seed(), Map.of());

        assertThat(config.envs()).extracting(EnvConfig::name).containsExactly("prod", "local");
        EnvConfig prod = config.requireEnv("prod");
        assertThat(prod.migrationDir()).isEqualTo("atlas://db-per-tenant");
        assertThat(prod.registryDirectory()).contains("db-per-tenant");
        assertThat(prod.registryTag()).isEmpty();
        assertThat(prod.devUrl()).isNull();
        assertThat(prod.targets().resolve()).containsExactly(
                new Target("tenant_1", "sqlite://tenant_1.db"), new Target("tenant_2", "sqlite://tenant_2.db"));
    }

    @Test
    void seedLocalEnvHasADevDatabaseAndAFileDirectoryButNothingToDeployTo() throws URISyntaxException {
        EnvConfig local = ProjectConfig.load(seed(), Map.of()).requireEnv("local");

        assertThat(local.devUrl()).isEqualTo("sqlite://?mode=memory");
        assertThat(local.migrationDir()).isEqualTo("file://migrations");
        assertThat(local.registryDirectory()).isEmpty();
        assertThat(configError(() -> local.targets().resolve())).endsWith("atlas.hcl:15: env \"local\": has no url,"
                + " so there is nothing to deploy to; add url = \"postgres://user@host:5432/db\" (or for_each and"
                + " url) to the env block");
    }

    @Test
    void theMigrationBlocksBaselineAndTxModeAreReadForTheWorkersToHonour() {
        EnvConfig prod = parse("env \"prod\" {\n  url = \"sqlite://t.db\"\n  migration {\n    dir = \"atlas://app\"\n"
                + "    baseline = \"20240101000000\"\n    tx_mode = \"none\"\n  }\n}\n").requireEnv("prod");

        assertThat(prod.baseline()).isEqualTo("20240101000000");
        assertThat(prod.txMode()).isEqualTo("none");
        assertThat(parse("env \"prod\" {\n  url = \"sqlite://t.db\"\n}\n").requireEnv("prod").baseline()).isNull();
    }

    @Test
    void anUnknownTxModeIsAConfigErrorNamingTheValues() {
        assertThat(configError(() -> parse("env \"prod\" {\n  url = \"sqlite://t.db\"\n  migration {\n"
                + "    tx_mode = \"sometimes\"\n  }\n}\n"))).contains("migration.tx_mode is \"sometimes\"; it must be"
                + " \"file\", \"all\" or \"none\"");
    }

    @Test
    void guideTextAsPrintedFlushLeftAndWithWindowsLineEndings() {
        String guide = "locals {\ntenant = [\"tenant_1\", \"tenant_2\"]\n}\n\nenv \"prod\" {\n"
                + "for_each = toset(local.tenant)\nurl = \"sqlite://${each.value}.db\"\nmigration {\n"
                + "dir = \"file://migrations\"\n}\n}\n";

        for (String text : new String[] {guide, guide.replace("\n", "\r\n")}) {
            EnvConfig prod = parse(text).requireEnv("prod");
            assertThat(prod.migrationDir()).isEqualTo("file://migrations");
            assertThat(prod.targets().resolve()).extracting(Target::url)
                    .containsExactly("sqlite://tenant_1.db", "sqlite://tenant_2.db");
        }
    }

    @Test
    void envWithoutForEachIsOneTargetNamedAfterTheEnv() {
        ProjectConfig config = parse("env \"staging\" {\n  url = \"postgres://app:pw@db.internal:5432/app\"\n}\n");

        assertThat(targets(config, "staging"))
                .containsExactly(new Target("staging", "postgres://app:pw@db.internal:5432/app"));
    }

    @Test
    void registryTagAndDefaultDirectory() {
        ProjectConfig config = parse("env \"a\" {\n  url = \"sqlite://a.db\"\n  migration {\n"
                + "    dir = \"atlas://app?tag=v1.2\"\n  }\n}\nenv \"b\" {\n  url = \"sqlite://b.db\"\n}\n");

        assertThat(config.requireEnv("a").registryDirectory()).contains("app");
        assertThat(config.requireEnv("a").registryTag()).contains("v1.2");
        assertThat(config.requireEnv("b").migrationDir()).isEqualTo("file://migrations");
        assertThat(config.requireEnv("b").registryTag()).isEmpty();
        assertThat(config.env("c")).isEmpty();
    }

    @Test
    void tosetRemovesDuplicatesAndSortsLikeAtlas() {
        ProjectConfig config = parse("locals {\n  tenants = [\"b\", \"a\", \"b\", \"c\"]\n}\n"
                + "env \"prod\" {\n  for_each = toset(local.tenants)\n  url = \"sqlite://${each.value}.db\"\n}\n");

        assertThat(targets(config, "prod")).extracting(Target::name).containsExactly("a", "b", "c");
    }

    @Test
    void forEachAlsoTakesAPlainListInItsOrder() {
        ProjectConfig config = parse("env \"prod\" {\n  for_each = [\"b\", \"a\"]\n  url = \"sqlite://${each.key}.db\"\n}\n");

        assertThat(targets(config, "prod")).extracting(Target::url).containsExactly("sqlite://b.db", "sqlite://a.db");
    }

    @Test
    void variableDefaultIsUsedUnlessAVarIsGiven() {
        String hcl = "variable \"dir\" {\n  type    = string\n  default = \"file://migrations\"\n}\n"
                + "variable \"url\" {\n  type = string\n  default = \"sqlite://default.db\"\n}\n"
                + "env \"prod\" {\n  url = var.url\n  migration {\n    dir = var.dir\n  }\n}\n";

        EnvConfig withDefaults = parse(hcl).requireEnv("prod");
        EnvConfig overridden = parse(hcl, Map.of("url", "sqlite://given.db")).requireEnv("prod");

        assertThat(withDefaults.targets().resolve()).extracting(Target::url).containsExactly("sqlite://default.db");
        assertThat(overridden.targets().resolve()).extracting(Target::url).containsExactly("sqlite://given.db");
        assertThat(overridden.migrationDir()).isEqualTo("file://migrations");
    }

    @Test
    void listVariableTakesAJsonArrayFromTheCommandLine() {
        String hcl = "variable \"tenants\" {\n  type = list(string)\n  default = [\"x\"]\n}\n"
                + "env \"prod\" {\n  for_each = toset(var.tenants)\n  url = \"sqlite://${each.value}.db\"\n}\n";

        assertThat(targets(parse(hcl), "prod")).extracting(Target::name).containsExactly("x");
        assertThat(targets(parse(hcl, Map.of("tenants", "[\"t2\", \"t1\"]")), "prod")).extracting(Target::name)
                .containsExactly("t1", "t2");
    }

    @Test
    void jsondecodeOfFileReadsTenantsNextToTheProjectFileAndAgainAtEachResolve() throws IOException {
        Files.writeString(tmp.resolve("tenants.json"), "[\"acme\", \"globex\"]\n");
        Path atlasHcl = Files.writeString(tmp.resolve("atlas.hcl"), "env \"prod\" {\n"
                + "  for_each = toset(jsondecode(file(\"tenants.json\")))\n  url = \"sqlite://${each.value}.db\"\n}\n");

        EnvConfig prod = ProjectConfig.load(atlasHcl, Map.of()).requireEnv("prod");
        assertThat(prod.targets().resolve()).extracting(Target::name).containsExactly("acme", "globex");

        Files.writeString(tmp.resolve("tenants.json"), "[\"acme\", \"globex\", \"initech\"]");
        assertThat(prod.targets().resolve()).extracting(Target::name).containsExactly("acme", "globex", "initech");
    }

    @Test
    void urlquerysetGivesOneSearchPathPerTenantForSchemaPerTenant() {
        String hcl = "variable \"url\" {\n  type = string\n}\nlocals {\n  tenants = [\"tenant_1\", \"tenant_2\"]\n}\n"
                + "env \"prod\" {\n  for_each = toset(local.tenants)\n"
                + "  url = urlqueryset(var.url, \"search_path\", each.value)\n}\n";

        ProjectConfig config = parse(hcl, Map.of("url", "postgres://app:s3cret@db:5432/app?sslmode=disable"));

        assertThat(targets(config, "prod")).containsExactly(
                new Target("tenant_1", "postgres://app:s3cret@db:5432/app?search_path=tenant_1&sslmode=disable"),
                new Target("tenant_2", "postgres://app:s3cret@db:5432/app?search_path=tenant_2&sslmode=disable"));
        assertThat(targets(config, "prod").get(0).redactedUrl())
                .isEqualTo("postgres://app:xxxxx@db:5432/app?search_path=tenant_1&sslmode=disable");
    }

    @Test
    void urlsetpathGivesOneDatabasePerTenant() {
        String hcl = "variable \"db_instance_url\" {\n  type = string\n"
                + "  default = \"mysql://root:pass@mysql:3306/admin?parseTime=true\"\n}\n"
                + "env \"tenants\" {\n  for_each = toset([\"acme\", \"globex\"])\n"
                + "  url = urlsetpath(var.db_instance_url, each.value)\n}\n";

        assertThat(targets(parse(hcl), "tenants")).extracting(Target::url).containsExactly(
                "mysql://root:pass@mysql:3306/acme?parseTime=true", "mysql://root:pass@mysql:3306/globex?parseTime=true");
    }

    @Test
    void urluserinfoSetsTheCredentials() {
        String hcl = "env \"prod\" {\n  url = urluserinfo(\"postgres://db:5432/app\", \"deploy\", \"p@ss:word\")\n}\n";

        assertThat(targets(parse(hcl), "prod")).extracting(Target::url)
                .containsExactly("postgres://deploy:p%40ss%3Aword@db:5432/app");
    }

    @Test
    void templatesCombineVariablesLocalsAndEachValue() {
        String hcl = "variable \"host\" {\n  type = string\n  default = \"db\"\n}\nlocals {\n  port = 5432\n"
                + "  base = \"postgres://app@${var.host}:${local.port}\"\n}\n"
                + "env \"prod\" {\n  for_each = toset([\"t1\"])\n  url = \"${local.base}/${each.value}?sslmode=disable\"\n}\n";

        assertThat(targets(parse(hcl), "prod")).extracting(Target::url)
                .containsExactly("postgres://app@db:5432/t1?sslmode=disable");
    }

    @Test
    void getenvReadsTheEnvironment() {
        String hcl = "variable \"url\" {\n  type = string\n  default = getenv(\"TENANT_DB_URL\")\n}\n"
                + "env \"prod\" {\n  url = var.url\n}\n";

        ProjectConfig config = ProjectConfig.parse(hcl, new SourceFile("atlas.hcl", tmp), Map.of(),
                name -> "TENANT_DB_URL".equals(name) ? "sqlite://from-env.db" : null);

        assertThat(targets(config, "prod")).extracting(Target::url).containsExactly("sqlite://from-env.db");
    }

    @Test
    void blocksAndAttributesFlotillaDoesNotUseAreIgnored() {
        String hcl = "lint {\n  destructive {\n    error = false\n  }\n}\n"
                + "env \"prod\" {\n  url = \"sqlite://prod.db\"\n  schemas = [\"main\"]\n"
                + "  format {\n    migrate {\n      apply = format(\"{{ json . }}\")\n    }\n  }\n"
                + "  migration {\n    dir = \"file://migrations\"\n    revisions_schema = \"atlas\"\n  }\n}\n";

        assertThat(targets(parse(hcl), "prod")).containsExactly(new Target("prod", "sqlite://prod.db"));
    }

    @Test
    void commentsHeredocsAndEscapedTemplatesAreRead() {
        String hcl = "/* targets */\nlocals {\n  # a heredoc\n  note = <<EOT\nnot { balanced\nEOT\n}\n"
                + "env \"prod\" { // inline\n  for_each = [\"t1\"]\n  url = \"sqlite://${each.value}.db\"\n"
                + "  dev = \"sqlite://dev.db?x=$${literal}\"\n}\n";

        EnvConfig prod = parse(hcl).requireEnv("prod");

        assertThat(prod.devUrl()).isEqualTo("sqlite://dev.db?x=${literal}");
        assertThat(prod.targets().resolve()).extracting(Target::name).containsExactly("t1");
    }

    @Test
    void toStringsNeverShowPasswords() {
        ProjectConfig config = parse("env \"prod\" {\n  url = \"postgres://app:s3cret@db:5432/app\"\n"
                + "  dev = \"postgres://dev:devpass@localhost:5432/dev\"\n}\n");
        EnvConfig prod = config.requireEnv("prod");

        assertThat(prod.toString()).doesNotContain("devpass").contains("postgres://dev:xxxxx@localhost:5432/dev");
        assertThat(prod.targets().resolve().toString()).doesNotContain("s3cret").contains("app:xxxxx@db");
        assertThat(config.toString()).isEqualTo("ProjectConfig[atlas.hcl: prod]");
    }
}
