package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.FailureClassifier.Classification;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.flotilla.migrate.exec.FailureClassifierPostgresIT.thrown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each class of failure produced for real on the MariaDB at 127.0.0.1:3306, classified as the
 * driver throws it; then the executor's own exceptions for the same situations.
 */
class FailureClassifierMariaDbIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String INIT = "CREATE TABLE users (id int PRIMARY KEY, name varchar(100) NOT NULL);\n";

    private ScratchDatabase db;
    private final List<String> users = new ArrayList<>();

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.mariaDbDatabase("classify");
        db.exec("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL) ENGINE=InnoDB",
                "INSERT INTO t VALUES (1, 1), (2, 2)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        if (db == null) {
            return;
        }
        for (String user : users) {
            db.exec("DROP USER IF EXISTS '" + user + "'@'%'", "DROP USER IF EXISTS '" + user + "'@'localhost'");
        }
        db.close();
    }

    private static void assertSeen(SQLException e, String sqlState, int errorNumber, Kind kind, ErrorCode code,
            String reason) {
        assertThat(e.getSQLState()).as("SQLState of %s", e).isEqualTo(sqlState);
        assertThat(e.getErrorCode()).as("error number of %s", e).isEqualTo(errorNumber);
        assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(kind, code, reason));
    }

    /** A user on both host patterns (root connects over 127.0.0.1, which 'localhost' rows may shadow). */
    private String user(String suffix, String options) throws SQLException {
        String name = "flt_" + suffix + "_" + db.name().substring(db.name().length() - 6);
        for (String host : List.of("%", "localhost")) {
            db.exec("CREATE USER '" + name + "'@'" + host + "' " + options);
        }
        users.add(name);
        return name;
    }

    private static Connection connect(String database, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(SERVER + database, p);
    }

    private static ApplyResult apply(String url, ApplyOptions options) {
        MigrationDirectory d = MigrationDirectory.of(new TreeMap<>(Map.of("1_init.sql",
                INIT.getBytes(StandardCharsets.UTF_8))), null);
        return new MigrationExecutor().apply(DatabaseUrl.parse(url), PreparedDirectory.of(d, Dialect.MYSQL),
                options.toBuilder().allowDirty(true).build(), ApplyListener.NONE);
    }

    private static FlotillaException applyFailure(String url, ApplyOptions options) {
        try {
            ApplyResult r = apply(url, options);
            throw new AssertionError("expected the apply to be refused, it ended " + r.status());
        } catch (FlotillaException e) {
            return e;
        }
    }

    @Test
    void connectionRefusedIsTransient() {
        SQLException e = thrown(() -> DriverManager.getConnection("jdbc:mariadb://127.0.0.1:1/x?user=root").close());

        assertSeen(e, "08000", 0, Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection refused");
    }

    @Test
    void syntaxErrorIsPermanent() {
        SQLException e = thrown(() -> db.exec("CREAT TABLE x (id int)"));

        assertSeen(e, "42000", 1064, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "syntax error");
    }

    @Test
    void duplicateKeyIsPermanent() {
        SQLException e = thrown(() -> db.exec("INSERT INTO t VALUES (1, 9)"));

        assertSeen(e, "23000", 1062, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "constraint violation");
    }

    @Test
    void undefinedTableIsPermanent() {
        SQLException e = thrown(() -> db.exec("SELECT * FROM nope"));

        assertSeen(e, "42S02", 1146, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "undefined table");
    }

    @Test
    void lockWaitTimeoutOnARowHeldByAnotherConnectionIsTransient() throws SQLException {
        try (Connection holder = db.connect(); Connection waiter = db.connect();
             Statement h = holder.createStatement(); Statement w = waiter.createStatement()) {
            holder.setAutoCommit(false);
            h.executeQuery("SELECT * FROM t WHERE id = 1 FOR UPDATE").close();
            w.execute("SET innodb_lock_wait_timeout = 1");

            SQLException e = thrown(() -> w.executeUpdate("UPDATE t SET v = 5 WHERE id = 1"));

            assertSeen(e, "HY000", 1205, Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "lock timeout");
            holder.rollback();
        }
    }

    @Test
    void deadlockIsTransient() throws Exception {
        try (Connection a = db.connect(); Connection b = db.connect()) {
            for (Connection c : List.of(a, b)) {
                c.setAutoCommit(false);
                exec(c, "SET innodb_lock_wait_timeout = 10");
            }
            exec(a, "SELECT * FROM t WHERE id = 1 FOR UPDATE");
            exec(b, "SELECT * FROM t WHERE id = 2 FOR UPDATE");
            // Each now asks for the other's row. Whichever asks second closes the cycle, so there is
            // nothing to wait for: InnoDB detects the deadlock as soon as both requests are in.
            CompletableFuture<SQLException> fromA = CompletableFuture.supplyAsync(
                    () -> failureOf(() -> exec(a, "UPDATE t SET v = v + 1 WHERE id = 2")));
            SQLException fromB = failureOf(() -> exec(b, "UPDATE t SET v = v + 1 WHERE id = 1"));
            SQLException fromAOrNull = fromA.get(20, TimeUnit.SECONDS);

            assertThat(fromB != null || fromAOrNull != null).as("one of the two is the deadlock victim").isTrue();
            assertSeen(fromB != null ? fromB : fromAOrNull, "40001", 1213, Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED,
                    "deadlock");
            a.rollback();
            b.rollback();
        }
    }

    @Test
    void revokedGrantIsPermanent() throws SQLException {
        String writer = user("rw", "IDENTIFIED BY 'pw'");
        for (String host : List.of("%", "localhost")) {
            db.exec("GRANT SELECT, INSERT ON " + db.name() + ".* TO '" + writer + "'@'" + host + "'",
                    "REVOKE INSERT ON " + db.name() + ".* FROM '" + writer + "'@'" + host + "'");
        }
        try (Connection c = connect(db.name(), writer, "pw"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM t").close();

            SQLException e = thrown(() -> s.execute("INSERT INTO t VALUES (3, 3)"));

            assertSeen(e, "42000", 1142, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "permission denied");
        }
    }

    @Test
    void wrongPasswordIsPermanentAuthFailureAlsoThroughTheExecutor() throws SQLException {
        String app = user("pw", "IDENTIFIED BY 'right-pass'");

        SQLException e = thrown(() -> connect(db.name(), app, "Wr0ng-S3cret").close());
        FlotillaException applied = applyFailure(db.url().replace("mariadb://root@", "mariadb://" + app
                + ":Wr0ng-S3cret@"), ApplyOptions.defaults());

        assertSeen(e, "28000", 1045, Kind.PERMANENT, ErrorCode.AUTH_FAILED, "authentication failed");
        assertThat(applied.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(applied.getMessage()).doesNotContain("Wr0ng-S3cret");
        assertThat(FailureClassifier.classify(applied)).isEqualTo(new Classification(Kind.PERMANENT,
                ErrorCode.AUTH_FAILED, "authentication failed"));
    }

    @Test
    void databaseDroppedMidUseIsPermanent() throws SQLException {
        ScratchDatabase doomed = TestDatabases.mariaDbDatabase("classify_drop");
        try (Connection c = doomed.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int)");
            doomed.close();

            SQLException select = thrown(() -> s.executeQuery("SELECT * FROM t").close());
            SQLException create = thrown(() -> s.execute("CREATE TABLE t2 (id int)"));
            SQLException reconnect = thrown(() -> doomed.connect().close());
            FlotillaException applied = applyFailure(doomed.url(), ApplyOptions.defaults());

            assertSeen(select, "42S02", 1146, Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "undefined table");
            assertSeen(create, "42000", 1049, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unknown database");
            assertSeen(reconnect, "42000", 1049, Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unknown database");
            assertThat(applied.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(FailureClassifier.classify(applied)).isEqualTo(new Classification(Kind.PERMANENT,
                    ErrorCode.CONNECTION_FAILED, "unknown database"));
        } finally {
            doomed.close();
        }
    }

    @Test
    void maxUserConnectionsIsTransient() throws SQLException {
        String limited = user("lim", "WITH MAX_USER_CONNECTIONS 1");
        try (Connection only = connect("", limited, null)) {
            SQLException e = thrown(() -> connect("", limited, null).close());

            assertSeen(e, "42000", 1226, Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "too many connections");
        }
    }

    @Test
    void killedConnectionIsTransient() throws SQLException {
        try (Connection victim = db.connect(); Statement v = victim.createStatement()) {
            db.exec("KILL CONNECTION " + connectionId(victim));

            SQLException e = thrown(() -> v.execute("SELECT 1"));

            assertThat(e.getSQLState()).isEqualTo("08000");
            assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(Kind.TRANSIENT,
                    ErrorCode.CONNECTION_FAILED, "connection failure"));
        }
    }

    // --- the executor's exceptions ---

    @Test
    void executorConnectionRefusedIsTransient() {
        FlotillaException e = applyFailure("mariadb://root:s3cret@127.0.0.1:1/" + db.name(), ApplyOptions.defaults());

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).endsWith(": connection refused; check that the server is running and reachable"
                + " and that the database exists").doesNotContain("s3cret");
        assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(Kind.TRANSIENT,
                ErrorCode.CONNECTION_FAILED, "connection refused"));
    }

    @Test
    void executorLockTimeoutIsTransientAndRetried() throws Exception {
        DatabaseUrl target = DatabaseUrl.parse(db.url());
        List<Duration> slept = new ArrayList<>();
        RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1), () -> 0.5, slept::add);
        try (Connection holder = db.connect();
             TargetLock held = new MysqlDialect().lock(holder, target, db.name(), Duration.ofSeconds(1))) {
            FlotillaException e = applyFailure(db.url(),
                    ApplyOptions.builder().lockTimeout(Duration.ofMillis(200)).build());

            assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(Kind.TRANSIENT,
                    ErrorCode.LOCK_TIMEOUT, "lock timeout"));
            assertThatThrownBy(() -> twice.call(() -> apply(db.url(), ApplyOptions.builder()
                    .lockTimeout(Duration.ofMillis(200)).build()), msg -> { }))
                    .hasMessageStartingWith("gave up after 2 attempts: lock timeout; last error: sql/migrate: acquiring"
                            + " the migration lock of mariadb://root@127.0.0.1:3306/" + db.name())
                    .extracting(x -> ((FlotillaException) x).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
            assertThat(slept).containsExactly(Duration.ofMillis(100));
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static SQLException failureOf(FailureClassifierPostgresIT.SqlWork work) {
        try {
            work.run();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
