package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement of an {@code -- atlas:sensitive} file fails on the real MariaDB, whose message
 * echoes the literal ({@code Duplicate entry '…'}), through both drivers: the value shows nowhere
 * (result, error line, revisions row), the rest of the explanation does.
 */
class SensitiveMariaDbIT {
    private static final String SECRET = "maria-Zebra-7731";
    private static final String OTHER = "maria-Quokka-4410";

    @TempDir
    Path tmp;

    private ScratchDatabase db;

    @BeforeEach
    void setUp() {
        db = TestDatabases.mariaDbDatabase("sensitive");
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void aDuplicateEntryShowsItsKeyButNotTheValue(String scheme) throws SQLException {
        PreparedDirectory d = TestDirs.prepare(TestDirs.write(tmp.resolve(scheme),
                "1_init.sql", "CREATE TABLE secrets (id int PRIMARY KEY, v varchar(100), w varchar(100),"
                        + " UNIQUE KEY secret_v (v));\n",
                "2_secret.sql", "-- atlas:sensitive\n\nINSERT INTO secrets VALUES (1, '" + SECRET + "', 'it\\'s "
                        + OTHER + "');\nINSERT INTO secrets VALUES (2, \"" + SECRET + "\", NULL);\n"), Dialect.MYSQL);

        ApplyResult r = new MigrationExecutor().apply(DatabaseUrl.parse(db.url().replace("mariadb://", scheme + "://")),
                d, ApplyOptions.defaults(), ApplyListener.NONE);

        assertThat(r.status()).isEqualTo("FAILED");
        FileResult.StatementError error = r.applied().get(1).error();
        assertThat(error.text()).isEqualTo("Error 1062 (23000): Duplicate entry '(sensitive)' for key 'secret_v'");
        assertThat(error.stmt()).isEqualTo("INSERT INTO secrets VALUES (2, '(sensitive)', NULL);");
        assertThat(r.error()).endsWith("from version \"2\": " + error.text());
        Revision row = revisions().get(2);
        assertThat(row.error()).isEqualTo(error.text());
        assertThat(row.errorStmt()).isEqualTo(error.stmt());
        assertThat(r.toString() + revisions()).doesNotContain(SECRET).doesNotContain(OTHER);
    }

    private List<Revision> revisions() throws SQLException {
        try (Connection c = db.connect()) {
            return new MysqlDialect().readAll(c, db.name());
        }
    }
}
