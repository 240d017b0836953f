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

/** The executor against the real MariaDB on 127.0.0.1, through both mysql:// and mariadb:// URLs. */
class MariaDbExecutorIT {
    private static final String INIT = "CREATE TABLE users (id int PRIMARY KEY, name varchar(100) NOT NULL);\n";
    private static final String SEED = "INSERT INTO users (id, name) VALUES (1, \"a8m\");\n"
            + "INSERT INTO users (id, name) VALUES (2, \"rotemtam\");\n";

    @TempDir
    Path tmp;

    private ScratchDatabase db;
    private ScratchDatabase other;
    private final MigrationExecutor executor = new MigrationExecutor();

    @BeforeEach
    void setUp() {
        db = TestDatabases.mariaDbDatabase("exec");
        other = TestDatabases.mariaDbDatabase("exec2");
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
            other.close();
        }
    }

    private PreparedDirectory dir(String... files) {
        return TestDirs.prepare(TestDirs.write(tmp.resolve("m" + System.nanoTime()), files), Dialect.MYSQL);
    }

    private ApplyResult apply(String url, PreparedDirectory d) {
        return executor.apply(DatabaseUrl.parse(url), d, ApplyOptions.defaults(), ApplyListener.NONE);
    }

    @Test
    void appliesThroughTheMariadbAndTheMysqlSchemes() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);

        assertThat(apply(db.url(), d).status()).isEqualTo("PASSED");
        assertThat(apply(other.url().replace("mariadb://", "mysql://") + "?tls=false", d).status()).isEqualTo("PASSED");

        for (ScratchDatabase s : List.of(db, other)) {
            try (Connection c = s.connect()) {
                List<Revision> revs = new MysqlDialect().readAll(c, s.name());
                assertThat(revs).extracting(Revision::version).containsExactly(Revision.CLOUD_IDENTIFIER, "1", "2");
                assertThat(revs.get(2).applied()).isEqualTo(2);
                assertThat(revs.get(2).partialHashes()).isNull();
            }
            assertThat(count(s, "SELECT count(*) FROM users")).isEqualTo(2);
        }
        assertThat(apply(db.url(), d).status()).isEqualTo("NO_ACTION");
    }

    @Test
    void aDatabaseWithATableButNoRevisionsIsRefusedAsNotCleanAndACleanOneIsNot() throws SQLException {
        db.exec("CREATE TABLE legacy (id int)");

        assertThatThrownBy(() -> apply(db.url(), dir("1_init.sql", INIT)))
                .hasMessageContaining("not clean: found table \"legacy\" in schema \"" + db.name() + "\"")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.DATABASE_NOT_CLEAN);
        assertThat(count(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + db.name()
                + "' AND table_name = 'atlas_schema_revisions'")).as("nothing written").isZero();
        assertThat(apply(other.url(), dir("1_init.sql", INIT)).status()).isEqualTo("PASSED");
    }

    @Test
    void duplicateKeyIsReportedAsGoPrintsMysqlErrors() throws SQLException {
        apply(db.url(), dir("1_init.sql", INIT));
        db.exec("INSERT INTO users VALUES (1, 'existing')");

        ApplyResult r = apply(db.url(), dir("1_init.sql", INIT, "2_seed.sql", SEED));

        assertThat(r.error()).isEqualTo("sql/migrate: executing statement \"INSERT INTO users (id, name) VALUES (1,"
                + " \\\"a8m\\\");\" from version \"2\": Error 1062 (23000): Duplicate entry '1' for key 'PRIMARY'");
        try (Connection c = db.connect()) {
            Revision failed = new MysqlDialect().readAll(c, db.name()).get(2);
            assertThat(failed.error()).startsWith("Error 1062");
            assertThat(failed.applied()).isZero();
        }
    }

    @Test
    void lockIsPerDatabaseNotServerWide() throws Exception {
        PreparedDirectory d = dir("1_init.sql", INIT);
        DatabaseUrl first = DatabaseUrl.parse(db.url());
        try (Connection holder = db.connect();
             TargetLock held = new MysqlDialect().lock(holder, first, db.name(), Duration.ofSeconds(1))) {
            assertThat(apply(other.url(), d).status()).isEqualTo("PASSED");
            assertThatThrownBy(() -> executor.apply(first, d,
                    ApplyOptions.builder().lockTimeout(Duration.ofMillis(300)).build(), ApplyListener.NONE))
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
        }
    }

    @Test
    void aRunOnItsOwnConnectionLeavesTheLockToTheCloseAndTheNextRunGetsIt() throws Exception {
        PreparedDirectory d = dir("1_init.sql", INIT);
        String name = MysqlDialect.lockName(db.name());

        assertThat(apply(db.url(), d).status()).isEqualTo("PASSED");

        try (Connection observer = db.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lockHolder(observer, name) == 0);
        }
        assertThat(executor.apply(DatabaseUrl.parse(db.url()), d,
                ApplyOptions.builder().lockTimeout(Duration.ZERO).build(), ApplyListener.NONE).status())
                .isEqualTo("NO_ACTION");
    }

    @Test
    void aSecondSessionWaitsInTheServerUntilTheTimeoutAndGetsTheLockOnceReleased() throws Exception {
        MysqlDialect d = new MysqlDialect();
        DatabaseUrl url = DatabaseUrl.parse(db.url());
        String name = MysqlDialect.lockName(db.name());
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (Connection holder = db.connect(); Connection waiter = db.connect()) {
            TargetLock held = d.lock(holder, url, db.name(), Duration.ofSeconds(1));

            long start = System.nanoTime();
            assertThatThrownBy(() -> d.lock(waiter, url, db.name(), Duration.ofMillis(500)))
                    .isInstanceOf(FlotillaException.class)
                    .hasMessageContaining("(revisions schema \"" + db.name() + "\") timed out after 500ms")
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450),
                    Duration.ofSeconds(5));

            long waiterId = connectionId(waiter); // before the wait: the connection is busy during it
            Future<TargetLock> waiting = background.submit(() -> d.lock(waiter, url, db.name(),
                    Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10)).until(() -> "User lock".equals(state(holder, waiterId)));
            held.close();
            try (TargetLock got = waiting.get(10, TimeUnit.SECONDS)) {
                assertThat(lockHolder(holder, name)).as("now held by the second session").isEqualTo(waiterId);
            }
            assertThat(lockHolder(holder, name)).as("released").isZero();
        } finally {
            background.shutdownNow();
        }
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What the server says session {@code id} is doing; "User lock" while it waits in GET_LOCK. */
    private static String state(Connection observer, long id) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("SELECT STATE FROM information_schema.PROCESSLIST"
                + " WHERE ID = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The session holding user lock {@code name}, 0 when it is free. */
    private static long lockHolder(Connection observer, String name) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("SELECT IS_USED_LOCK(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void reusedConnectionIsLeftInAutocommitWithTheLockReleasedAfterAFailure() throws SQLException {
        PreparedDirectory d = dir("1_init.sql", INIT, "2_seed.sql", SEED);
        ApplyListener crash = new ApplyListener() {
            @Override
            public void statementStarted(PreparedDirectory.PreparedFile file, String shownText) {
                if (file.version().equals("2")) {
                    throw new IllegalStateException("worker stopped");
                }
            }
        };
        DatabaseUrl target = DatabaseUrl.parse(db.url());
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> executor.apply(c, target, d, ApplyOptions.defaults(), crash))
                    .hasMessage("worker stopped");

            assertThat(c.getAutoCommit()).isTrue();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT IS_USED_LOCK('" + MysqlDialect.lockName(db.name()) + "')")) {
                rs.next();
                assertThat(rs.getObject(1)).as("session holding the target lock").isNull();
            }
            assertThat(executor.apply(c, target, d, ApplyOptions.defaults(), ApplyListener.NONE).status())
                    .isEqualTo("PASSED");
        }
        assertThat(count(db, "SELECT count(*) FROM users")).isEqualTo(2);
    }

    @Test
    void wrongPasswordIsAnAuthFailureThatNeverShowsThePassword() throws SQLException {
        String user = "flt_pw_" + db.name().substring(db.name().length() - 6);
        db.exec("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY 'right-pass'",
                "CREATE USER IF NOT EXISTS '" + user + "'@'localhost' IDENTIFIED BY 'right-pass'");
        try {
            String url = db.url().replace("mariadb://root@", "mariadb://" + user + ":Wr0ng-S3cret@");
            PreparedDirectory d = dir("1_init.sql", INIT);

            assertThatThrownBy(() -> apply(url, d))
                    .isInstanceOf(FlotillaException.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains("refused the credentials")
                            .contains(user + ":xxxxx@").doesNotContain("Wr0ng-S3cret"))
                    .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        } finally {
            db.exec("DROP USER IF EXISTS '" + user + "'@'%'", "DROP USER IF EXISTS '" + user + "'@'localhost'");
        }
    }

    @Test
    void delimiterBlocksCreateProcedures() throws SQLException {
        ApplyResult r = apply(db.url(), dir("1_proc.sql", INIT
                + "DELIMITER //\nCREATE PROCEDURE add_user(IN n varchar(100))\nBEGIN\n  INSERT INTO users VALUES (10, n);\n"
                + "  INSERT INTO users VALUES (11, n);\nEND //\nDELIMITER ;\nCALL add_user('x');\n"));

        assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo("PASSED");
        assertThat(count(db, "SELECT count(*) FROM users")).isEqualTo(2);
    }

    private static long count(ScratchDatabase s, String sql) throws SQLException {
        try (Connection c = s.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
