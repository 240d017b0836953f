package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static dev.flotilla.coordinator.config.Configs.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code migration { repo { name, backup = [...] } }}, as Atlas' "Connect Migration Directories" writes it. */
class RepoConfigTest {
    private static String prod(String migration) {
        return "env \"prod\" {\n  url = \"sqlite://t.db\"\n  migration {\n" + migration + "  }\n}\n";
    }

    @Test
    void theSeedsRepoBlockGivesTheNameAndTheBackupsInOrder() {
        EnvConfig prod = parse(prod("    dir = \"atlas://app\"\n    repo {\n      name = \"app\"\n      backup = [\n"
                + "        \"s3://my-bucket/atlas-backup?region=us-east-1\",\n"
                + "        \"file:///var/lib/atlas/backup\",\n      ]\n    }\n")).requireEnv("prod");

        assertThat(prod.repo().name()).isEqualTo("app");
        assertThat(prod.backups()).containsExactly("s3://my-bucket/atlas-backup?region=us-east-1",
                "file:///var/lib/atlas/backup");
        assertThat(prod.toString()).contains("backups=[s3://my-bucket/atlas-backup?region=us-east-1, file://");
    }

    @Test
    void aRepoWithoutADirAndBackupsFromVariablesAndLocals() {
        EnvConfig prod = parse("variable \"bucket\" {\n  type = string\n  default = \"b1\"\n}\n"
                + "locals {\n  dir = \"/srv/backup\"\n}\n"
                + prod("    repo {\n      name = \"app\"\n      backup = [\"s3://${var.bucket}/m\", \"file://${local.dir}\"]\n"
                + "    }\n"), Map.of("bucket", "b2")).requireEnv("prod");

        assertThat(prod.migrationDir()).isEqualTo("file://migrations");
        assertThat(prod.backups()).containsExactly("s3://b2/m", "file:///srv/backup");
    }

    @Test
    void anEnvWithoutRepoHasNoNameAndNoBackups() {
        EnvConfig prod = parse(prod("    dir = \"atlas://app\"\n")).requireEnv("prod");

        assertThat(prod.repo()).isEqualTo(RepoConfig.NONE);
        assertThat(prod.backups()).isEmpty();
    }

    @Test
    void aBackupThatIsNotABucketUrlIsRefusedWithBlockLineAndExample() {
        String error = configError(() -> parse(prod("    repo {\n      name = \"app\"\n"
                + "      backup = [\"/var/lib/atlas/backup\"]\n    }\n")));

        assertThat(error).isEqualTo("atlas.hcl:6: env \"prod\": migration.repo.backup: \"/var/lib/atlas/backup\" is not"
                + " a backup URL: write a bucket URL such as s3://bucket/prefix?region=us-east-1, gs://bucket/prefix,"
                + " azureblob://container/prefix or a directory such as file:///var/lib/atlas/backup");
    }

    @Test
    void backupMustBeAListOfStringsKnownWhenTheFileLoads() {
        assertThat(configError(() -> parse(prod("    repo {\n      backup = \"s3://b/p\"\n    }\n"))))
                .contains("atlas.hcl:5: env \"prod\": migration.repo.backup: must be a list of URLs, but \"s3://b/p\""
                        + " is a string \"s3://b/p\"; write backup = [");
        assertThat(configError(() -> parse(prod("    repo {\n      backup = [1]\n    }\n"))))
                .contains("every element must be a URL string, but one is a number 1");
        assertThat(configError(() -> parse("data \"sql\" \"b\" {\n  url = \"sqlite://x.db\"\n  query = \"SELECT 1\"\n}\n"
                + prod("    repo {\n      backup = data.sql.b.values\n    }\n"))))
                .contains("migration.repo.backup: data.sql.b.values depends on a data source, but the backup URLs"
                        + " must be known when the file is loaded");
    }

    @Test
    void aRepoNameOtherThanTheAtlasDirAndARepeatedBackupAreRefused() {
        String error = configError(() -> parse(prod("    dir = \"atlas://app\"\n    repo {\n      name = \"other\"\n"
                + "      backup = [\"file:///b\", \"file:///b\"]\n    }\n")));

        assertThat(error).contains("atlas.hcl has 2 problems:")
                .contains("atlas.hcl:6: env \"prod\": migration.repo.name: is \"other\" but migration.dir reads"
                        + " atlas://app; both name the env's registry directory: make them the same")
                .contains("atlas.hcl:7: env \"prod\": migration.repo.backup: \"file:///b\" is listed twice; keep one");
    }

    @Test
    void aBadRepoNameAndTwoRepoBlocksAreRefused() {
        assertThat(configError(() -> parse(prod("    repo {\n      name = \"my app\"\n    }\n"))))
                .contains("migration.repo.name: is \"my app\"; a registry directory name is letters, digits, '-'"
                        + " and '_', e.g. name = \"app\"");
        assertThat(configError(() -> parse(prod("    repo {\n      name = \"a\"\n    }\n    repo {\n    }\n"))))
                .contains("atlas.hcl:7: env \"prod\": migration: has 2 repo blocks; keep one");
    }
}
