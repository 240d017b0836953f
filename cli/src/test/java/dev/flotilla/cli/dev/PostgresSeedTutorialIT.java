package dev.flotilla.cli.dev;

import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The seed tutorial on PostgreSQL, schema per tenant ({@code search_path}) in one database. */
class PostgresSeedTutorialIT extends SeedTutorialFlow {
    @TempDir
    Path tmp;

    private ScratchDatabase db;

    @BeforeEach
    void setUp() {
        db = TestDatabases.postgresDatabase("tenants");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** The server trusts loopback, so any password works; it must still never be shown. */
    @Override
    String secret() {
        return "Tr0ub4dor-3";
    }

    @Override
    String urlExpression() {
        String withPassword = db.url().replace("postgres://postgres@", "postgres://postgres:" + secret() + "@");
        return "urlqueryset(\"" + withPassword + "\", \"search_path\", each.value)";
    }

    @Override
    void collide(String tenant) throws Exception {
        db.exec("INSERT INTO " + tenant + ".users (id, name) VALUES (1, 'tenant data')");
    }

    @Override
    void fix(String tenant) throws Exception {
        db.exec("DELETE FROM " + tenant + ".users WHERE id = 1");
    }

    @Override
    String duplicateKeyMessage() {
        return "pq: duplicate key value violates unique constraint \"users_pkey\"";
    }

    @Test
    void pushFailFixAndRedeployAsInAtlasTutorial() throws Exception {
        run(tmp);
    }
}
