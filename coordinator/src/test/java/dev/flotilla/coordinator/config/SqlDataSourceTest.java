package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.sql.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static dev.flotilla.coordinator.config.Configs.configError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** data "sql" without a server: placeholder rewriting, and queries against a SQLite registry file. */
class SqlDataSourceTest {
    @TempDir
    Path tmp;

    @Test
    void postgresPlaceholdersBecomeJdbcPlaceholdersInTheirOrder() {
        SqlDataSource.Prepared p = SqlDataSource.prepare("SELECT name FROM t WHERE plan = $2 AND region = $1"
                + " AND note <> '$3' AND \"$4\" IS NOT NULL AND body <> $tag$ $5 $tag$ -- $6\n AND x = $1", Dialect.POSTGRES, 2);

        assertThat(p.sql()).isEqualTo("SELECT name FROM t WHERE plan = ? AND region = ? AND note <> '$3'"
                + " AND \"$4\" IS NOT NULL AND body <> $tag$ $5 $tag$ -- $6\n AND x = ?");
        assertThat(p.argOrder()).containsExactly(1, 0, 0);
    }

    @Test
    void otherDialectsKeepTheirQuestionMarks() {
        SqlDataSource.Prepared p = SqlDataSource.prepare("SELECT name FROM t WHERE plan = ?", Dialect.SQLITE, 1);

        assertThat(p.sql()).isEqualTo("SELECT name FROM t WHERE plan = ?");
        assertThat(p.argOrder()).containsExactly(0);
    }

    @Test
    void placeholderWithoutArgIsRefused() {
        assertThatThrownBy(() -> SqlDataSource.prepare("SELECT $1, $3", Dialect.POSTGRES, 2))
                .hasMessage("the query uses $3 but args has 2 values; add the missing args = [...] or fix the placeholder");
    }

    private Path registry(String... names) throws SQLException {
        Path db = tmp.resolve("registry.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS tenants (name text, plan text)");
            for (String n : names) {
                s.execute("INSERT INTO tenants VALUES (" + (n == null ? "NULL" : "'" + n + "'") + ", 'gold')");
            }
        }
        return db;
    }

    private ProjectConfig config(Path registry) throws Exception {
        Path hcl = Files.writeString(tmp.resolve("atlas.hcl"), "data \"sql\" \"tenants\" {\n"
                + "  url   = \"sqlite://" + registry + "\"\n"
                + "  query = \"SELECT name FROM tenants WHERE plan = ? ORDER BY name\"\n  args  = [\"gold\"]\n}\n"
                + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n  url = \"sqlite://${each.value}.db\"\n}\n"
                + "env \"first\" {\n  url = \"sqlite://${data.sql.tenants.value}.db\"\n}\n");
        return ProjectConfig.load(hcl, Map.of());
    }

    @Test
    void dataSqlIsQueriedAtEachResolveNotAtLoad() throws Exception {
        Path db = registry("acme");
        ProjectConfig config = config(db);
        registry("globex");

        TargetSource prod = config.requireEnv("prod").targets();
        assertThat(prod.resolve()).extracting(Target::name).containsExactly("acme", "globex");
        assertThat(config.requireEnv("first").targets().resolve()).containsExactly(new Target("first", "sqlite://acme.db"));

        registry("initech");
        assertThat(prod.resolve()).extracting(Target::name).containsExactly("acme", "globex", "initech");
    }

    @Test
    void nullAndInvalidTenantNamesFromTheQueryAreRefusedWhenResolving() throws Exception {
        ProjectConfig config = config(registry("acme", "bad name"));

        assertThat(configError(() -> config.requireEnv("prod").targets().resolve()))
                .contains("env \"prod\": for_each: tenant name \"bad name\" (element 2) contains \" \"");

        registry((String) null);
        assertThat(configError(() -> config.requireEnv("prod").targets().resolve()))
                .contains("data \"sql\" \"tenants\": row 1 of the query result is NULL in the first column");
    }

    @Test
    void failingQueryNamesTheDataSourceAndTheDatabase() throws Exception {
        Path hcl = Files.writeString(tmp.resolve("atlas.hcl"), "data \"sql\" \"tenants\" {\n"
                + "  url = \"sqlite://" + tmp.resolve("empty.db") + "\"\n  query = \"SELECT name FROM missing\"\n}\n"
                + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n  url = \"sqlite://${each.value}.db\"\n}\n");
        List<EnvConfig> envs = ProjectConfig.load(hcl, Map.of()).envs();

        assertThat(configError(() -> envs.get(0).targets().resolve())).startsWith(hcl + ":1: data \"sql\" \"tenants\":"
                + " the query failed on sqlite://" + tmp.resolve("empty.db") + ": ")
                .contains("no such table: missing").endsWith("; check the query, its args and that the table exists");
    }
}
