package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.FailureClassifier.Classification;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static dev.flotilla.migrate.exec.FailureClassifierPostgresIT.thrown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What sqlite-jdbc really throws (SQLite needs no server, so this is a fast test), classified. */
class FailureClassifierSqliteTest {
    @TempDir
    Path tmp;

    private Path file;
    private Connection conn;
    private Statement st;

    @BeforeEach
    void setUp() throws SQLException {
        file = tmp.resolve("tenant_1.db");
        conn = open(file.toString());
        st = conn.createStatement();
        st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        st.execute("INSERT INTO t VALUES (1, 'a')");
    }

    @AfterEach
    void tearDown() throws SQLException {
        conn.close();
    }

    /** No busy wait: a locked database fails at once instead of after sqlite-jdbc's default 3 s. */
    private static Connection open(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "0");
        return DriverManager.getConnection("jdbc:sqlite:" + database, p);
    }

    private static void assertSeen(SQLException e, SQLiteErrorCode resultCode, Kind kind, ErrorCode code,
            String reason) {
        SQLiteErrorCode seen = e instanceof SQLiteException ? ((SQLiteException) e).getResultCode() : null;
        assertThat(seen).as("result code of %s", e).isEqualTo(resultCode);
        assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(kind, code, reason));
    }

    @Test
    void primaryKeyUniqueAndNotNullViolationsArePermanent() {
        assertSeen(thrown(() -> st.execute("INSERT INTO t VALUES (1, 'b')")),
                SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "constraint violation");
        assertSeen(thrown(() -> st.execute("INSERT INTO t VALUES (2, 'a')")), SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE,
                Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "constraint violation");
        assertSeen(thrown(() -> st.execute("INSERT INTO t VALUES (3, NULL)")),
                SQLiteErrorCode.SQLITE_CONSTRAINT_NOTNULL, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
                "constraint violation");
    }

    @Test
    void syntaxErrorAndUndefinedObjectsArePermanent() {
        assertSeen(thrown(() -> st.execute("CREAT TABLE x (id int)")), SQLiteErrorCode.SQLITE_ERROR, Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "syntax error");
        assertSeen(thrown(() -> st.execute("SELECT * FROM nope")), SQLiteErrorCode.SQLITE_ERROR, Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "undefined table");
        assertSeen(thrown(() -> st.execute("SELECT nope FROM t")), SQLiteErrorCode.SQLITE_ERROR, Kind.PERMANENT,
                ErrorCode.STATEMENT_FAILED, "undefined column");
    }

    @Test
    void aDatabaseLockedByAnotherConnectionIsTransient() throws SQLException {
        try (Connection other = open(file.toString()); Statement o = other.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");

            SQLException e = thrown(() -> o.execute("INSERT INTO t VALUES (2, 'b')"));

            assertSeen(e, SQLiteErrorCode.SQLITE_BUSY, Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "database locked");
            st.execute("ROLLBACK");
        }
    }

    @Test
    void aTableLockedInASharedCacheIsTransient() throws SQLException {
        String shared = "file:" + tmp.resolve("shared.db") + "?cache=shared";
        try (Connection a = open(shared); Connection b = open(shared);
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("CREATE TABLE s (id INTEGER PRIMARY KEY)");
            sa.execute("BEGIN");
            sa.execute("INSERT INTO s VALUES (1)");

            SQLException e = thrown(() -> sb.executeQuery("SELECT * FROM s").close());

            assertSeen(e, SQLiteErrorCode.SQLITE_LOCKED_SHAREDCACHE, Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT,
                    "database locked");
            sa.execute("ROLLBACK");
        }
    }

    @Test
    void aFileThatCannotBeOpenedIsPermanent() {
        SQLException e = thrown(() -> open(tmp.resolve("no/such/dir/x.db").toString()).close());

        assertSeen(e, SQLiteErrorCode.SQLITE_CANTOPEN, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED,
                "cannot open database file");
    }

    @Test
    void theExecutorsLockTimeoutIsTransient() throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse("sqlite://" + file);
        MigrationDirectory d = MigrationDirectory.of(new TreeMap<>(Map.of("1_init.sql",
                "CREATE TABLE users (id INTEGER PRIMARY KEY);\n".getBytes(StandardCharsets.UTF_8))), null);
        PreparedDirectory dir = PreparedDirectory.of(d, Dialect.SQLITE);
        ApplyOptions options = ApplyOptions.builder().allowDirty(true).lockTimeout(Duration.ofMillis(100)).build();

        try (TargetLock held = new SqliteDialect().lock(conn, url, "main", Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> new MigrationExecutor().apply(url, dir, options, ApplyListener.NONE))
                    .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(FailureClassifier.classify(e))
                            .isEqualTo(new Classification(Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "lock timeout")));
        }
    }
}
