package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS as Atlas' lib/pq has it, against the real PostgreSQL (ssl = off): a URL without sslmode asks
 * for an encrypted connection and is refused, saying how to go without; sslmode=disable connects.
 */
class JdbcConnectorPostgresIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ScratchDatabase db;

    @BeforeEach
    void setUp() throws SQLException {
        db = TestDatabases.postgresDatabase("tls");
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW ssl")) {
            rs.next();
            assumeTrue("off".equals(rs.getString(1)), "these tests need a PostgreSQL without TLS (ssl = off)");
        }
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void withoutSslmodeTheConnectionRequiresTlsAndTheErrorSaysHowToConnectWithoutIt() {
        String withPassword = db.url().replace("postgres://postgres@", "postgres://postgres:s3cret@");
        DatabaseUrl url = DatabaseUrl.parse(withPassword.replace("?sslmode=disable", "?search_path=public"));

        FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> JdbcConnector.open(url, TIMEOUT)
                .close());

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).isEqualTo("cannot connect to " + url.redacted() + ": the server does not offer TLS"
                + " (The server does not support SSL.) and the URL has no sslmode, which means sslmode=require"
                + " (encrypted, as with Atlas' lib/pq); enable TLS (ssl = on) on the server, or, to connect without"
                + " encryption, say so in the URL with sslmode=disable (e.g. " + url.redacted() + "&sslmode=disable)");
        assertThat(e.getMessage()).doesNotContain("s3cret");
        assertThat(FailureClassifier.classify(e).kind()).as("no retry gives TLS").isEqualTo(Kind.PERMANENT);
    }

    @Test
    void theExecutorRefusesTheSameWay() {
        DatabaseUrl url = DatabaseUrl.parse(db.url().replace("?sslmode=disable", ""));

        FlotillaException e = catchThrowableOfType(FlotillaException.class, () -> new MigrationExecutor()
                .revisions(url, ApplyOptions.defaults()));

        assertThat(e.getMessage()).contains("sslmode=require").contains("?sslmode=disable");
    }

    @Test
    void sslmodeDisableConnectsInClearText() throws SQLException {
        try (Connection c = JdbcConnector.open(DatabaseUrl.parse(db.url()), TIMEOUT);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database(), ssl FROM pg_stat_ssl"
                     + " WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(db.name());
            assertThat(rs.getBoolean(2)).isFalse();
        }
    }
}
