package dev.flotilla.worker;

import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Pooled connections for schema-per-tenant PostgreSQL, against the real server. */
class TargetConnectionsIT {
    @TempDir
    Path tmp;

    private ScratchDatabase db;
    private final MigrationExecutor executor = new MigrationExecutor();
    private final TargetConnections pool = new TargetConnections(2, Duration.ofMinutes(1));

    @BeforeEach
    void setUp() {
        db = TestDatabases.postgresDatabase("pool");
    }

    @AfterEach
    void tearDown() {
        pool.close();
        db.close();
    }

    @Test
    void onlyUrlsBoundToASchemaArePooled() {
        assertThat(TargetConnections.pooled(DatabaseUrl.parse("postgres://app@db:5432/app?search_path=tenant_1")))
                .as("schema per tenant").isTrue();
        assertThat(TargetConnections.pooled(DatabaseUrl.parse("postgres://app@db:5432/tenant_1?sslmode=disable")))
                .as("database per tenant").isFalse();
        assertThat(TargetConnections.pooled(DatabaseUrl.parse("mysql://root@db:3306/tenant_1"))).isFalse();
        assertThat(TargetConnections.pooled(DatabaseUrl.parse("sqlite:///tmp/tenant_1.db"))).isFalse();
    }

    @Test
    void tenantsOfOneDatabaseShareAConnectionAndEachGetsItsOwnSchema() throws Exception {
        PreparedDirectory d = dir("1_init.sql", "CREATE TABLE users (id int PRIMARY KEY);\n");

        int first = applyPooled("tenant_1", d);
        int second = applyPooled("tenant_2", d);

        assertThat(second).as("backend pid of the second tenant's run").isEqualTo(first);
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'"
                + " AND table_schema IN ('tenant_1', 'tenant_2')")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM tenant_2.atlas_schema_revisions WHERE version = '1'")).isEqualTo(1);
    }

    @Test
    void whatAMigrationChangesInTheSessionDoesNotReachTheNextTenant() throws Exception {
        PreparedDirectory d = dir("1_session.sql", "SET lock_timeout = '1234ms';\n"
                + "CREATE TEMP TABLE scratch (x int);\n"
                + "SELECT pg_advisory_lock(42);\n"
                + "CREATE TABLE users (id int PRIMARY KEY);\n");
        applyPooled("tenant_1", d);

        DatabaseUrl next = DatabaseUrl.parse(db.url("tenant_2"));
        Connection c = pool.borrow(next, Duration.ofSeconds(5));
        try {
            assertThat(single(c, "SHOW lock_timeout")).isEqualTo("0");
            assertThat(single(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND pid = pg_backend_pid()")).isEqualTo("0");
            assertThat(single(c, "SELECT count(*) FROM pg_class WHERE relname = 'scratch'"
                    + " AND relpersistence = 't' AND pg_table_is_visible(oid)")).isEqualTo("0");
            assertThat(c.getAutoCommit()).isTrue();
        } finally {
            pool.release(next, c, true);
        }
    }

    @Test
    void aConnectionFromARunThatThrewIsClosedNotReused() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(db.url("tenant_1"));
        Connection c = pool.borrow(url, Duration.ofSeconds(5));
        int pid = pid(c);

        pool.release(url, c, false);

        assertThat(c.isClosed()).isTrue();
        assertThat(pool.idleCount()).isZero();
        Connection again = pool.borrow(url, Duration.ofSeconds(5));
        try {
            assertThat(pid(again)).isNotEqualTo(pid);
        } finally {
            pool.release(url, again, true);
        }
    }

    @Test
    void aConnectionHandedBackInsideATransactionIsClosedNotReused() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(db.url("tenant_1"));
        Connection c = pool.borrow(url, Duration.ofSeconds(5));
        c.setAutoCommit(false);
        single(c, "SELECT 1");

        pool.release(url, c, true);

        assertThat(c.isClosed()).isTrue();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void noMoreThanTheLimitStaysIdleAndIdleOnesAreEvicted() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(db.url("tenant_1"));
        Connection a = pool.borrow(url, Duration.ofSeconds(5));
        Connection b = pool.borrow(url, Duration.ofSeconds(5));
        Connection c = pool.borrow(url, Duration.ofSeconds(5));
        pool.release(url, a, true);
        pool.release(url, b, true);
        pool.release(url, c, true);

        assertThat(pool.idleCount()).isEqualTo(2);
        assertThat(a.isClosed()).as("the one idle longest makes room: the limit is 2").isTrue();
        assertThat(c.isClosed()).isFalse();

        try (TargetConnections shortLived = new TargetConnections(2, Duration.ZERO)) {
            Connection d = shortLived.borrow(url, Duration.ofSeconds(5));
            shortLived.release(url, d, true);
            shortLived.evictIdle();
            assertThat(shortLived.idleCount()).isZero();
            assertThat(d.isClosed()).isTrue();
        }
    }

    @Test
    void aServerKeepsNoMoreIdleConnectionsThanTheLimitWhateverTheirDatabases() throws Exception {
        // A database per tenant: each database its own key, yet the server's backends stay bounded.
        List<Connection> released = new ArrayList<>();
        for (String database : List.of(db.name(), "postgres", "test")) {
            DatabaseUrl url = DatabaseUrl.parse(db.url().replace("/" + db.name(), "/" + database));
            Connection c = pool.borrow(url, Duration.ofSeconds(5));
            pool.release(url, c, true);
            released.add(c);
        }

        assertThat(pool.idleCount()).as("limit 2 for the server").isEqualTo(2);
        assertThat(released.get(0).isClosed()).as("the first database's, idle longest").isTrue();
        assertThat(released.get(2).isClosed()).isFalse();
        DatabaseUrl test = DatabaseUrl.parse(db.url().replace("/" + db.name(), "/test"));
        Connection again = pool.borrow(test, Duration.ofSeconds(5));
        assertThat(again).as("the idle one of the same database is handed out").isSameAs(released.get(2));
        pool.release(test, again, false);
    }

    @Test
    void anotherDatabaseOrUserNeverGetsThePooledConnection() throws Exception {
        DatabaseUrl tenant = DatabaseUrl.parse(db.url("tenant_1"));
        Connection c = pool.borrow(tenant, Duration.ofSeconds(5));
        int pid = pid(c);
        pool.release(tenant, c, true);

        DatabaseUrl otherDb = DatabaseUrl.parse(db.url("tenant_1").replace("/" + db.name(), "/postgres"));
        Connection other = pool.borrow(otherDb, Duration.ofSeconds(5));
        try {
            assertThat(pid(other)).isNotEqualTo(pid);
            assertThat(single(other, "SELECT current_database()")).isEqualTo("postgres");
        } finally {
            pool.release(otherDb, other, false);
        }
    }

    private int applyPooled(String schema, PreparedDirectory d) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(db.url(schema));
        Connection c = pool.borrow(url, Duration.ofSeconds(5));
        boolean ok = false;
        try {
            int pid = pid(c);
            ApplyResult r = executor.apply(c, url, d, ApplyOptions.defaults(), ApplyListener.NONE);
            assertThat(r.status()).as("apply on %s", schema).isEqualTo("PASSED");
            ok = true;
            return pid;
        } finally {
            pool.release(url, c, ok);
        }
    }

    private PreparedDirectory dir(String... nameContent) throws IOException {
        return TestDirs.postgres(tmp, nameContent);
    }

    private int count(String sql) throws SQLException {
        try (Connection c = db.connect()) {
            return Integer.parseInt(single(c, sql));
        }
    }

    private static int pid(Connection c) throws SQLException {
        return Integer.parseInt(single(c, "SELECT pg_backend_pid()"));
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
