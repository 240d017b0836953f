package dev.flotilla.migrate.exec;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How often the executor writes {@code atlas_schema_revisions} on MariaDB, counted by the server
 * ({@code Com_insert}, {@code Com_commit} of the executor's session), and that the fewer writes
 * still resume a file exactly after a crash between statements or a failing statement.
 */
class MariaDbRevisionWritesIT {
    private static final String USERS = "CREATE TABLE users (id int PRIMARY KEY, name varchar(100), email varchar(100));\n";
    private static final String INDEX = "CREATE INDEX users_email ON users (email);\n";
    private static final String SEED = "INSERT INTO users (id, name) VALUES (1, 'a8m');\n"
            + "INSERT INTO users (id, name) VALUES (2, 'rotemtam');\n";
    private static final String MIXED = "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n"
            + "INSERT INTO t VALUES (2);\nALTER TABLE t ADD COLUMN c int;\nINSERT INTO t VALUES (3, 3);\n";
    private static final String THREE_TABLES = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
            + "CREATE TABLE c (id int);\n";

    @TempDir
    Path tmp;

    private ScratchDatabase db;
    private final MigrationExecutor executor = new MigrationExecutor();

    @BeforeEach
    void setUp() {
        db = TestDatabases.mariaDbDatabase("revw");
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    /** Server counters of one session. */
    private record Counts(long inserts, long commits) {
        Counts minus(Counts o) {
            return new Counts(inserts - o.inserts, commits - o.commits);
        }
    }

    @Test
    void aFileWritesItsRowOnceWithItsCommitAndAgainOnlyWhereMysqlCommitsOnItsOwn() throws SQLException {
        List<String> files = new ArrayList<>();
        try (Connection c = db.connect()) {
            // identity row + the file's row, written together after the CREATE TABLE, one COMMIT
            assertThat(applyNext(c, files, "1_users.sql", USERS)).isEqualTo(new Counts(2, 1));
            assertThat(applyNext(c, files, "2_index.sql", INDEX)).isEqualTo(new Counts(1, 1));
            // two seed INSERTs and one row, all in the file's transaction
            assertThat(applyNext(c, files, "3_seed.sql", SEED)).isEqualTo(new Counts(2 + 1, 1));
            // CREATE (row, COMMIT), 2 INSERTs (row before the ALTER commits them), ALTER (row, COMMIT),
            // INSERT, done row with the file's COMMIT
            assertThat(applyNext(c, files, "4_mixed.sql", MIXED)).isEqualTo(new Counts(3 + 4, 3));
        }
        List<Revision> rows = revisions();
        assertThat(rows).extracting(Revision::version).containsExactly(Revision.CLOUD_IDENTIFIER, "1", "2", "3", "4");
        assertThat(rows.subList(1, 5)).allSatisfy(r -> {
            assertThat(r.applied()).isEqualTo(r.total());
            assertThat(r.partialHashes()).isNull();
            assertThat(r.error()).isNull();
        });
        assertThat(count("SELECT count(*) FROM t WHERE id IN (1, 2) OR c = 3")).isEqualTo(3);
    }

    @Test
    void aTenantWithTheTableAndNothingPendingWritesNothing() throws SQLException {
        List<String> files = new ArrayList<>();
        try (Connection c = db.connect()) {
            applyNext(c, files, "1_users.sql", USERS);
            Counts before = counts(c);
            assertThat(executor.apply(c, DatabaseUrl.parse(db.url()), dir(files), ApplyOptions.defaults(),
                    ApplyListener.NONE).status()).isEqualTo("NO_ACTION");
            assertThat(counts(c).minus(before)).isEqualTo(new Counts(0, 0));
        }
    }

    @Test
    void aProcessKilledBetweenTwoDdlStatementsResumesAtTheSecond() throws SQLException {
        PreparedDirectory d = dir(List.of("1_tables.sql", THREE_TABLES));
        try (Connection c = db.connect(); Connection killer = db.connect()) {
            long id = connectionId(c);
            ApplyListener kill = new ApplyListener() {
                @Override
                public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                    if (shownText.startsWith("CREATE TABLE b")) {
                        exec(killer, "KILL CONNECTION " + id);
                        throw new IllegalStateException("worker killed");
                    }
                }
            };
            assertThatThrownBy(() -> executor.apply(c, DatabaseUrl.parse(db.url()), d, ApplyOptions.defaults(),
                    kill)).hasMessage("worker killed");
        }
        Revision partial = revisions().get(1);
        assertThat(partial.applied()).as("CREATE TABLE a committed, and its row with it").isEqualTo(1);
        assertThat(partial.partialHashes()).hasSize(1);

        ApplyResult resumed = apply(d);

        assertThat(resumed.status()).as(String.valueOf(resumed.error())).isEqualTo("PASSED");
        assertThat(resumed.applied().get(0).skipped()).isEqualTo(1);
        assertThat(resumed.applied().get(0).applied()).containsExactly("CREATE TABLE b (id int);",
                "CREATE TABLE c (id int);");
        assertThat(revisions().get(1).applied()).isEqualTo(3);
    }

    @Test
    void aStopAfterDmlRollsBackToTheLastCommitPointAndResumesThere() throws SQLException {
        PreparedDirectory d = dir(List.of("1_mixed.sql", MIXED));
        ApplyListener stop = new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                if (shownText.startsWith("ALTER TABLE")) {
                    throw new IllegalStateException("worker stopped");
                }
            }
        };
        assertThatThrownBy(() -> executor.apply(DatabaseUrl.parse(db.url()), d, ApplyOptions.defaults(), stop))
                .hasMessage("worker stopped");
        assertThat(revisions().get(1).applied()).as("the INSERTs rolled back, the CREATE TABLE stays").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM t")).isZero();

        ApplyResult resumed = apply(d);

        assertThat(resumed.status()).as(String.valueOf(resumed.error())).isEqualTo("PASSED");
        assertThat(resumed.applied().get(0).skipped()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM t")).isEqualTo(3);
    }

    @Test
    void aFailingInsertAfterDdlRecordsTheDdlAndTheFixedFileResumesAfterIt() throws SQLException {
        String bad = "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\n";
        ApplyResult failed = apply(dir(List.of("1_t.sql", bad)));

        assertThat(failed.error()).contains("Duplicate entry '1'");
        Revision row = revisions().get(1);
        assertThat(row.applied()).isEqualTo(1);
        assertThat(row.error()).startsWith("Error 1062");
        assertThat(row.errorStmt()).isEqualTo("INSERT INTO t VALUES (1);");

        String fixed = "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n";
        ApplyResult resumed = apply(dir(List.of("1_t.sql", fixed)));

        assertThat(resumed.status()).as(String.valueOf(resumed.error())).isEqualTo("PASSED");
        assertThat(resumed.applied().get(0).skipped()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM t")).isEqualTo(2);
        assertThat(revisions().get(1).error()).isNull();
    }

    @Test
    void aTxmodeNoneFileAfterAFileInItsOwnTransactionStillRecordsEveryStatement() throws SQLException {
        String none = "-- atlas:txmode none\n\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n"
                + "CREATE TABLEX b (id int);\n";
        ApplyResult failed = apply(dir(List.of("1_users.sql", USERS, "2_none.sql", none)));

        assertThat(failed.error()).contains("CREATE TABLEX");
        Revision partial = revisions().get(2);
        assertThat(partial.applied()).as("the INSERT committed on its own, and its row").isEqualTo(2);
        assertThat(partial.partialHashes()).hasSize(2);
        assertThat(count("SELECT count(*) FROM a")).isEqualTo(1);

        ApplyResult resumed = apply(dir(List.of("1_users.sql", USERS, "2_none.sql",
                none.replace("TABLEX", "TABLE"))));

        assertThat(resumed.status()).as(String.valueOf(resumed.error())).isEqualTo("PASSED");
        assertThat(resumed.applied().get(0).skipped()).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM a")).isEqualTo(1);
        assertThat(revisions().get(2).partialHashes()).isNull();
    }

    /** Adds a file to the directory, applies it on {@code c} and returns the session's counters' change. */
    private Counts applyNext(Connection c, List<String> files, String name, String content) throws SQLException {
        files.add(name);
        files.add(content);
        Counts before = counts(c);
        ApplyResult r = executor.apply(c, DatabaseUrl.parse(db.url()), dir(files), ApplyOptions.defaults(),
                ApplyListener.NONE);
        assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo("PASSED");
        return counts(c).minus(before);
    }

    private PreparedDirectory dir(List<String> nameContent) {
        return TestDirs.prepare(TestDirs.write(tmp.resolve("m" + System.nanoTime()),
                nameContent.toArray(String[]::new)), Dialect.MYSQL);
    }

    private ApplyResult apply(PreparedDirectory d) {
        return executor.apply(DatabaseUrl.parse(db.url()), d, ApplyOptions.defaults(), ApplyListener.NONE);
    }

    private static Counts counts(Connection c) throws SQLException {
        long inserts = 0;
        long commits = 0;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS WHERE Variable_name IN ('Com_insert', 'Com_commit')")) {
            while (rs.next()) {
                if (rs.getString(1).equalsIgnoreCase("Com_insert")) {
                    inserts = rs.getLong(2);
                } else {
                    commits = rs.getLong(2);
                }
            }
        }
        return new Counts(inserts, commits);
    }

    private List<Revision> revisions() throws SQLException {
        try (Connection c = db.connect()) {
            return new MysqlDialect().readAll(c, db.name());
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }
}
