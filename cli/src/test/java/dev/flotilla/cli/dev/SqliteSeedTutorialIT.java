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

    @Test
    void pushFailFixAndRedeployAsInAtlasTutorial() throws Exception {
        run(tmp);
    }
}
