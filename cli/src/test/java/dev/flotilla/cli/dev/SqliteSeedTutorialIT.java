package dev.flotilla.cli.dev;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** The seed tutorial on five SQLite tenant files. */
class SqliteSeedTutorialIT extends SeedTutorialFlow {
    @TempDir
    Path tmp;

    @Override
    String urlExpression() {
        return "\"sqlite://" + tmp + "/${each.value}.db\"";
    }

    @Override
    void collide(String tenant) throws Exception {
        exec(tenant, "INSERT INTO users (id, name) VALUES (1, 'tenant data')");
    }

    @Override
    void fix(String tenant) throws Exception {
        exec(tenant, "DELETE FROM users WHERE id = 1");
    }

    @Override
    String duplicateKeyMessage() {
        return "UNIQUE constraint failed: users.id";
    }

    private void exec(String tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(tenant + ".db"));
             Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /**
     * The CLI's canned answers agree with the real API's; then verify catches a target whose
     * revisions changed behind Flotilla's back.
     */
    @Override
    void afterTutorial(FleetHarness fleet, Path hcl, Path dir, String failedSetId) throws Exception {
        ApiContract.check(fleet, dir, failedSetId);
        exec("tenant_2", "DELETE FROM atlas_schema_revisions WHERE version = '20240721111345'");
        java.io.StringWriter out = new java.io.StringWriter();
        int code = dev.flotilla.cli.Main.run(new String[] {"verify", "--env", "prod", "--config", hcl.toString(),
            "--url", fleet.url(), "--token", fleet.token()}, new java.io.PrintWriter(out),
            new java.io.PrintWriter(out));
        org.assertj.core.api.Assertions.assertThat(code).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(out.toString())
                .containsPattern("tenant_2 +VERSION +20240721111345 +20240721101205")
                .contains("5 targets of env prod checked: 2 mismatches");
        pushWithBackupAndReadItBack(fleet, dir);
    }

    /**
     * {@code migrate push --env} against the real registry also writes the env's file:// backup, under
     * the registry's own version id; with the registry gone, {@code atlas://} is read from that backup.
     */
    private void pushWithBackupAndReadItBack(FleetHarness fleet, Path dir) throws Exception {
        Path hcl = tmp.resolve("backup.hcl");
        java.nio.file.Files.writeString(hcl, "env \"prod\" {\n  url = \"sqlite://" + tmp + "/tenant_1.db\"\n"
                + "  migration {\n    dir = \"atlas://db-per-tenant\"\n    repo {\n      name = \"db-per-tenant\"\n"
                + "      backup = [\"file://" + tmp.resolve("backup") + "\"]\n    }\n  }\n}\n");
        String id = dev.flotilla.backup.PushedVersion.of("db-per-tenant", "v2",
                dev.flotilla.migrate.dir.MigrationDirectory.open(dir)).versionId();
        java.io.StringWriter out = new java.io.StringWriter();
        int code = dev.flotilla.cli.Main.run(new String[] {"migrate", "push", "--env", "prod", "--config",
            hcl.toString(), "--dir", "file://" + dir, "--registry", fleet.url(), "--token", fleet.token(),
            "db-per-tenant:v2"}, new java.io.PrintWriter(out), new java.io.PrintWriter(out));
        org.assertj.core.api.Assertions.assertThat(code).as(out.toString()).isZero();
        org.assertj.core.api.Assertions.assertThat(out.toString()).as("the registry names the version as the backup"
                + " does").startsWith("Directory db-per-tenant:v2 is already at version " + id.substring(0, 12));
        org.assertj.core.api.Assertions.assertThat(tmp.resolve("backup/db-per-tenant/versions/" + id + ".tar"))
                .exists();
        java.io.StringWriter read = new java.io.StringWriter();
        code = dev.flotilla.cli.Main.run(new String[] {"migrate", "validate", "--env", "prod", "--config",
            hcl.toString(), "--dir", "atlas://db-per-tenant?tag=v2", "--registry", "http://127.0.0.1:"
            + dev.flotilla.testkit.TestPorts.free()}, new java.io.PrintWriter(read), new java.io.PrintWriter(read));
        org.assertj.core.api.Assertions.assertThat(code).as(read.toString()).isZero();
        org.assertj.core.api.Assertions.assertThat(read.toString()).contains("read atlas://db-per-tenant?tag=v2"
                + " (version " + id.substring(0, 12) + ") from backup file://" + tmp.resolve("backup"))
                .contains("Migration directory atlas://db-per-tenant?tag=v2 is valid (2 files)");
    }

    @Test
    void pushFailFixAndRedeployAsInAtlasTutorial() throws Exception {
        run(tmp);
    }
}
