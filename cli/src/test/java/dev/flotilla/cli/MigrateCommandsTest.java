package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The local migrate commands end to end, on real SQLite files, as a user types them. */
class MigrateCommandsTest {
    @TempDir
    Path tmp;

    private String dirUrl;
    private String dbUrl;

    @BeforeEach
    void setUp() {
        dirUrl = "file://" + tmp.resolve("migrations");
        dbUrl = "sqlite://" + tmp.resolve("tenant_1.db");
    }

    private Path write(String name, String content) throws IOException {
        Path f = tmp.resolve("migrations").resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    private void hash() {
        assertThat(CliRun.of("migrate", "hash", "--dir", dirUrl).exitCode()).isZero();
    }

    @Test
    void newCreatesATimestampedFileAndUpdatesTheSum() throws IOException {
        CliRun r = CliRun.of("migrate", "new", "init", "--dir", dirUrl);

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> names;
        try (Stream<Path> s = Files.list(tmp.resolve("migrations"))) {
            names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertThat(names).hasSize(2).contains("atlas.sum");
        assertThat(names.get(0)).matches("\\d{14}_init\\.sql");
        assertThat(Files.readString(tmp.resolve("migrations/atlas.sum"))).contains(names.get(0) + " h1:");
        assertThat(CliRun.of("migrate", "validate", "--dir", dirUrl).exitCode()).isZero();
    }

    @Test
    void applyPrintsAtlasShapedOutputAndTheSecondRunHasNothingToDo() throws IOException {
        write("20240721101205_init.sql", "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL\n);\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Migrating to version 20240721101205 (1 migrations in total):\n\n"
                + "  -- migrating version 20240721101205\n"
                + "    -> CREATE TABLE users (\n         id INTEGER PRIMARY KEY,\n         name TEXT NOT NULL\n       );\n"
                + "  -- ok (");
        assertThat(r.out()).containsPattern("\n  -------------------------\n  -- [0-9.]+(µs|ms|s)\n  -- 1 migration\n"
                + "  -- 1 sql statement\n$");

        CliRun again = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl);
        assertThat(again.out()).isEqualTo("No migration files to execute\n");
    }

    @Test
    void failedStatementPrintsAtlasErrorLineAndExitsNonZero() throws IOException {
        write("20240721101205_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n");
        write("20240721111345_seed_users.sql", "INSERT INTO users (id, name) VALUES (1, \"a8m\");\n"
                + "INSERT INTO users (id, name) VALUES (1, \"rotemtam\");\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: sql/migrate: executing statement \"INSERT INTO users (id, name)"
                + " VALUES (1, \\\"rotemtam\\\");\" from version \"20240721111345\": UNIQUE constraint failed: users.id\n");
        assertThat(r.out()).contains("  -- 1 migration ok, 1 with errors\n  -- 2 sql statements ok, 1 with errors\n");

        CliRun status = CliRun.of("migrate", "status", "--url", dbUrl, "--dir", dirUrl);
        assertThat(status.out()).isEqualTo("Migration Status: PENDING\n"
                + "  -- Current Version: 20240721111345 (0 statements applied)\n"
                + "  -- Next Version:    20240721111345\n"
                + "  -- Executed Files:  2 (last one partially)\n"
                + "  -- Pending Files:   1\n\n"
                + "Last migration attempt had errors:\n"
                + "  -- SQL:   INSERT INTO users (id, name) VALUES (1, \"rotemtam\");\n"
                + "  -- ERROR: UNIQUE constraint failed: users.id\n");
    }

    @Test
    void statusShowsAtlasLinesBeforeAndAfterApply() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        write("2_more.sql", "CREATE TABLE u (id int);\n");
        hash();

        assertThat(CliRun.of("migrate", "status", "--url", dbUrl, "--dir", dirUrl).out())
                .isEqualTo("Migration Status: PENDING\n  -- Current Version: No migration applied yet\n"
                        + "  -- Next Version:    1\n  -- Executed Files:  0\n  -- Pending Files:   2\n");
        CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl);
        assertThat(CliRun.of("migrate", "status", "--url", dbUrl, "--dir", dirUrl).out())
                .isEqualTo("Migration Status: OK\n  -- Current Version: 2\n  -- Next Version:    Already at latest version\n"
                        + "  -- Executed Files:  2\n  -- Pending Files:   0\n");
    }

    @Test
    void jsonFormatHasAtlasFieldNames() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl, "--format", "{{ json . }}");

        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("Driver").asText()).isEqualTo("sqlite");
        assertThat(json.get("Target").asText()).isEqualTo("1");
        assertThat(json.get("Pending").get(0).get("Name").asText()).isEqualTo("1_init.sql");
        assertThat(json.get("Applied").get(0).get("Applied").get(0).asText()).isEqualTo("CREATE TABLE t (id int);");
        JsonNode status = new ObjectMapper().readTree(
                CliRun.of("migrate", "status", "--url", dbUrl, "--dir", dirUrl, "--format", "json").out());
        assertThat(status.get("Status").asText()).isEqualTo("OK");
        assertThat(status.get("Current").asText()).isEqualTo("1");
    }

    @Test
    void dryRunPrintsStatementsAndLeavesTheDatabaseEmpty() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl, "--dry-run");

        assertThat(r.out()).contains("    -> CREATE TABLE t (id int);");
        assertThat(CliRun.of("migrate", "status", "--url", dbUrl, "--dir", dirUrl).out()).contains("Pending Files:   1");
    }

    @Test
    void staleSumIsRefusedNamingTheEditedFile() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        write("2_more.sql", "CREATE TABLE u (id int);\n");
        hash();
        write("1_init.sql", "CREATE TABLE t (id bigint);\n");

        CliRun r = CliRun.of("migrate", "apply", "--url", dbUrl, "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("\"1_init.sql\"").contains("edited").contains("flotilla migrate hash");
        assertThat(Files.exists(tmp.resolve("tenant_1.db"))).isFalse();
    }

    @Test
    void validateWithDevUrlNamesTheFileAndLineOfTheFirstInvalidStatement() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        write("2_broken.sql", "-- add a column\nALTER TABLE t ADD COLUMN name text;\n\nALTER TABLE nope ADD COLUMN x int;\n");
        hash();

        CliRun r = CliRun.of("migrate", "validate", "--dir", dirUrl, "--dev-url", "sqlite://?mode=memory");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: sql/migrate: executing statement \"ALTER TABLE nope ADD COLUMN x int;\""
                + " from version \"2\" (file 2_broken.sql, line 4): no such table: nope\n");
    }

    @Test
    void unknownSchemeIsAUsageError() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", "oracle://u:pw@h/db", "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown scheme \"oracle\"").doesNotContain(":pw@");
    }

    @Test
    void unreachableDatabaseErrorNeverPrintsThePassword() throws IOException {
        write("1_init.sql", "CREATE TABLE t (id int);\n");
        hash();

        CliRun r = CliRun.of("migrate", "apply", "--url", "postgres://admin:Sup3rS3cret@127.0.0.1:1/app", "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("postgres://admin:xxxxx@127.0.0.1:1/app").doesNotContain("Sup3rS3cret");
        assertThat(r.out()).doesNotContain("Sup3rS3cret");
    }

    @Test
    void statusWithoutUrlIsAUsageErrorThatShowsAnExample() {
        CliRun r = CliRun.of("migrate", "status", "--dir", dirUrl);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Error: missing --url: name the target database, e.g. --url sqlite://");
    }
}
