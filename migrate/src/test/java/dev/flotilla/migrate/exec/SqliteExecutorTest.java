package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteExecutorTest {
    private static final String INIT = "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL\n);\n";
    private static final String SEED = "INSERT INTO users (id, name) VALUES (1, \"a8m\");\n"
            + "INSERT INTO users (id, name) VALUES (2, \"rotemtam\");\n";

    @TempDir
    Path tmp;

    private final MigrationExecutor executor = new MigrationExecutor();
    private DatabaseUrl url;
    private int dirs;

    @BeforeEach
    void setUp() {
        url = DatabaseUrl.parse("sqlite://" + tmp.resolve("tenant_1.db"));
    }

    private PreparedDirectory dir(String... files) {
        return TestDirs.prepare(TestDirs.write(tmp.resolve("migrations-" + (++dirs)), files), Dialect.SQLITE);
    }

    private ApplyResult apply(PreparedDirectory d, ApplyOptions o) {
        return executor.apply(url, d, o, ApplyListener.NONE);
    }

    private List<Revision> revisions() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + url.database())) {
            return new SqliteDialect().readAll(c, "main");
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + url.database());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void appliesEveryFileAndRecordsRevisionsAsAtlasDoes() throws SQLException {
        PreparedDirectory d = dir("20240721101205_init.sql", INIT, "20240721111345_seed_users.sql", SEED);

        ApplyResult r = apply(d, ApplyOptions.defaults());

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(r.current()).isNull();
        assertThat(r.target()).isEqualTo("20240721111345");
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(2);
        List<Revision> revs = revisions();
        assertThat(revs).extracting(Revision::version)
                .containsExactly(Revision.CLOUD_IDENTIFIER, "20240721101205", "20240721111345");
        Revision seed = revs.get(2);
        assertThat(seed.description()).isEqualTo("seed_users");
        assertThat(seed.type()).isEqualTo(Revision.EXECUTE);
        assertThat(seed.applied()).isEqualTo(2);
        assertThat(seed.total()).isEqualTo(2);
        assertThat(seed.error()).isNull();
        assertThat(seed.errorStmt()).isNull();
        assertThat(seed.partialHashes()).isNull();
        assertThat(seed.hash()).isEqualTo(d.directory().computeSum().hashOf("20240721111345_seed_users.sql"))
                .doesNotStartWith("h1:");
        assertThat(seed.operatorVersion()).isEqualTo(ApplyOptions.OPERATOR_VERSION);
        assertThat(seed.executionTime()).isPositive();
        assertThat(revs.get(0).description()).matches("[0-9a-f-]{36}").isEqualTo(r.targetId());
    }

    @Test
    void applyingTheSameDirectoryTwiceRunsNothingTheSecondTime() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);
        apply(d, ApplyOptions.defaults());

        ApplyResult again = apply(d, ApplyOptions.defaults());

        assertThat(again.status()).isEqualTo("NO_ACTION");
        assertThat(again.applied()).isEmpty();
        assertThat(again.current()).isEqualTo("2");
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(2);
    }

    @Test
    void failingStatementInTxModeFileRollsTheFileBackAndRecordsTheError() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT,
                "2_seed.sql", "INSERT INTO users (id, name) VALUES (3, 'x');\nINSERT INTO users (id, name) VALUES (1, 'a');\n"
                        + "INSERT INTO users (id, name) VALUES (1, 'b');\n");

        ApplyResult r = apply(d, ApplyOptions.defaults());

        assertThat(r.status()).isEqualTo("FAILED");
        assertThat(r.error()).isEqualTo("sql/migrate: executing statement \"INSERT INTO users (id, name) VALUES"
                + " (1, 'b');\" from version \"2\": UNIQUE constraint failed: users.id");
        assertThat(count("SELECT count(*) FROM users")).as("file 2 rolled back").isZero();
        Revision failed = revisions().get(2);
        assertThat(failed.version()).isEqualTo("2");
        assertThat(failed.applied()).isZero();
        assertThat(failed.total()).isEqualTo(3);
        assertThat(failed.error()).isEqualTo("UNIQUE constraint failed: users.id");
        assertThat(failed.errorStmt()).isEqualTo("INSERT INTO users (id, name) VALUES (1, 'b');");
    }

    @Test
    void failingFirstFileOnANewTargetStillLeavesTheTableTheIdentityAndTheFailedRow() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT + "CREATE TABLEX broken (id int);\n");

        ApplyResult r = apply(d, ApplyOptions.defaults());

        assertThat(r.status()).isEqualTo("FAILED");
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'users'")).as("file 1 rolled back").isZero();
        List<Revision> revs = revisions();
        assertThat(revs).extracting(Revision::version).containsExactly(Revision.CLOUD_IDENTIFIER, "1");
        assertThat(revs.get(0).description()).isEqualTo(r.targetId());
        assertThat(revs.get(1).applied()).isZero();
        assertThat(revs.get(1).total()).isEqualTo(2);
        assertThat(revs.get(1).error()).contains("syntax error");
        assertThat(revs.get(1).errorStmt()).isEqualTo("CREATE TABLEX broken (id int);");

        ApplyResult fixed = apply(dir("1_init.sql", INIT), ApplyOptions.defaults());

        assertThat(fixed.status()).isEqualTo("PASSED");
        assertThat(fixed.targetId()).as("the identity written with the failed row is kept").isEqualTo(r.targetId());
    }

    @Test
    void runStoppedInsideTheFirstFileLeavesANewTargetUntouched() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);
        ApplyListener crash = new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                throw new IllegalStateException("worker stopped");
            }
        };

        assertThatThrownBy(() -> executor.apply(url, d, ApplyOptions.defaults(), crash))
                .hasMessage("worker stopped");

        assertThat(tableCount()).as("neither the revisions table nor the identity row commit before a file does")
                .isZero();
        ApplyResult r = apply(d, ApplyOptions.defaults());
        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(revisions()).extracting(Revision::version)
                .containsExactly(Revision.CLOUD_IDENTIFIER, "1", "2");
    }

    @Test
    void reusedConnectionIsLeftInAutocommitWithNoTransactionAfterAnyOutcome() throws SQLException {
        PreparedDirectory ok = dir("1_init.sql", INIT);
        PreparedDirectory bad = dir("1_init.sql", INIT, "2_bad.sql", "INSERT INTO nope VALUES (1);\n");
        ApplyListener crash = new ApplyListener() {
            @Override
            public void fileStarted(PreparedDirectory.PreparedFile file) {
                if (file.version().equals("2")) {
                    throw new IllegalStateException("worker stopped");
                }
            }
        };
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + url.database())) {
            assertThat(executor.apply(c, url, ok, ApplyOptions.defaults(), ApplyListener.NONE).status())
                    .isEqualTo("PASSED");
            assertThat(c.getAutoCommit()).isTrue();

            assertThat(executor.apply(c, url, bad, ApplyOptions.defaults(), ApplyListener.NONE).status())
                    .isEqualTo("FAILED");
            assertThat(c.getAutoCommit()).isTrue();

            assertThatThrownBy(() -> executor.apply(c, url, bad, ApplyOptions.builder().txMode(TxMode.ALL).build(),
                    crash)).hasMessage("worker stopped");
            assertThat(c.getAutoCommit()).as("the tx-mode all transaction was rolled back").isTrue();
        }
        exec("INSERT INTO users (id, name) VALUES (9, 'another writer is not blocked')");
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(1);
    }

    @Test
    void dirtyDatabaseRefusalWritesNothing() throws SQLException {
        exec("CREATE TABLE legacy (id int)");

        assertThatThrownBy(() -> apply(dir("1_init.sql", INIT), ApplyOptions.defaults()))
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.DATABASE_NOT_CLEAN);

        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = '" + TargetDialect.TABLE + "'")).isZero();
    }

    @Test
    void baselineAtTheLatestVersionRecordsTheIdentityAndTheBaselineWithNothingToRun() throws SQLException {
        exec(INIT);
        PreparedDirectory d = dir("1_init.sql", INIT);

        ApplyResult r = apply(d, ApplyOptions.builder().baseline("1").build());

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(r.applied()).isEmpty();
        assertThat(revisions()).extracting(Revision::version, Revision::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Revision.CLOUD_IDENTIFIER, 0L),
                        org.assertj.core.groups.Tuple.tuple("1", Revision.BASELINE));
        assertThat(apply(d, ApplyOptions.defaults()).status()).isEqualTo("NO_ACTION");
    }

    @Test
    void afterFixingTheDataTheFailedFileRunsAgainFromTheStart() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);
        executor.apply(url, dir("1_init.sql", INIT), ApplyOptions.defaults(), ApplyListener.NONE);
        exec("INSERT INTO users (id, name) VALUES (1, 'tenant data')");
        assertThat(apply(d, ApplyOptions.defaults()).status()).isEqualTo("FAILED");

        exec("DELETE FROM users WHERE id = 1");
        ApplyResult r = apply(d, ApplyOptions.defaults());

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(r.applied()).singleElement().satisfies(f -> assertThat(f.skipped()).isZero());
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(2);
        Revision seed = revisions().get(2);
        assertThat(seed.applied()).isEqualTo(2);
        assertThat(seed.error()).isNull();
    }

    @Test
    void txModeNoneKeepsProgressAndResumesAfterTheFailingStatementIsFixed() throws SQLException {
        String bad = "-- atlas:txmode none\n\nCREATE TABLE t1(id int);\nCREATE TABLE t2(id int);\nCREATE TABLEX t3(id int);\n";
        PreparedDirectory broken = dir("1_tables.sql", bad);

        ApplyResult r = apply(broken, ApplyOptions.defaults());

        assertThat(r.status()).isEqualTo("FAILED");
        Revision partial = revisions().get(1);
        assertThat(partial.applied()).isEqualTo(2);
        assertThat(partial.total()).isEqualTo(3);
        assertThat(partial.partialHashes()).containsExactly("h1:qQizl39ePMIqnMlV2dmBA8eooK5zghkUbROL+68YSnc=",
                "h1:0R2MYfjxLxXJ1C3ghVlqQFhIddFa5RF9sbGcYffe9IA=");
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name IN ('t1', 't2')")).isEqualTo(2);

        PreparedDirectory fixed = dir("1_tables.sql", bad.replace("TABLEX", "TABLE"));
        ApplyResult resumed = apply(fixed, ApplyOptions.defaults());

        assertThat(resumed.status()).isEqualTo("PASSED");
        assertThat(resumed.applied().get(0).skipped()).isEqualTo(2);
        assertThat(resumed.applied().get(0).applied()).containsExactly("CREATE TABLE t3(id int);");
        Revision done = revisions().get(1);
        assertThat(done.applied()).isEqualTo(3);
        assertThat(done.partialHashes()).isNull();
        assertThat(done.error()).isNull();
    }

    @Test
    void editingAStatementThatAlreadyRanIsRefused() {
        String bad = "-- atlas:txmode none\n\nCREATE TABLE t1(id int);\nCREATE TABLEX t2(id int);\n";
        apply(dir("1_tables.sql", bad), ApplyOptions.defaults());

        PreparedDirectory edited = dir("1_tables.sql", "-- atlas:txmode none\n\nCREATE TABLE t9(id int);\nCREATE TABLE t2(id int);\n");

        assertThatThrownBy(() -> apply(edited, ApplyOptions.defaults()))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("statement 1 of partially applied file \"1_tables.sql\" was changed")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.HISTORY_CHANGED);
    }

    @Test
    void txModeAllRollsBackEveryFileWhenOneFails() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_bad.sql", "INSERT INTO nope VALUES (1);\n");

        ApplyResult r = apply(d, ApplyOptions.builder().txMode(TxMode.ALL).build());

        assertThat(r.status()).isEqualTo("FAILED");
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'users'")).isZero();
        assertThat(revisions()).extracting(Revision::version).containsExactly(Revision.CLOUD_IDENTIFIER, "2");
    }

    @Test
    void dirtyDatabaseIsRefusedWithoutBaselineOrAllowDirty() throws SQLException {
        exec("CREATE TABLE legacy (id int)");
        PreparedDirectory d = dir("1_init.sql", INIT);

        assertThatThrownBy(() -> apply(d, ApplyOptions.defaults()))
                .hasMessage("sql/migrate: connected database is not clean: found table \"legacy\" in schema \"main\"."
                        + " baseline version or allow-dirty is required (pass --baseline <version> if the database"
                        + " already has the schema of the files up to <version>, or --allow-dirty to run every file"
                        + " on it)");
        assertThat(apply(d, ApplyOptions.builder().allowDirty(true).build()).status()).isEqualTo("PASSED");
    }

    @Test
    void baselineMarksTheVersionAndRunsOnlyWhatComesAfter() throws SQLException {
        exec(INIT);
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);

        ApplyResult r = apply(d, ApplyOptions.builder().baseline("1").build());

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(r.applied()).extracting(FileResult::version).containsExactly("2");
        Revision baseline = revisions().get(1);
        assertThat(baseline.version()).isEqualTo("1");
        assertThat(baseline.type()).isEqualTo(Revision.BASELINE);
        assertThat(baseline.typeName()).isEqualTo("baseline");
    }

    @Test
    void outOfOrderPendingFileIsRefusedOrSkippedOrRunAsAsked() throws SQLException {
        apply(dir("1_init.sql", INIT, "3_more.sql", "CREATE TABLE t3 (id int);\n"), ApplyOptions.defaults());
        PreparedDirectory late = dir("2_late.sql", "CREATE TABLE t2 (id int);\n");

        assertThatThrownBy(() -> apply(late, ApplyOptions.defaults()))
                .hasMessageContaining("migration file \"2_late.sql\" (version \"2\") is pending but the database is"
                        + " already at version \"3\"")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.HISTORY_NON_LINEAR);
        assertThat(apply(late, ApplyOptions.builder().execOrder(ExecOrder.LINEAR_SKIP).build()).status())
                .isEqualTo("NO_ACTION");
        assertThat(apply(late, ApplyOptions.builder().execOrder(ExecOrder.NON_LINEAR).build()).applied())
                .extracting(FileResult::version).containsExactly("2");
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 't2'")).isEqualTo(1);
    }

    @Test
    void dryRunShowsThePlanAndWritesNothing() {
        PreparedDirectory d = dir("1_init.sql", INIT);

        ApplyResult r = apply(d, ApplyOptions.builder().dryRun(true).build());

        assertThat(r.status()).isEqualTo("DRY_RUN");
        assertThat(r.applied()).singleElement().satisfies(f -> assertThat(f.applied()).hasSize(1));
        assertThat(Files.exists(tmp.resolve("tenant_1.db")) ? tableCount() : 0).isZero();
    }

    private long tableCount() {
        try {
            return count("SELECT count(*) FROM sqlite_master");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void amountLimitsHowManyFilesRun() {
        PreparedDirectory d = dir("1_a.sql", "CREATE TABLE a (id int);\n", "2_b.sql", "CREATE TABLE b (id int);\n");

        ApplyResult r = apply(d, ApplyOptions.builder().amount(1).build());

        assertThat(r.applied()).extracting(FileResult::version).containsExactly("1");
        assertThat(apply(d, ApplyOptions.defaults()).applied()).extracting(FileResult::version).containsExactly("2");
    }

    @Test
    void freshDatabaseStartsFromTheLastCheckpoint() throws SQLException {
        PreparedDirectory d = dir("1_a.sql", "CREATE TABLE a (id int);\n",
                "2_checkpoint.sql", "-- atlas:checkpoint\n\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
                "3_c.sql", "CREATE TABLE c (id int);\n");

        ApplyResult r = apply(d, ApplyOptions.defaults());

        assertThat(r.applied()).extracting(FileResult::version).containsExactly("2", "3");
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('a','b','c')"))
                .isEqualTo(3);
    }

    @Test
    void secondExecutorWaitsForTheTargetLockAndTimesOut() throws Exception {
        PreparedDirectory d = dir("1_init.sql", INIT);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = pool.submit(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + url.database());
                     TargetLock l = new SqliteDialect().lock(c, url, "main", Duration.ofSeconds(5))) {
                    holding.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                return null;
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> apply(d, ApplyOptions.builder().lockTimeout(Duration.ofMillis(300)).build()))
                    .hasMessageContaining("acquiring the migration lock")
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            assertThat(apply(d, ApplyOptions.defaults()).status()).isEqualTo("PASSED");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void sensitiveFilesAreMaskedInResultsButRunAsWritten() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", "CREATE TABLE secrets (v TEXT);\n",
                "2_secret.sql", "-- atlas:sensitive\n\nINSERT INTO secrets VALUES ('hunter2');\n");

        List<String> shown = new ArrayList<>();
        ApplyResult r = executor.apply(url, d, ApplyOptions.defaults(), new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                shown.add(shownText);
            }
        });

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(shown).contains("INSERT INTO secrets VALUES ('(sensitive)');").noneMatch(s -> s.contains("hunter2"));
        assertThat(r.toString()).doesNotContain("hunter2");
        assertThat(count("SELECT count(*) FROM secrets WHERE v = 'hunter2'")).isEqualTo(1);
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + url.database());
             Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
