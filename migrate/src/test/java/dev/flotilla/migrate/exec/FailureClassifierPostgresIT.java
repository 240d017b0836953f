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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each class of failure produced for real on the PostgreSQL at 127.0.0.1, classified as the
 * driver throws it; then the executor's own exceptions for the same situations.
 */
class FailureClassifierPostgresIT {
    private static final String INIT = "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n";

    private ScratchDatabase db;
    private final List<String> roles = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.postgresDatabase("classify");
        db.exec("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO t VALUES (1, 1), (2, 2)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        for (String role : roles) {
            db.exec("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
        db.close();
    }

    @FunctionalInterface
    interface SqlWork {
        void run() throws SQLException;
    }

    /** What the driver threw; fails the test when it threw nothing. */
    static SQLException thrown(SqlWork work) {
        try {
            work.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected the database to refuse this");
    }

    static void assertSeen(SQLException e, String sqlState, Kind kind, ErrorCode code, String reason) {
        assertThat(e.getSQLState()).as("SQLState of %s", e).isEqualTo(sqlState);
        assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(kind, code, reason));
    }

    private String role(String suffix, String options) throws SQLException {
        String name = db.name() + "_" + suffix;
        db.exec("CREATE ROLE " + name + " LOGIN " + options);
        roles.add(name);
        return name;
    }

    private Connection connectAs(String role) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", role);
        return DriverManager.getConnection(db.jdbcUrl().replace("?user=postgres", ""), p);
    }

    private RetryPolicy policy(int attempts) {
        return new RetryPolicy(attempts, Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5, slept::add);
    }

    private static PreparedDirectory dir(String name, String sql) {
        MigrationDirectory d = MigrationDirectory.of(new TreeMap<>(Map.of(name, sql.getBytes(StandardCharsets.UTF_8))),
                null);
        return PreparedDirectory.of(d, Dialect.POSTGRES);
    }

    /** Applies one file; the scratch database already holds table {@code t}, hence allow-dirty. */
    private static ApplyResult apply(String url, ApplyOptions options) {
        return new MigrationExecutor().apply(DatabaseUrl.parse(url), dir("1_init.sql", INIT),
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
        SQLException e = thrown(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:1/x?user=postgres")
                .close());

        assertSeen(e, "08001", Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection refused");
    }

    @Test
    void syntaxErrorIsPermanent() {
        SQLException e = thrown(() -> db.exec("CREAT TABLE x (id int)"));

        assertSeen(e, "42601", Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "syntax error");
    }

    @Test
    void uniqueViolationIsPermanent() {
        SQLException e = thrown(() -> db.exec("INSERT INTO t VALUES (1, 9)"));

        assertSeen(e, "23505", Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "constraint violation");
    }

    @Test
    void undefinedTableIsPermanent() {
        SQLException e = thrown(() -> db.exec("SELECT * FROM nope"));

        assertSeen(e, "42P01", Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "undefined table");
    }

    @Test
    void lockTimeoutWhileAnotherSessionHoldsTheTableIsTransient() throws SQLException {
        try (Connection holder = db.connect(); Connection waiter = db.connect();
             Statement h = holder.createStatement(); Statement w = waiter.createStatement()) {
            holder.setAutoCommit(false);
            h.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            w.execute("SET lock_timeout = '100ms'");

            SQLException e = thrown(() -> w.executeQuery("SELECT * FROM t").close());

            assertSeen(e, "55P03", Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT, "lock timeout");
            holder.rollback();
        }
    }

    @Test
    void serializationFailureOfTwoSerializableTransactionsIsTransient() throws SQLException {
        try (Connection a = db.connect(); Connection b = db.connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            for (Connection c : List.of(a, b)) {
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setAutoCommit(false);
            }
            // Write skew: each reads both rows, then changes a different one.
            sa.executeQuery("SELECT sum(v) FROM t").close();
            sb.executeQuery("SELECT sum(v) FROM t").close();
            sa.executeUpdate("UPDATE t SET v = v + 1 WHERE id = 1");
            sb.executeUpdate("UPDATE t SET v = v + 1 WHERE id = 2");

            SQLException e = thrown(() -> {
                a.commit();
                b.commit();
            });

            assertSeen(e, "40001", Kind.TRANSIENT, ErrorCode.STATEMENT_FAILED, "serialization failure");
            a.rollback();
            b.rollback();
        }
    }

    @Test
    void tooManyConnectionsForARoleIsTransient() throws SQLException {
        String limited = role("lim", "CONNECTION LIMIT 0");

        SQLException e = thrown(() -> connectAs(limited).close());

        assertSeen(e, "53300", Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "too many connections");
    }

    @Test
    void missingPrivilegeIsPermanent() throws SQLException {
        String reader = role("ro", "");
        db.exec("GRANT SELECT ON t TO " + reader);

        try (Connection c = connectAs(reader); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM t").close();
            SQLException e = thrown(() -> s.execute("INSERT INTO t VALUES (3, 3)"));

            assertSeen(e, "42501", Kind.PERMANENT, ErrorCode.STATEMENT_FAILED, "permission denied");
        }
    }

    @Test
    void unknownRoleIsAnAuthenticationFailure() {
        SQLException e = thrown(() -> connectAs(db.name() + "_nobody").close());

        assertSeen(e, "28000", Kind.PERMANENT, ErrorCode.AUTH_FAILED, "authentication failed");
    }

    @Test
    void backendTerminatedByAnAdministratorIsTransient() throws SQLException {
        try (Connection victim = db.connect(); Statement v = victim.createStatement()) {
            long pid = pid(v);
            db.exec("SELECT pg_terminate_backend(" + pid + ")");

            SQLException e = thrown(() -> v.execute("SELECT 1"));

            assertSeen(e, "57P01", Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "server shutting down");
            SQLException next = e.getNextException();
            assertThat(next == null ? null : next.getSQLState()).as("the I/O error that follows").isEqualTo("08006");
            SQLException closed = thrown(() -> v.execute("SELECT 1"));
            assertSeen(closed, "08003", Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "connection failure");
        }
    }

    @Test
    void droppedDatabaseTerminatesItsSessionsThenIsPermanentlyGone() throws SQLException {
        ScratchDatabase doomed = TestDatabases.postgresDatabase("classify_drop");
        try (Connection c = doomed.connect(); Statement s = c.createStatement()) {
            doomed.close();

            SQLException inUse = thrown(() -> s.execute("SELECT 1"));
            SQLException reconnect = thrown(() -> doomed.connect().close());

            assertSeen(inUse, "57P01", Kind.TRANSIENT, ErrorCode.CONNECTION_FAILED, "server shutting down");
            assertSeen(reconnect, "3D000", Kind.PERMANENT, ErrorCode.CONNECTION_FAILED, "unknown database");
            FlotillaException applied = applyFailure(doomed.url(), ApplyOptions.defaults());
            assertThat(applied.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(FailureClassifier.classify(applied)).isEqualTo(new Classification(Kind.PERMANENT,
                    ErrorCode.CONNECTION_FAILED, "unknown database"));
        } finally {
            doomed.close();
        }
    }

    // --- the executor's exceptions ---

    @Test
    void executorConnectionRefusedIsTransientAndRetriedUntilTheBound() {
        String url = "postgres://postgres:s3cret@127.0.0.1:1/" + db.name() + "?sslmode=disable";
        List<String> retries = new ArrayList<>();

        FlotillaException once = applyFailure(url, ApplyOptions.defaults());
        assertThat(FailureClassifier.classify(once)).isEqualTo(new Classification(Kind.TRANSIENT,
                ErrorCode.CONNECTION_FAILED, "connection refused"));

        assertThatThrownBy(() -> policy(3).call(() -> apply(url, ApplyOptions.defaults()), retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("gave up after 3 attempts: connection refused; last error: cannot connect to"
                        + " postgres://postgres:xxxxx@127.0.0.1:1/")
                .hasMessageNotContaining("s3cret")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(retries).hasSize(2).allSatisfy(r -> assertThat(r).doesNotContain("s3cret"));
    }

    @Test
    void executorLockTimeoutIsTransientAndTheRetrySucceedsOnceTheLockIsFree() throws Exception {
        DatabaseUrl target = DatabaseUrl.parse(db.url());
        ApplyOptions shortWait = ApplyOptions.builder().lockTimeout(Duration.ofMillis(300)).build();
        try (Connection holder = db.connect()) {
            TargetLock held = new PostgresDialect().lock(holder, target, TargetDialect.TABLE, Duration.ofSeconds(1));
            List<String> retries = new ArrayList<>();

            ApplyResult r = policy(3).call(() -> apply(db.url(), shortWait), msg -> {
                retries.add(msg);
                held.close();
            });

            assertThat(r.status()).isEqualTo("PASSED");
            assertThat(retries).singleElement().asString().startsWith("attempt 1 of 3 failed (lock timeout)")
                    .contains("acquiring the migration lock");
        }
    }

    @Test
    void executorLockTimeoutClassifiesAsTransient() throws Exception {
        DatabaseUrl target = DatabaseUrl.parse(db.url());
        try (Connection holder = db.connect();
             TargetLock held = new PostgresDialect().lock(holder, target, TargetDialect.TABLE, Duration.ofSeconds(1))) {
            FlotillaException e = applyFailure(db.url(),
                    ApplyOptions.builder().lockTimeout(Duration.ofMillis(200)).build());

            assertThat(e.code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
            assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(Kind.TRANSIENT,
                    ErrorCode.LOCK_TIMEOUT, "lock timeout"));
        }
    }

    @Test
    void executorWithoutPrivilegeToCreateTheRevisionsSchemaIsPermanentUnderItsOwnCode() throws SQLException {
        String reader = role("norev", "");
        String url = db.url().replace("postgres://postgres@", "postgres://" + reader + "@");
        List<String> retries = new ArrayList<>();

        FlotillaException e = applyFailure(url, ApplyOptions.defaults());

        assertThat(e.code()).isEqualTo(ErrorCode.REVISIONS_INVALID);
        assertThat(FailureClassifier.classify(e)).isEqualTo(new Classification(Kind.PERMANENT,
                ErrorCode.REVISIONS_INVALID, "permission denied"));
        assertThatThrownBy(() -> policy(5).call(() -> apply(url, ApplyOptions.defaults()), retries::add))
                .isInstanceOf(FlotillaException.class).hasMessage(e.getMessage());
        assertThat(retries).isEmpty();
    }

    private static long pid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
