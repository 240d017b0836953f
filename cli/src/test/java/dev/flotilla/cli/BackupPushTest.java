package dev.flotilla.cli;

import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migrate push} with the env's backup repositories, and {@code atlas://} reads falling back to
 * them, as Atlas' "Connect Migration Directories" describes: a push goes to the registry and every
 * backup, and succeeds with a warning when the registry is down but a backup took it.
 */
class BackupPushTest {
    private static final String PUSHED = "{\"directory\":\"app\",\"tag\":\"v1\",\"versionId\":\"ab\","
            + "\"latestVersion\":\"1\",\"files\":1,\"created\":true,\"url\":\"/dirs/app?tag=v1\"}";

    @TempDir
    Path tmp;

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();

    private Path hcl;
    private String dirUrl;
    private String versionId;
    private String down;

    @BeforeEach
    void setUp() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("migrations"));
        Files.writeString(dir.resolve("1_init.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        MigrationDirectory.open(dir).writeSum(dir);
        dirUrl = "file://" + dir;
        byte[] archive = MigrationDirectory.fromArchive(MigrationDirectory.open(dir).toArchive()).toArchive();
        versionId = Hashes.sha256Hex(archive);
        down = "http://127.0.0.1:" + TestPorts.free();
        project("\"file://" + tmp.resolve("b1") + "\", \"file://" + tmp.resolve("b2") + "\"");
    }

    private void project(String backups) throws IOException {
        hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  url = \"sqlite://" + tmp.resolve("t1.db") + "\"\n  migration {\n"
                + "    dir = \"atlas://app\"\n    repo {\n      name = \"app\"\n      backup = [" + backups + "]\n"
                + "    }\n  }\n}\n");
    }

    private CliRun push(String registry) {
        return CliRun.of("migrate", "push", "--env", "prod", "--config", hcl.toString(), "--dir", dirUrl, "app:v1",
                "--registry", registry);
    }

    private Path stored(String backup, String key) {
        return tmp.resolve(backup).resolve("app").resolve(key);
    }

    @Test
    void aPushGoesToTheRegistryAndToEveryBackup() throws IOException {
        server.json("POST", "/api/v1/dirs/app/push", 201, PUSHED);

        CliRun r = push(server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(server.url() + "/dirs/app?tag=v1\n");
        assertThat(r.err()).isEmpty();
        for (String b : new String[] {"b1", "b2"}) {
            assertThat(Files.readAllBytes(stored(b, "versions/" + versionId + ".tar")))
                    .isEqualTo(server.requests().get(0).body());
            assertThat(Files.readString(stored(b, "tags/v1"))).isEqualTo(versionId + "\n");
            assertThat(Files.readString(stored(b, "tags/latest"))).isEqualTo(versionId + "\n");
        }
    }

    @Test
    void withTheRegistryDownAndOneBackupUpThePushWarnsAndSucceeds() throws IOException {
        Files.writeString(tmp.resolve("b1"), "a file where the backup directory should be");

        CliRun r = push(down);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Pushed app:v1@" + versionId.substring(0, 12) + " to backup file://"
                + tmp.resolve("b2") + "\n");
        assertThat(r.err()).startsWith("Warning: backup file://" + tmp.resolve("b1") + ": cannot write ")
                .contains("Warning: the Flotilla registry did not take the push: cannot reach Flotilla at " + down
                        + ": is 'flotilla dev' running? set --registry or FLOTILLA_URL; app:v1@"
                        + versionId.substring(0, 12) + " is in 1 of 2 backup repositories. Push again once the"
                        + " registry is back: deployments start from the registry\n");
        assertThat(stored("b2", "tags/v1")).hasContent(versionId);
    }

    @Test
    void aRegistryAnswering5xxIsUnreachableToo() {
        server.json("POST", "/api/v1/dirs/app/push", 503, "{\"error\":\"the registry's store is unavailable\","
                + "\"code\":\"CONNECTION_FAILED\"}");

        CliRun r = push(server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("the Flotilla registry did not take the push: the registry's store is"
                + " unavailable; app:v1@" + versionId.substring(0, 12) + " is in 2 of 2 backup repositories");
    }

    @Test
    void whenTheRegistryAndEveryBackupFailThePushFailsNamingEachFailure() throws IOException {
        Files.writeString(tmp.resolve("b1"), "not a directory");
        Files.writeString(tmp.resolve("b2"), "not a directory");

        CliRun r = push(down);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: the push of app:v1@" + versionId.substring(0, 12) + " reached neither"
                + " the Flotilla registry nor any backup repository:\n  - registry: cannot reach Flotilla at " + down)
                .contains("\n  - backup file://" + tmp.resolve("b1") + ": cannot write ")
                .contains("\n  - backup file://" + tmp.resolve("b2") + ": cannot write ");
    }

    @Test
    void aPushTheRegistryRefusesIsNotBackedUp() {
        server.json("POST", "/api/v1/dirs/app/push", 403, "{\"error\":\"token ci may push to directories [other],"
                + " not app\",\"code\":\"FORBIDDEN\"}");

        CliRun r = push(server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: token ci may push to directories [other], not app\n");
        assertThat(tmp.resolve("b1")).doesNotExist();
    }

    @Test
    void gsAndAzureBackupsAreRefusedBeforeAnythingIsSent() throws IOException {
        project("\"gs://my-atlas-backups/migrations\", \"file:///tmp/ok\"");

        CliRun r = push(server.url());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Error: backup URL gs://my-atlas-backups/migrations: gs:// is not supported by"
                + " flotilla; it supports file:///path/to/dir and s3://bucket/prefix?region=REGION (S3-compatible"
                + " servers through ?endpoint= or AWS_ENDPOINT_URL): remove it from migration.repo.backup or use one"
                + " of those\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anAtlasDirIsReadFromTheFirstIntactBackupWhenTheRegistryIsDown() throws IOException {
        assertThat(push(down).exitCode()).isZero();
        Path corrupted = stored("b1", "versions/" + versionId + ".tar");
        byte[] bytes = Files.readAllBytes(corrupted);
        bytes[bytes.length / 2] ^= 1;
        Files.write(corrupted, bytes);

        CliRun r = CliRun.of("migrate", "status", "--env", "prod", "--config", hcl.toString(), "--dir",
                "atlas://app?tag=v1", "--registry", down);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Migration Status: PENDING\n");
        assertThat(r.err()).startsWith("Warning: cannot reach Flotilla at " + down + ": is 'flotilla dev' running?"
                + " set --registry or FLOTILLA_URL; read atlas://app?tag=v1 (version " + versionId.substring(0, 12)
                + ") from backup file://" + tmp.resolve("b2") + "\nWarning: backup file://" + tmp.resolve("b1")
                + ": refused app/versions/" + versionId + ".tar: its SHA-256 is ");
    }

    @Test
    void theEnvsOwnAtlasDirFallsBackToo() {
        assertThat(push(down).exitCode()).isZero();

        CliRun r = CliRun.of("migrate", "validate", "--env", "prod", "--config", hcl.toString(), "--registry", down);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Migration directory atlas://app is valid (1 files)\n");
        assertThat(r.err()).contains("read atlas://app (version " + versionId.substring(0, 12) + ") from backup file://"
                + tmp.resolve("b1"));
    }

    @Test
    void withoutAnIntactBackupTheReadFailsNamingTheRegistryAndEachBackup() {
        CliRun r = CliRun.of("migrate", "validate", "--env", "prod", "--config", hcl.toString(), "--registry", down);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: cannot reach Flotilla at " + down).contains("; the backups of env"
                + " \"prod\" of " + hcl + " could not stand in: no backup repository has tag latest of directory app"
                + " intact:\n  - backup file://" + tmp.resolve("b1") + ": has no tag latest of directory app");
    }

    @Test
    void aRegistryThatAnswersIsNotSecondGuessedByTheBackups() {
        server.json("GET", "/api/v1/dirs/app/archive", 404, "{\"error\":\"directory \\\"app\\\" has no tag \\\"v9\\\"\","
                + "\"code\":\"NOT_FOUND\"}");

        CliRun r = CliRun.of("migrate", "validate", "--env", "prod", "--config", hcl.toString(), "--dir",
                "atlas://app?tag=v9", "--registry", server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: directory \"app\" has no tag \"v9\"\n");
    }
}
