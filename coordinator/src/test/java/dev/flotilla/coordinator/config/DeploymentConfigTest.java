package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.DeploymentConfig.OnError;
import dev.flotilla.coordinator.config.DeploymentConfig.Planned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static dev.flotilla.coordinator.config.Configs.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** Atlas' deployment block as its guide writes it: groups, matching, ordering, limits, and the errors. */
class DeploymentConfigTest {
    /** Atlas' canary example (https://atlasgo.io/guides/database-per-tenant/rollout). */
    static final String CANARY = """
            locals {
              tenants = ["acme", "canary-tenant", "globex", "initech"]
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
            env "prod" {
              for_each = toset(local.tenants)
              url      = "sqlite://${each.value}.db"
              migration {
                dir = "atlas://app"
              }
              rollout {
                deployment = deployment.staged
                vars = {
                  name = each.value
                }
              }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void theCanaryExampleRunsTheCanaryAloneThenTheRestFiveAtATime() {
        EnvConfig prod = parse(CANARY).requireEnv("prod");

        List<Planned> plan = prod.deployment().plan(prod.targets().resolve());

        assertThat(plan).extracting(p -> p.group().name()).containsExactly("canary", "rest");
        assertThat(names(plan.get(0))).containsExactly("canary-tenant");
        assertThat(names(plan.get(1))).containsExactly("acme", "globex", "initech");
        assertThat(plan.get(0).group().parallel()).as("Atlas' default").isEqualTo(1);
        assertThat(plan.get(0).group().onError()).as("Atlas' default").isEqualTo(OnError.FAIL);
        assertThat(plan.get(1).group().parallel()).isEqualTo(5);
        assertThat(plan.get(1).group().dependsOn()).containsExactly("canary");
    }

    @Test
    void theTieredExampleReadsRowsWithSeveralColumnsAsObjects() throws Exception {
        Files.writeString(tmp.resolve("tenants.json"), "[{\"name\": \"my-company-a\", \"tier\": \"PAID\"},"
                + " {\"name\": \"zeta\", \"tier\": \"FREE\"}, {\"name\": \"alpha\", \"tier\": \"FREE\"},"
                + " {\"name\": \"bravo\", \"tier\": \"PAID\"}]");
        String hcl = """
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
                    order_by   = var.name
                  }
                  group "paid" {
                    parallel   = 3
                    on_error   = FAIL
                    depends_on = [group.free]
                    order_by   = [var.tier, var.name]
                  }
                }
                env "prod" {
                  for_each = toset(jsondecode(file("tenants.json")))
                  url      = "sqlite://${each.value.name}.db"
                  rollout {
                    deployment = deployment.tiered
                    vars = {
                      name = each.value.name
                      tier = each.value.tier
                    }
                  }
                }
                """;
        EnvConfig prod = ProjectConfig.parse(hcl, tmp, Map.of()).requireEnv("prod");

        List<Target> targets = prod.targets().resolve();
        List<Planned> plan = prod.deployment().plan(targets);

        assertThat(targets).extracting(Target::name).contains("zeta", "alpha");
        assertThat(targets).filteredOn(t -> t.name().equals("zeta")).singleElement()
                .satisfies(t -> assertThat(t.url()).isEqualTo("sqlite://zeta.db"));
        assertThat(names(plan.get(0))).containsExactly("my-company-a");
        assertThat(names(plan.get(1))).as("ordered by name").containsExactly("alpha", "zeta");
        assertThat(names(plan.get(2))).containsExactly("bravo");
        assertThat(plan.get(1).group().onError()).isEqualTo(OnError.CONTINUE);
    }

    @Test
    void operatorsFollowHclsPrecedence() {
        String hcl = CANARY.replace("match = var.name == \"canary-tenant\"",
                "match = var.name == \"acme\" || var.name != \"initech\" && !endswith(var.name, \"tenant\")"
                        + " && contains([\"globex\", \"acme\"], var.name)");
        EnvConfig prod = parse(hcl).requireEnv("prod");

        List<Planned> plan = prod.deployment().plan(prod.targets().resolve());

        assertThat(names(plan.get(0))).containsExactly("acme", "globex");
    }

    @Test
    void aTargetNoGroupMatchesIsNotPlannedAndAGroupWithoutMatchTakesTheRest() {
        String hcl = CANARY.replace("  group \"rest\" {\n    parallel   = 5\n    depends_on = [group.canary]\n  }",
                "  group \"later\" {\n    match = var.name > \"h\"\n  }");
        assertThat(hcl).contains("group \"later\"");
        EnvConfig prod = parse(hcl).requireEnv("prod");

        List<Planned> plan = prod.deployment().plan(prod.targets().resolve());

        assertThat(names(plan.get(1))).containsExactly("initech");
        assertThat(plan.stream().mapToInt(p -> p.targets().size()).sum()).as("acme and globex match nothing")
                .isEqualTo(2);
    }

    @Test
    void aCycleAnUnknownGroupAndBadSettingsAreConfigErrorsNamingBlockAndLine() {
        String hcl = """
                deployment "staged" {
                  variable "name" {
                    type = string
                  }
                  group "a" {
                    depends_on = [group.b]
                    parallel = 0
                  }
                  group "b" {
                    depends_on = [group.a, group.nope]
                    on_error = BREAK
                    batch = 3
                  }
                }
                env "prod" {
                  url = "sqlite://x.db"
                  rollout {
                    deployment = deployment.staged
                    vars = {
                      name = "x"
                    }
                  }
                }
                """;

        String message = configError(() -> parse(hcl));

        assertThat(message).contains("atlas.hcl:7: deployment \"staged\": group \"a\": parallel: is a number 0;"
                + " it must be a whole number from 1 to 100000");
        assertThat(message).contains("atlas.hcl:9: deployment \"staged\": group \"b\": depends_on: names group.nope,"
                + " which this deployment does not have; it has [a, b]");
        assertThat(message).contains("on_error: is BREAK; it must be FAIL or CONTINUE");
        assertThat(message).contains("batch: unknown attribute; a group takes depends_on, match, on_error,"
                + " order_by, parallel");
        assertThat(message).contains("closes a cycle: a → b → a");
    }

    @Test
    void matchMayOnlyReadDeclaredVariablesAndKnownFunctions() {
        String hcl = CANARY.replace("match = var.name == \"canary-tenant\"", "match = var.region == \"eu\"")
                .replace("parallel   = 5", "parallel   = 5\n    match = lower(var.name) == \"x\"");

        String message = configError(() -> parse(hcl));

        assertThat(message).contains("unknown variable \"region\"; this deployment has [name]");
        assertThat(message).contains("unknown function lower()");
    }

    @Test
    void theRolloutBlockMustNameADeploymentAndSetItsVariables() {
        String unknown = CANARY.replace("deployment = deployment.staged", "deployment = deployment.waves");
        String missing = CANARY.replace("vars = {\n      name = each.value\n    }", "vars = { region = \"eu\" }");
        assertThat(missing).contains("region");

        assertThat(configError(() -> parse(unknown))).contains("rollout: deployment: names deployment.waves, which"
                + " the file does not have; it has [staged]");
        assertThat(configError(() -> parse(missing))).contains("sets region, which deployment \"staged\" does not"
                + " declare").contains("does not set name, which deployment \"staged\" declares without a default");
    }

    @Test
    void anEnvWithoutRolloutHasNoDeployment() {
        assertThat(parse(CANARY.replaceAll("(?s)  rollout \\{.*?\\n  }\\n", "")).requireEnv("prod").deployment())
                .isNull();
    }

    private static List<String> names(Planned p) {
        return p.targets().stream().map(Target::name).toList();
    }
}
