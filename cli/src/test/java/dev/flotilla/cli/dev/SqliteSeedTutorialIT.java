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
    }

    @Test
    void pushFailFixAndRedeployAsInAtlasTutorial() throws Exception {
        run(tmp);
    }
}
