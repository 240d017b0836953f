package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The executor against the real PostgreSQL on 127.0.0.1. */
class PostgresExecutorIT {
    private static final String INIT = "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n";
    private static final String SEED = "INSERT INTO users (id, name) VALUES (1, 'a8m');\n"
            + "INSERT INTO users (id, name) VALUES (2, 'rotemtam');\n";

    @TempDir
    Path tmp;

    private ScratchDatabase db;
    private final MigrationExecutor executor = new MigrationExecutor();

    @BeforeEach
    void setUp() {
        db = TestDatabases.postgresDatabase("exec");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private PreparedDirectory dir(String... files) {
        return TestDirs.prepare(TestDirs.write(tmp.resolve("m" + System.nanoTime()), files), Dialect.POSTGRES);
    }

    private ApplyResult apply(String url, PreparedDirectory d) {
        return executor.apply(DatabaseUrl.parse(url), d, ApplyOptions.defaults(), ApplyListener.NONE);
    }

    private List<Revision> revisions(String schema) throws SQLException {
        try (Connection c = db.connect()) {
            return new PostgresDialect().readAll(c, schema);
        }
    }

    @Test
    void databasePerTenantKeepsRevisionsInTheirOwnSchema() throws SQLException {
        ApplyResult r = apply(db.url(), dir("1_init.sql", INIT, "2_seed.sql", SEED));

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(revisions("atlas_schema_revisions")).extracting(Revision::version, Revision::applied)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Revision.CLOUD_IDENTIFIER, 0L),
                        org.assertj.core.groups.Tuple.tuple("1", 1L), org.assertj.core.groups.Tuple.tuple("2", 2L));
        assertThat(query("SELECT count(*) FROM public.users")).isEqualTo(2);
    }

    @Test
    void schemaPerTenantAppliesInEachSchemaAndKeepsRevisionsThere() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);

        for (String tenant : List.of("tenant_1", "tenant_2")) {
            assertThat(apply(db.url(tenant), d).status()).isEqualTo("PASSED");
        }

        for (String tenant : List.of("tenant_1", "tenant_2")) {
            assertThat(query("SELECT count(*) FROM " + tenant + ".users")).isEqualTo(2);
            assertThat(revisions(tenant)).extracting(Revision::version).contains("1", "2");
        }
        assertThat(apply(db.url("tenant_1"), d).status()).isEqualTo("NO_ACTION");
    }

    @Test
    void revisionColumnsHaveAtlasTypes() throws SQLException {
        apply(db.url(), dir("1_init.sql", INIT));

        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
                        + " 'atlas_schema_revisions' AND table_name = 'atlas_schema_revisions' ORDER BY ordinal_position")) {
            StringBuilder cols = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.append(rs.getString(1)).append(':').append(rs.getString(2)).append(' ');
                }
            }
            assertThat(cols.toString().trim()).isEqualTo("version:character varying description:character varying"
                    + " type:bigint applied:bigint total:bigint executed_at:timestamp with time zone"
                    + " execution_time:bigint error:text error_stmt:text hash:character varying partial_hashes:jsonb"
                    + " operator_version:character varying");
        }
    }

    @Test
    void failingFileIsRolledBackAndTheRevisionSaysWhatFailed() throws SQLException {
        apply(db.url(), dir("1_init.sql", INIT));
        db.exec("INSERT INTO users VALUES (1, 'existing')");

        ApplyResult r = apply(db.url(), dir("1_init.sql", INIT, "2_seed.sql",
                "INSERT INTO users (id, name) VALUES (2, 'rotemtam');\nINSERT INTO users (id, name) VALUES (1, 'a8m');\n"));

        assertThat(r.error()).isEqualTo("sql/migrate: executing statement \"INSERT INTO users (id, name) VALUES"
                + " (1, 'a8m');\" from version \"2\": pq: duplicate key value violates unique constraint \"users_pkey\"");
        assertThat(query("SELECT count(*) FROM users")).isEqualTo(1);
        Revision failed = revisions("atlas_schema_revisions").get(2);
        assertThat(failed.applied()).isZero();
        assertThat(failed.error()).contains("users_pkey");
        assertThat(failed.errorStmt()).isEqualTo("INSERT INTO users (id, name) VALUES (1, 'a8m');");
    }

    @Test
    void failingFirstFileInANewSchemaLeavesTheSchemaTheIdentityAndTheFailedRowOnly() throws SQLException {
        ApplyResult r = apply(db.url("tenant_1"), dir("1_init.sql", INIT + "INSERT INTO nope VALUES (1);\n"));

        assertThat(r.status()).isEqualTo("FAILED");
        assertThat(query("SELECT count(*) FROM pg_tables WHERE schemaname = 'tenant_1'")).as("users rolled back")
                .isEqualTo(1);
        List<Revision> revs = revisions("tenant_1");
        assertThat(revs).extracting(Revision::version).containsExactly(Revision.CLOUD_IDENTIFIER, "1");
        assertThat(revs.get(0).description()).isEqualTo(r.targetId());
        assertThat(revs.get(1).applied()).isZero();
        assertThat(revs.get(1).error()).isEqualTo("pq: relation \"nope\" does not exist");
    }

    @Test
    void runStoppedInsideTheFirstFileCommitsNothingNotEvenTheSchema() throws SQLException {
        ApplyListener crash = new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                throw new IllegalStateException("worker stopped");
            }
        };

        assertThatThrownBy(() -> executor.apply(DatabaseUrl.parse(db.url("tenant_1")), dir("1_init.sql", INIT),
                ApplyOptions.defaults(), crash)).hasMessage("worker stopped");

        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_1'")).isZero();
    }

    @Test
    void dryRunOnAMissingSchemaCreatesNothing() throws SQLException {
        ApplyResult r = executor.apply(DatabaseUrl.parse(db.url("tenant_1")), dir("1_init.sql", INIT),
                ApplyOptions.builder().dryRun(true).build(), ApplyListener.NONE);

        assertThat(r.status()).isEqualTo("DRY_RUN");
        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_1'")).isZero();
    }

    @Test
    void dirtySchemaIsRefusedNamingTheFirstTableOrViewAndNothingIsWritten() throws SQLException {
        db.exec("CREATE SCHEMA tenant_1", "CREATE TABLE tenant_1.zeta (id int)", "CREATE VIEW tenant_1.alpha AS SELECT 1",
                "CREATE INDEX zeta_id ON tenant_1.zeta (id)");

        assertThatThrownBy(() -> apply(db.url("tenant_1"), dir("1_init.sql", INIT)))
                .hasMessageStartingWith("sql/migrate: connected database is not clean: found table \"alpha\" in"
                        + " schema \"tenant_1\".")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.DATABASE_NOT_CLEAN);
        assertThat(query("SELECT count(*) FROM pg_tables WHERE tablename = '" + TargetDialect.TABLE + "'"))
                .as("a refused run writes nothing").isZero();
        assertThat(apply(db.url("tenant_2"), dir("1_init.sql", INIT)).status()).as("an empty schema is clean")
                .isEqualTo("PASSED");
    }

    @Test
    void tablesMovedOrPartitionedIntoASchemaMakeItDirty() throws SQLException {
        db.exec("CREATE SCHEMA tenant_1", "CREATE TABLE public.moved (id int)", "ALTER TABLE public.moved SET SCHEMA tenant_1",
                "CREATE SCHEMA tenant_2", "CREATE TABLE tenant_2.events (at date) PARTITION BY RANGE (at)");

        assertThatThrownBy(() -> apply(db.url("tenant_1"), dir("1_init.sql", INIT)))
                .hasMessageStartingWith("sql/migrate: connected database is not clean: found table \"moved\" in"
                        + " schema \"tenant_1\".");
        assertThatThrownBy(() -> apply(db.url("tenant_2"), dir("1_init.sql", INIT)))
                .hasMessageStartingWith("sql/migrate: connected database is not clean: found table \"events\" in"
                        + " schema \"tenant_2\".");
    }

    @Test
    void databasePerTenantCountsEverySchemaButTheRevisionsOne() throws SQLException {
        db.exec("CREATE SCHEMA atlas_schema_revisions", "CREATE TABLE atlas_schema_revisions.aaa (id int)");
        assertThat(apply(db.url(), dir("1_init.sql", INIT)).status()).as("the revisions schema does not count")
                .isEqualTo("PASSED");

        try (ScratchDatabase other = TestDatabases.postgresDatabase("exec")) {
            other.exec("CREATE TABLE public.legacy (id int)", "CREATE SCHEMA billing", "CREATE TABLE billing.zeta (id int)");

            assertThatThrownBy(() -> apply(other.url(), dir("1_init.sql", INIT)))
                    .hasMessageStartingWith("sql/migrate: connected database is not clean: found table \"zeta\" in"
                            + " schema \"billing\".");
        }
    }

    @Test
    void reusedConnectionServesTenantAfterTenantAndIsLeftCleanAfterEveryOutcome() throws SQLException {
        PreparedDirectory ok = dir("1_init.sql", INIT, "2_seed.sql", SEED);
        PreparedDirectory bad = dir("1_init.sql", INIT, "2_seed.sql", SEED, "3_bad.sql", "INSERT INTO nope VALUES (1);\n");
        ApplyListener crash = new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                throw new IllegalStateException("worker stopped");
            }
        };
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            long pid = backendPid(c);
            assertThat(executor.apply(c, DatabaseUrl.parse(db.url("tenant_1")), ok, ApplyOptions.defaults(),
                    ApplyListener.NONE).status()).isEqualTo("PASSED");
            assertClean(c, observer, pid);
            assertThat(executor.apply(c, DatabaseUrl.parse(db.url("tenant_2")), bad, ApplyOptions.defaults(),
                    ApplyListener.NONE).status()).isEqualTo("FAILED");
            assertClean(c, observer, pid);
            assertThatThrownBy(() -> executor.apply(c, DatabaseUrl.parse(db.url("tenant_3")), ok,
                    ApplyOptions.defaults(), crash)).hasMessage("worker stopped");
            assertClean(c, observer, pid);
            assertThatThrownBy(() -> executor.apply(c, DatabaseUrl.parse(db.url("tenant_3")), ok,
                    ApplyOptions.builder().txMode(dev.flotilla.migrate.dir.TxMode.ALL).build(), crash))
                    .hasMessage("worker stopped");
            assertClean(c, observer, pid);
            assertThat(executor.apply(c, DatabaseUrl.parse(db.url("tenant_3")), ok, ApplyOptions.defaults(),
                    ApplyListener.NONE).status()).isEqualTo("PASSED");
            assertClean(c, observer, pid);
        }
        assertThat(query("SELECT count(*) FROM tenant_1.users")).isEqualTo(2);
        assertThat(query("SELECT count(*) FROM tenant_2.users")).isEqualTo(2);
        assertThat(query("SELECT count(*) FROM tenant_3.users")).isEqualTo(2);
        assertThat(revisions("tenant_2")).extracting(Revision::version, Revision::applied)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Revision.CLOUD_IDENTIFIER, 0L),
                        org.assertj.core.groups.Tuple.tuple("1", 1L), org.assertj.core.groups.Tuple.tuple("2", 2L),
                        org.assertj.core.groups.Tuple.tuple("3", 0L));
    }

    /** Autocommit on, no transaction open or aborted, no advisory lock held by the session. */
    private static void assertClean(Connection c, Connection observer, long pid) throws SQLException {
        assertThat(c.getAutoCommit()).isTrue();
        try (PreparedStatement ps = observer.prepareStatement("SELECT (SELECT count(*) FROM pg_locks WHERE pid = ?"
                + " AND locktype = 'advisory'), (SELECT state FROM pg_stat_activity WHERE pid = ?)")) {
            ps.setLong(1, pid);
            ps.setLong(2, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("advisory locks held").isZero();
                assertThat(rs.getString(2)).as("session state").isEqualTo("idle");
            }
        }
    }

    private static long backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void lockIsPerSchemaSoOtherTenantsOfTheSameDatabaseAreNotBlocked() throws Exception {
        PreparedDirectory d = dir("1_init.sql", INIT);
        DatabaseUrl t1 = DatabaseUrl.parse(db.url("tenant_1"));
        try (Connection holder = db.connect();
             TargetLock held = new PostgresDialect().lock(holder, t1, "tenant_1", Duration.ofSeconds(1))) {
            assertThat(apply(db.url("tenant_2"), d).status()).as("other schema runs").isEqualTo("PASSED");
            assertThatThrownBy(() -> executor.apply(t1, d,
                    ApplyOptions.builder().lockTimeout(Duration.ofMillis(300)).build(), ApplyListener.NONE))
                    .isInstanceOf(FlotillaException.class)
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
        }
        assertThat(apply(db.url("tenant_1"), d).status()).isEqualTo("PASSED");
    }

    @Test
    void aRunOnAConnectionOfItsOwnLeavesTheTargetsLockFreeWhenItEnds() throws Exception {
        PreparedDirectory d = dir("1_init.sql", INIT);
        DatabaseUrl url = DatabaseUrl.parse(db.url("tenant_1"));
        assertThat(apply(db.url("tenant_1"), d).status()).isEqualTo("PASSED");
        // The run closes its connection instead of unlocking: the lock goes when the backend exits.
        try (Connection other = db.connect()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> new PostgresDialect()
                    .lock(other, url, "tenant_1", Duration.ZERO).close());
        }
        assertThat(apply(db.url("tenant_1"), dir("1_init.sql", INIT, "2_seed.sql", SEED)).status())
                .as("the next run takes the lock at once").isEqualTo("PASSED");
    }

    @Test
    void aSecondSessionWaitsInTheServerUntilTheTimeoutAndGetsTheLockOnceReleased() throws Exception {
        PostgresDialect d = new PostgresDialect();
        DatabaseUrl url = DatabaseUrl.parse(db.url("tenant_1"));
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (Connection holder = db.connect(); Connection waiter = db.connect()) {
            String lockTimeoutBefore = setting(waiter, "lock_timeout");
            TargetLock held = d.lock(holder, url, "tenant_1", Duration.ofSeconds(1));

            long start = System.nanoTime();
            assertThatThrownBy(() -> d.lock(waiter, url, "tenant_1", Duration.ofMillis(500)))
                    .isInstanceOf(FlotillaException.class)
                    .hasMessageContaining("(revisions schema \"tenant_1\") timed out after 500ms")
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450),
                    Duration.ofSeconds(5));
            assertThat(setting(waiter, "lock_timeout")).as("reset after a timeout").isEqualTo(lockTimeoutBefore);

            long waiterPid = backendPid(waiter); // before the wait: the connection is busy during it
            Future<TargetLock> waiting = background.submit(() -> d.lock(waiter, url, "tenant_1",
                    Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitsOnAnAdvisoryLock(holder, waiterPid));
            held.close();
            try (TargetLock got = waiting.get(10, TimeUnit.SECONDS)) {
                assertThat(setting(waiter, "lock_timeout")).as("reset after the wait").isEqualTo(lockTimeoutBefore);
                assertThatThrownBy(() -> d.lock(holder, url, "tenant_1", Duration.ZERO))
                        .as("now held by the second session").isInstanceOf(FlotillaException.class);
            }
        } finally {
            background.shutdownNow();
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Whether backend {@code pid} is blocked in the server on an advisory lock, as pg_stat_activity shows it. */
    private static boolean waitsOnAnAdvisoryLock(Connection observer, long pid) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("SELECT wait_event_type = 'Lock' AND wait_event ="
                + " 'advisory' FROM pg_stat_activity WHERE pid = ?")) {
            ps.setLong(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Test
    void devReplayOnAScratchSchemaNamesFileAndLineAndLeavesTheSchemaEmpty() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_bad.sql", "-- seed\nINSERT INTO users VALUES (1, 'a');\n\n"
                + "INSERT INTO nope VALUES (1);\n");

        assertThatThrownBy(() -> DevReplay.replay(DatabaseUrl.parse(db.url("dev")), d))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("sql/migrate: executing statement \"INSERT INTO nope VALUES (1);\" from version \"2\""
                        + " (file 2_bad.sql, line 4): pq: relation \"nope\" does not exist");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dev'")).isZero();
    }

    @Test
    void unreachableServerIsAClearConnectionError() {
        PreparedDirectory d = dir("1_init.sql", INIT);

        assertThatThrownBy(() -> apply("postgres://u:topsecret@127.0.0.1:1/db?sslmode=disable", d))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("cannot connect to postgres://u:xxxxx@127.0.0.1:1/db")
                .hasMessageNotContaining("topsecret")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
    }

    @Test
    void txModeNoneFileRunsOutsideATransaction() throws SQLException {
        apply(db.url(), dir("1_init.sql", INIT,
                "2_idx.sql", "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY users_name ON users (name);\n"));

        assertThat(query("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name'")).isEqualTo(1);
    }

    @Test
    void dollarQuotedFunctionBodiesRunAsOneStatement() throws SQLException {
        ApplyResult r = apply(db.url(), dir("1_fn.sql",
                "CREATE FUNCTION one() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\nSELECT one();\n"));

        assertThat(r.status()).isEqualTo("PASSED");
        assertThat(revisions("atlas_schema_revisions").get(1).total()).isEqualTo(2);
    }

    private long query(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
