package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static dev.flotilla.coordinator.config.Configs.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** Every refusal names the file and line, the block, the bad value and the fix, and never a password. */
class ProjectConfigErrorsTest {
    private static final String TENANTS = "locals {\n  tenants = [\"tenant_1\"]\n}\n";

    @TempDir
    Path tmp;

    private static String env(String body) {
        return "env \"prod\" {\n" + body + "\n}\n";
    }

    @Test
    void unknownEnvNamesTheEnvsTheFileHas() {
        ProjectConfig config = parse(env("  url = \"sqlite://a.db\"") + "env \"local\" {\n  dev = \"sqlite://?mode=memory\"\n}\n");

        assertThat(configError(() -> config.requireEnv("staging"))).isEqualTo("atlas.hcl: there is no env \"staging\";"
                + " the file has \"prod\", \"local\"; pass one of those names or add env \"staging\" { … } to the file");
    }

    @Test
    void unknownEnvMentionsThatUnlabelledEnvBlocksAreNotSupported() {
        ProjectConfig config = parse("env {\n  name = atlas.env\n  url = \"sqlite://a.db\"\n}\n");

        assertThat(configError(() -> config.requireEnv("prod"))).contains("the file has no env blocks")
                .contains("env blocks without a label, named by atlas.env, are not supported");
    }

    @Test
    void forEachWithoutUrlIsRefusedWhenLoading() {
        assertThat(configError(() -> parse(TENANTS + env("  for_each = toset(local.tenants)")))).isEqualTo(
                "atlas.hcl:4: env \"prod\": has for_each but no url; add url = \"sqlite://${each.value}.db\" or"
                        + " url = urlsetpath(var.url, each.value) to the env block");
    }

    @Test
    void unknownFunctionIsNamedWithTheSupportedOnes() {
        String message = configError(() -> parse(TENANTS + env("  for_each = toset(local.tenants)\n"
                + "  url = urlset(\"postgres://app:s3cret@db/app\", each.value)")));

        assertThat(message).isEqualTo("atlas.hcl:6: env \"prod\": url: unknown function urlset(); flotilla evaluates"
                + " contains(), endswith(), file(), getenv(), jsondecode(), startswith(), toset(), urlqueryset(),"
                + " urlsetpath(), urluserinfo() — replace it, or compute the value outside atlas.hcl and pass it with"
                + " --var");
    }

    @Test
    void wrongNumberOfArgumentsShowsTheSignature() {
        assertThat(configError(() -> parse(env("  url = urlqueryset(\"sqlite://a.db\", \"x\")"))))
                .contains("env \"prod\": url: urlqueryset() takes 3 arguments, got 2; write urlqueryset(url, key, value)");
    }

    @Test
    void forEachOverAStringIsRefusedWithTheFix() {
        String message = configError(() -> parse("locals {\n  tenants = \"tenant_1\"\n}\n"
                + env("  for_each = local.tenants\n  url = \"sqlite://${each.value}.db\"")));

        assertThat(message).isEqualTo("atlas.hcl:5: env \"prod\": for_each: must be a list or set of tenant names,"
                + " but local.tenants is a string \"tenant_1\"; write for_each = toset([\"tenant_1\", \"tenant_2\"])"
                + " or for_each = toset(local.<list>)");
    }

    @Test
    void unknownLocalIsNamedWithTheLocalsThatExist() {
        assertThat(configError(() -> parse(TENANTS + env("  for_each = toset(local.tenant)\n  url = \"sqlite://x.db\""))))
                .isEqualTo("atlas.hcl:5: env \"prod\": for_each: unknown local \"tenant\" (declared: tenants); define it"
                        + " in a locals block: locals { tenant = … }");
    }

    @Test
    void unknownVariableIsNamedWithHowToDeclareIt() {
        assertThat(configError(() -> parse(env("  url = var.url"))))
                .isEqualTo("atlas.hcl:2: env \"prod\": url: unknown variable \"url\" (none is declared); declare it"
                        + " with variable \"url\" { type = string } and give its value with --var url=… or a default");
    }

    @Test
    void varForAVariableTheFileDoesNotDeclareIsRefused() {
        String hcl = "variable \"url\" {\n  type = string\n  default = \"sqlite://a.db\"\n}\n" + env("  url = var.url");

        assertThat(configError(() -> parse(hcl, Map.of("ulr", "sqlite://b.db")))).isEqualTo("atlas.hcl: --var ulr:"
                + " the file declares no variable \"ulr\" (declared: url); remove --var ulr or declare it:"
                + " variable \"ulr\" { type = string }");
    }

    @Test
    void variableWithoutDefaultNeedsAVarEvenWhenUnused() {
        String hcl = "variable \"token\" {\n  type = string\n}\n" + env("  url = \"sqlite://a.db\"");

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl:1: variable \"token\": has no default and no"
                + " value was given; pass --var token=<value> or add default = … to the block");
    }

    @Test
    void varOfTheWrongTypeIsRefusedWithoutEchoingTheValue() {
        String hcl = "variable \"tenants\" {\n  type = list(string)\n  default = []\n}\n"
                + env("  for_each = var.tenants\n  url = \"sqlite://${each.value}.db\"");

        String message = configError(() -> parse(hcl, Map.of("tenants", "hunter2")));

        assertThat(message).doesNotContain("hunter2").isEqualTo("atlas.hcl: --var tenants: variable \"tenants\" needs a"
                + " JSON array, e.g. --var tenants='[\"tenant_1\",\"tenant_2\"]'");
    }

    @ParameterizedTest(name = "tenant name \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "''           | is empty",
        "tenant 1     | contains \" \", which is not allowed",
        "a/b          | contains \"/\", which is not allowed",
        "x;drop       | contains \";\", which is not allowed",
        "..           | is a path component",
        "tënant       | contains \"ë\", which is not allowed",
    })
    void tenantNamesThatCannotBeDatabaseNamesAreRefused(String name, String problem) {
        String message = configError(() -> parse(env("  for_each = [\"ok\", \"" + name + "\"]\n"
                + "  url = \"sqlite://${each.value}.db\"")));

        assertThat(message).isEqualTo("atlas.hcl:2: env \"prod\": for_each: tenant name \"" + name + "\" (element 2) "
                + problem + "; tenant names become database, schema and file names,"
                + " so they may only contain letters, digits and _ . $ - — rename the tenant or filter it out of the list");
    }

    @Test
    void tenantNamesLongerThanPostgresKeepsAreRefused() {
        String longName = "t".repeat(64);

        assertThat(configError(() -> parse(env("  for_each = [\"" + longName + "\"]\n  url = \"sqlite://x.db\""))))
                .contains("is longer than 63 characters, where PostgreSQL cuts names");
    }

    @Test
    void duplicateTenantWithoutTosetIsRefused() {
        assertThat(configError(() -> parse(env("  for_each = [\"a\", \"b\", \"a\"]\n  url = \"sqlite://${each.value}.db\""))))
                .contains("for_each: tenant name \"a\" appears twice (elements 1 and 3); remove the duplicate or wrap"
                        + " the list in toset(…)");
    }

    @Test
    void eachValueOutsideForEachIsRefused() {
        assertThat(configError(() -> parse(env("  url = \"sqlite://${each.value}.db\""))))
                .isEqualTo("atlas.hcl:2: env \"prod\": url: each.value is only available in the url of an env block with"
                        + " for_each; add for_each = toset(…) to the env, or use a fixed value here");
    }

    @Test
    void invalidTargetUrlIsNamedRedacted() {
        String message = configError(() -> parse(env("  for_each = [\"t1\"]\n"
                + "  url = \"oracle://app:s3cret@db/${each.value}\"")));

        assertThat(message).doesNotContain("s3cret").isEqualTo("atlas.hcl:3: env \"prod\": url:"
                + " \"oracle://app:xxxxx@db/${each.value}\" for tenant \"t1\" gives an invalid database URL"
                + " \"oracle://app:xxxxx@db/t1\": unknown scheme \"oracle\"; supported schemes are sqlite, postgres,"
                + " postgresql, mysql and mariadb");
    }

    @Test
    void passwordsNeverAppearInMessages() {
        String hcl = "variable \"url\" {\n  type = string\n}\n" + env("  for_each = var.url\n  url = var.url");

        String message = configError(() -> parse(hcl, Map.of("url", "postgres://app:s3cret@db:5432/app")));

        assertThat(message).doesNotContain("s3cret").contains("but var.url is a string \"postgres://app:xxxxx@db:5432/app\"");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String hcl = "variable \"token\" {\n  type = string\n}\n"
                + env("  for_each = toset(local.missing)\n  url = \"sqlite://${each.value}.db\"")
                + "env \"b\" {\n  url = nope(\"x\")\n}\n";

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl has 3 problems:\n"
                + "  - atlas.hcl:1: variable \"token\": has no default and no value was given; pass --var token=<value>"
                + " or add default = … to the block\n"
                + "  - atlas.hcl:5: env \"prod\": for_each: unknown local \"missing\" (none is declared); define it in a"
                + " locals block: locals { missing = … }\n"
                + "  - atlas.hcl:9: env \"b\": url: unknown function nope(); flotilla evaluates contains(), endswith(),"
                + " file(), getenv(), jsondecode(), startswith(), toset(), urlqueryset(), urlsetpath(), urluserinfo()"
                + " — replace it, or compute the value"
                + " outside atlas.hcl and pass it with --var");
    }

    @Test
    void unclosedBlockIsReportedWithItsLine() {
        assertThat(configError(() -> parse("locals {\n  a = \"x\"\n}\nenv \"prod\" {\n  url = \"sqlite://a.db\"\n")))
                .isEqualTo("atlas.hcl:4: syntax: '{' is never closed; add the matching '}'");
    }

    @Test
    void unterminatedStringIsReportedWithItsLine() {
        assertThat(configError(() -> parse(env("  url = \"sqlite://a.db"))))
                .isEqualTo("atlas.hcl:2: syntax: a string is not closed before the end of the line; add the closing \"");
    }

    @Test
    void syntaxErrorsHcl4jFindsAreReported() {
        assertThat(configError(() -> parse(env("  url = @")))).startsWith("atlas.hcl: syntax: hcl4j cannot read the"
                + " file: Illegal character <(@)").endsWith("; fix the HCL syntax at that position");
    }

    @Test
    void duplicateEnvsAndAttributesAreRefused() {
        String hcl = env("  url = \"sqlite://a.db\"\n  url = \"sqlite://b.db\"") + env("  url = \"sqlite://c.db\"");

        assertThat(configError(() -> parse(hcl))).contains("atlas.hcl:3: env \"prod\": url is set twice (lines 2 and 3);"
                + " keep one of them").contains("atlas.hcl:5: env \"prod\": is defined twice (lines 1 and 5); keep one of"
                + " them");
    }

    @Test
    void localsThatReferToEachOtherAreACycle() {
        String hcl = "locals {\n  a = local.b\n  b = local.a\n}\n" + env("  url = \"sqlite://x.db\"");

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl:2: locals: a: refers to itself: local.a →"
                + " local.b → local.a; break the cycle");
    }

    @Test
    void conditionalAndArithmeticOperatorsAreRefused() {
        assertThat(configError(() -> parse(env("  url = \"sqlite://a.db\"\n  dev = true ? \"a\" : \"b\""))))
                .contains("env \"prod\": dev: flotilla does not evaluate the operator ?;")
                .contains("the comparisons == != < <= > >=, && || !");
    }

    @Test
    void jsondecodeOfAMissingFileNamesThePathItTried() {
        String message = configError(() -> ProjectConfig.parse(env("  for_each = toset(jsondecode(file(\"tenants.json\")))\n"
                + "  url = \"sqlite://${each.value}.db\""), tmp, Map.of()));

        assertThat(message).isEqualTo("atlas.hcl:2: env \"prod\": for_each: file(\"tenants.json\"): "
                + tmp.toAbsolutePath().resolve("tenants.json") + " does not exist; file() paths are relative to the"
                + " directory of the project file (" + tmp.toAbsolutePath() + ")");
    }

    @Test
    void jsondecodeOfInvalidJsonNamesThePosition() throws IOException {
        Files.writeString(tmp.resolve("tenants.json"), "[\"a\",\n \"b\" \"c\"]");

        String message = configError(() -> ProjectConfig.parse(env("  for_each = toset(jsondecode(file(\"tenants.json\")))\n"
                + "  url = \"sqlite://${each.value}.db\""), tmp, Map.of()));

        assertThat(message).isEqualTo("atlas.hcl:2: env \"prod\": for_each: jsondecode(file(\"tenants.json\")): invalid"
                + " JSON at line 2 column 6: expected ','");
    }

    @Test
    void missingProjectFileIsNamed() {
        Path missing = tmp.resolve("atlas.hcl");

        assertThat(configError(() -> ProjectConfig.load(missing, Map.of())))
                .isEqualTo("project file " + missing.toAbsolutePath() + " does not exist; give the path of your atlas.hcl");
    }

    @Test
    void sqlDataSourceWithoutQueryIsRefused() {
        String hcl = "data \"sql\" \"tenants\" {\n  url = \"sqlite://registry.db\"\n}\n"
                + env("  for_each = toset(data.sql.tenants.values)\n  url = \"sqlite://${each.value}.db\"");

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl:1: data \"sql\" \"tenants\": has no query; add"
                + " query = \"SELECT name FROM tenants\"");
    }

    @Test
    void sqlDataSourceAttributesArePinnedDown() {
        String hcl = "data \"sql\" \"tenants\" {\n  url = \"postgres://app:s3cret@db/registry\"\n"
                + "  query = \"SELECT name FROM tenants WHERE plan = $2\"\n  args = [\"gold\"]\n  timeout = 5\n}\n";

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl:5: data \"sql\" \"tenants\": timeout: unknown"
                + " attribute; data \"sql\" takes url, query, args");
        assertThat(configError(() -> parse(hcl.replace("  timeout = 5\n", "")))).isEqualTo("atlas.hcl:3: data \"sql\""
                + " \"tenants\": query: the query uses $2 but args has 1 values; add the missing args = [...] or fix the"
                + " placeholder");
    }

    @Test
    void dataSourcesOtherThanSqlAreRefusedWhenUsed() {
        String hcl = "data \"runtimevar\" \"tenants\" {\n  url = \"http://tenant-svc/api\"\n}\n"
                + env("  for_each = toset(jsondecode(data.runtimevar.tenants))\n  url = \"sqlite://${each.value}.db\"");

        assertThat(configError(() -> parse(hcl))).isEqualTo("atlas.hcl:5: env \"prod\": for_each: data \"runtimevar\""
                + " sources are not supported by flotilla, only data \"sql\"; list the tenants with a data \"sql\" query,"
                + " a locals list or jsondecode(file(\"tenants.json\"))");
        assertThat(parse(hcl.substring(0, hcl.indexOf("env"))).envs()).isEmpty();
    }

    @Test
    void unknownSqlDataSourceOutputIsRefused() {
        String hcl = "data \"sql\" \"tenants\" {\n  url = \"sqlite://registry.db\"\n  query = \"SELECT name FROM t\"\n}\n"
                + env("  for_each = toset(data.sql.tenants.rows)\n  url = \"sqlite://${each.value}.db\"");

        assertThat(configError(() -> parse(hcl))).contains("for_each: data.sql.tenants has count, value, values; write"
                + " data.sql.tenants.values for the first column of every row");
    }

    @Test
    void unknownDataReferenceIsCheckedAtLoadEvenThoughDataIsNotQueried() {
        String hcl = "data \"sql\" \"tenants\" {\n  url = \"sqlite://registry.db\"\n  query = \"SELECT name FROM t\"\n}\n"
                + env("  for_each = toset(data.sql.tenants.values)\n  url = urlsetpath(var.base, each.value)");

        assertThat(configError(() -> parse(hcl))).contains("atlas.hcl:7: env \"prod\": url: unknown variable \"base\"");
    }
}
