package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
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
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Connections that {@link JdbcConnector} makes to the real MariaDB (local_infile=ON, no TLS) through
 * the mysql:// scheme (MySQL Connector/J) and the mariadb:// scheme (MariaDB Connector/J): pushed
 * SQL cannot make the worker read its own files, and a URL that asks for TLS does not get clear text.
 */
class JdbcConnectorMariaDbIT {
    private static final String LOAD = "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE t";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private ScratchDatabase db;

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.mariaDbDatabase("infile");
        db.exec("CREATE TABLE t (v text)", "CREATE TABLE control (v text)");
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    private String url(String scheme, String query) {
        return db.url().replace("mariadb://", scheme + "://") + query;
    }

    /** The server would serve the file to a client that allows it: without that, the tests below prove nothing. */
    private void assertServerServesLocalFiles() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "root");
        p.setProperty("allowLocalInfile", "true");
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db.name(), p);
             Statement s = c.createStatement()) {
            s.execute(LOAD.replace("TABLE t", "TABLE control"));
        }
        assertThat(count("control")).as("the server reads a local file for a client that allows it").isPositive();
    }

    private long count(String table) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void loadDataLocalInfilePushedInAMigrationFailsAndReadsNothing(String scheme) throws SQLException {
        assertServerServesLocalFiles();
        PreparedDirectory d = TestDirs.prepare(TestDirs.write(tmp.resolve(scheme), "1_load.sql", LOAD + ";\n"),
                Dialect.MYSQL);

        ApplyResult r = new MigrationExecutor().apply(DatabaseUrl.parse(url(scheme, "")), d,
                ApplyOptions.builder().allowDirty(true).build(), ApplyListener.NONE);

        assertThat(r.status()).isEqualTo("FAILED");
        assertThat(r.error()).containsIgnoringCase("local infile");
        assertThat(count("t")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void loadDataLocalInfileOnAConnectionOfTheConnectorFailsAndReadsNothing(String scheme) throws SQLException {
        assertServerServesLocalFiles();

        try (Connection c = JdbcConnector.open(DatabaseUrl.parse(url(scheme, "")), TIMEOUT);
             Statement s = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.execute(LOAD));
            assertThat((Throwable) e).as("LOAD DATA LOCAL INFILE through %s://", scheme).isNotNull();
            assertThat(e.getMessage()).containsIgnoringCase("local infile");
        }
        assertThat(count("t")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void tlsTrueAgainstAServerWithoutTlsFailsNamingTlsInsteadOfConnectingInClearText(String scheme) {
        for (String tls : new String[] {"true", "skip-verify"}) {
            DatabaseUrl url = DatabaseUrl.parse(url(scheme, "?tls=" + tls));

            FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> JdbcConnector.open(url, TIMEOUT)
                    .close());

            assertThat(e).as("%s with tls=%s", scheme, tls).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).startsWith("cannot connect to " + url.redacted() + ": the server does not"
                    + " offer TLS (").contains("and the URL's tls=" + tls + " requires it; enable TLS on the server,"
                    + " or, to connect without encryption, remove tls from the URL or write tls=preferred");
            assertThat(FailureClassifier.classify(e).kind()).as("no retry gives TLS").isEqualTo(Kind.PERMANENT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void withoutTlsOrWithTlsPreferredItConnectsInClearTextAsGoSqlDriverDoes(String scheme) throws SQLException {
        for (String query : new String[] {"", "?tls=false", "?tls=preferred"}) {
            try (Connection c = JdbcConnector.open(DatabaseUrl.parse(url(scheme, query)), TIMEOUT);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("%s%s", scheme, query).isEqualTo(db.name());
            }
        }
    }
}
