package dev.flotilla.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --env} on every command that takes {@code --dir}, {@code --url} or {@code --dev-url}: the
 * project file's env supplies {@code migration.dir}, {@code url} (one per for_each target) and
 * {@code dev}; explicit flags win.
 */
class EnvCommandsTest {
    private static final String PUSHED = "{\"directory\":\"db-per-tenant\",\"tag\":\"latest\",\"versionId\":\"ab\","
            + "\"latestVersion\":\"1\",\"files\":1,\"created\":true,\"url\":\"/dirs/db-per-tenant?tag=latest\"}";

    @TempDir
    Path tmp;

    @RegisterExtension
    final FakeFlotilla server = new FakeFlotilla();

    private Path hcl;
    private String dirUrl;

    @BeforeEach
    void setUp() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("migrations"));
        Files.writeString(dir.resolve("20240721101205_init.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        dirUrl = "file://" + dir;
        assertThat(CliRun.of("migrate", "hash", "--dir", dirUrl).exitCode()).isZero();
        hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [\"tenant_1\", \"tenant_2\"]\n}\n\n"
                + "env \"prod\" {\n  for_each = toset(local.tenant)\n  url = \"sqlite://" + tmp + "/${each.value}.db\"\n"
                + "  migration {\n    dir = \"atlas://db-per-tenant\"\n  }\n}\n\n"
                + "env \"local\" {\n  dev = \"sqlite://?mode=memory\"\n  migration {\n    dir = \"" + dirUrl + "\"\n"
                + "    tx_mode = \"all\"\n  }\n}\n");
    }

    private CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = hcl.toString();
        return CliRun.of(all);
    }

    @Test
    void pushTakesTheEnvsLocalDirectoryAndReplaysOnItsDevDatabase() throws IOException {
        Files.writeString(tmp.resolve("migrations/20240721111345_broken.sql"), "INSERT INTO nope VALUES (1);\n");
        assertThat(CliRun.of("migrate", "hash", "--dir", dirUrl).exitCode()).isZero();

        CliRun r = run("migrate", "push", "--env", "local", "db-per-tenant", "--registry", server.url());

        assertThat(r.exitCode()).as("the env's dev database replays the broken file").isEqualTo(1);
        assertThat(r.err()).contains("20240721111345_broken.sql").contains("no such table: nope");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void pushWithAnEnvThatDeploysFromTheRegistryPushesTheLocalDefaultDirectory() {
        CliRun r = run("migrate", "push", "--env", "prod", "db-per-tenant", "--registry", server.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("migration directory " + Path.of("migrations").toAbsolutePath()
                + " (from the default --dir file://migrations (env \"prod\" of " + hcl + " deploys from"
                + " atlas://db-per-tenant, the registry directory pushed to)) does not exist");
    }

    @Test
    void pushTakesItsNameFromTheEnvsAtlasDirectoryAndAnExplicitDirWins() {
        server.json("POST", "/api/v1/dirs/db-per-tenant/push", 201, PUSHED);

        CliRun r = run("migrate", "push", "--env", "prod", "--dir", dirUrl, "--registry", server.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(server.url() + "/dirs/db-per-tenant?tag=latest\n");
        assertThat(server.requests().get(0).query()).isNull();
    }

    @Test
    void pushWithoutANameAndAnEnvThatNamesNoDirectorySaysHowToNameIt() {
        CliRun r = run("migrate", "push", "--env", "local", "--registry", server.url());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Error: missing NAME: say which registry directory to push to, e.g. 'flotilla"
                + " migrate push app' or app:v1; env \"local\" of " + hcl + " names none: add migration { repo {"
                + " name = \"app\" } } to it\n");
    }

    @Test
    void validateTakesTheEnvsDirectoryAndDevDatabase() {
        CliRun r = run("migrate", "validate", "--env", "local");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Migration directory " + dirUrl + " is valid (1 files, replayed on"
                + " sqlite://?mode=memory)\n");
    }

    @Test
    void statusRunsOnEveryTargetOfAForEachEnvAndPrintsEachOne() {
        CliRun r = run("migrate", "status", "--env", "prod", "--dir", dirUrl);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(block("tenant_1") + block("tenant_2"));
        CliRun json = run("migrate", "status", "--env", "prod", "--dir", dirUrl, "--format", "json");
        assertThat(json.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{").contains("\"Status\":"
                + "\"PENDING\""));
    }

    private String block(String tenant) {
        return tenant + " (sqlite://" + tmp + "/" + tenant + ".db):\nMigration Status: PENDING\n"
                + "  -- Current Version: No migration applied yet\n  -- Next Version:    20240721101205\n"
                + "  -- Executed Files:  0\n  -- Pending Files:   1\n";
    }

    @Test
    void applyWithUrlAndEnvAppliesToThatDatabaseWithTheEnvsDirectory() {
        String db = "sqlite://" + tmp.resolve("one.db");

        CliRun r = run("migrate", "apply", "--env", "local", "--url", db);
        CliRun status = run("migrate", "status", "--env", "local", "--url", db);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Migrating to version 20240721101205 (1 migrations in total):");
        assertThat(status.out()).startsWith("Migration Status: OK\n");
    }

    @Test
    void anEnvWithoutUrlNamesTheMissingAttributeAndTheFix() {
        CliRun r = run("migrate", "status", "--env", "local");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Error: " + hcl + ":13: env \"local\": has no url, so there is nothing to"
                + " deploy to; add url = \"postgres://user@host:5432/db\" (or for_each and url) to the env block; or"
                + " pass --url\n");
    }

    @Test
    void newAndHashRefuseAnEnvThatReadsFromTheRegistry() {
        CliRun r = run("migrate", "hash", "--env", "prod");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Error: migration.dir atlas://db-per-tenant of env \"prod\" of " + hcl
                + " names a directory in the Flotilla registry, which this command cannot change; it works on a"
                + " local directory only: pass --dir file://path/to/migrations\n");
    }

    @Test
    void fleetApplyRefusesADirBecauseTheServerDeploysTheEnvsDirectory() {
        CliRun r = run("migrate", "apply", "--env", "prod", "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Error: --dir applies to one database (--url); with --env prod alone the"
                + " Flotilla server deploys the env's migration.dir");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anUnknownEnvAndAMissingProjectFileAreNamed() {
        assertThat(run("migrate", "validate", "--env", "staging").err()).contains("there is no env \"staging\"")
                .contains("\"prod\", \"local\"");
        CliRun missing = CliRun.of("migrate", "validate", "--env", "prod", "--config", tmp.resolve("nope.hcl").toString());
        assertThat(missing.err()).isEqualTo("Error: --env prod is read from the project file " + tmp.resolve("nope.hcl")
                + ", which does not exist; pass --config path/to/atlas.hcl or run the command in the directory that"
                + " holds atlas.hcl\n");
    }
}
