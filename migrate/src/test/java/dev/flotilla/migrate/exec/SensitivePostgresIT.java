package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A statement of an {@code -- atlas:sensitive} file fails on the real PostgreSQL, whose message
 * echoes the literal: the value shows nowhere (result, error line, revisions row), the rest of
 * the explanation does.
 */
class SensitivePostgresIT {
    private static final String APPLIED = "pg-Zebra-7731";
    private static final String FAILING = "pg-Okapi-4410";

    @TempDir
    Path tmp;

    private ScratchDatabase db;

    @BeforeEach
    void setUp() {
        db = TestDatabases.postgresDatabase("sensitive");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aFailingSensitiveStatementShowsItsExplanationButNotItsValues() throws SQLException {
        PreparedDirectory d = TestDirs.prepare(TestDirs.write(tmp.resolve("m"),
                "1_init.sql", "CREATE TABLE secrets (id int PRIMARY KEY, n int, v text);\n",
                "2_secret.sql", "-- atlas:sensitive\n\nINSERT INTO secrets (id, n, v) VALUES (1, 1, E'" + APPLIED
                        + "');\nINSERT INTO secrets (id, n) VALUES (2, $$" + FAILING + "$$);\n"), Dialect.POSTGRES);

        ApplyResult r = new MigrationExecutor().apply(DatabaseUrl.parse(db.url()), d, ApplyOptions.defaults(),
                ApplyListener.NONE);

        assertThat(r.status()).isEqualTo("FAILED");
        FileResult.StatementError error = r.applied().get(1).error();
        assertThat(error.text()).isEqualTo("pq: invalid input syntax for type integer: \"(sensitive)\"");
        assertThat(error.stmt()).isEqualTo("INSERT INTO secrets (id, n) VALUES (2, '(sensitive)');");
        assertThat(r.error()).isEqualTo("sql/migrate: executing statement \"INSERT INTO secrets (id, n) VALUES (2,"
                + " '(sensitive)');\" from version \"2\": pq: invalid input syntax for type integer: \"(sensitive)\"");
        Revision row = revisions().get(2);
        assertThat(row.error()).isEqualTo(error.text());
        assertThat(row.errorStmt()).isEqualTo(error.stmt());
        assertThat(r.toString() + revisions()).doesNotContain(APPLIED).doesNotContain(FAILING);
    }

    @Test
    void aFailingSensitiveStatementOnTheDevDatabaseShowsNeitherInTheMessageNorInItsCauses() {
        PreparedDirectory d = TestDirs.prepare(TestDirs.write(tmp.resolve("dev"),
                "1_secret.sql", "-- atlas:sensitive\n\nCREATE TABLE secrets (n int);\n"
                        + "INSERT INTO secrets VALUES ('" + FAILING + "');\n"), Dialect.POSTGRES);

        FlotillaException e = catchThrowableOfType(FlotillaException.class,
                () -> DevReplay.replay(DatabaseUrl.parse(db.url()), d));

        assertThat(e.getMessage()).isEqualTo("sql/migrate: executing statement \"INSERT INTO secrets VALUES"
                + " ('(sensitive)');\" from version \"1\" (file 1_secret.sql, line 4): pq: invalid input syntax for"
                + " type integer: \"(sensitive)\"");
        assertThat(FailureClassifier.chain(e)).allSatisfy(t -> assertThat(String.valueOf(t.getMessage()))
                .doesNotContain(FAILING));
        assertThat(FailureClassifier.classify(e).reason()).as("still classified by its SQLState")
                .isEqualTo("unrecognised SQL error (SQLState 22P02)");
    }

    private List<Revision> revisions() throws SQLException {
        try (Connection c = db.connect()) {
            return new PostgresDialect().readAll(c, "atlas_schema_revisions");
        }
    }
}
