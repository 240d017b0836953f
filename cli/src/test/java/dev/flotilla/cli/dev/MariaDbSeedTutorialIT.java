package dev.flotilla.cli.dev;

import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The seed tutorial on MariaDB, a database per tenant. */
class MariaDbSeedTutorialIT extends SeedTutorialFlow {
    @TempDir
    Path tmp;

    private final List<ScratchDatabase> tenants = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void setUp() {
        TestDatabases.assumeMariaDb();
        prefix = TestDatabases.uniqueName("t");
        for (int i = 1; i <= 5; i++) {
            tenants.add(TestDatabases.mariaDbDatabaseNamed(prefix + "_tenant_" + i));
        }
    }

    @AfterEach
    void tearDown() {
        tenants.forEach(ScratchDatabase::close);
    }

    @Override
    String urlExpression() {
        return "\"mariadb://root@127.0.0.1:3306/" + prefix + "_${each.value}\"";
    }

    private ScratchDatabase tenant(String name) {
        return tenants.get(Integer.parseInt(name.substring(name.length() - 1)) - 1);
    }

    @Override
    void collide(String tenant) throws Exception {
        tenant(tenant).exec("INSERT INTO users (id, name) VALUES (1, 'tenant data')");
    }

    @Override
    void fix(String tenant) throws Exception {
        tenant(tenant).exec("DELETE FROM users WHERE id = 1");
    }

    @Override
    String duplicateKeyMessage() {
        return "Error 1062 (23000): Duplicate entry '1' for key 'PRIMARY'";
    }

    @Test
    void pushFailFixAndRedeployAsInAtlasTutorial() throws Exception {
        run(tmp);
    }
}
