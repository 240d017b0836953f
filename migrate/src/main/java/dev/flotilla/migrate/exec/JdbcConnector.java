package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.migrate.url.TlsMode;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Opens JDBC connections for Atlas-style URLs and turns connection failures into messages that
 * say what to fix, without the password.
 */
public final class JdbcConnector {
    private JdbcConnector() {
    }

    private static final ConcurrentMap<String, Driver> DRIVERS = new ConcurrentHashMap<>();
    private static final String MARIADB = "jdbc:mariadb:";

    /**
     * Opens a connection to the target, with the TLS its URL asks for ({@link DatabaseUrl#tls()}).
     *
     * @throws FlotillaException {@link ErrorCode#AUTH_FAILED} or {@link ErrorCode#CONNECTION_FAILED};
     *     when the server cannot give the TLS the URL requires, the message names the URL parameter
     *     and how to connect without TLS
     */
    public static Connection open(DatabaseUrl url, Duration connectTimeout) {
        DriverProperties.Target t = DriverProperties.of(url, connectTimeout);
        try {
            return connect(t);
        } catch (SQLException e) {
            if (url.tls() == TlsMode.PREFERRED && t.jdbcUrl().startsWith(MARIADB) && Tls.serverLacksTls(e)) {
                return clearTextFallback(url, t);
            }
            throw connectFailure(url, e);
        }
    }

    private static Connection connect(DriverProperties.Target t) throws SQLException {
        Connection c = driver(t.jdbcUrl()).connect(t.jdbcUrl(), t.properties());
        return c != null ? c : DriverManager.getConnection(t.jdbcUrl(), t.properties());
    }

    /**
     * {@code tls=preferred} on MariaDB's driver, which has no such mode: the server offered no TLS,
     * so connect in clear text, as go-sql-driver/mysql would.
     */
    private static Connection clearTextFallback(DatabaseUrl url, DriverProperties.Target t) {
        Properties p = new Properties();
        p.putAll(t.properties());
        p.setProperty("sslMode", "disable");
        p.setProperty("allowPublicKeyRetrieval", "false");
        try {
            return connect(new DriverProperties.Target(t.jdbcUrl(), p));
        } catch (SQLException e) {
            throw connectFailure(url, e);
        }
    }

    /**
     * The driver for a {@code jdbc:<sub-protocol>:} prefix, found once. {@link DriverManager} offers
     * every URL to each registered driver in turn, and MySQL Connector/J answers a SQLite URL by
     * matching it against its regular expressions: 6% of a worker thread's CPU on a SQLite fleet (JFR).
     */
    private static Driver driver(String jdbc) throws SQLException {
        String prefix = jdbc.substring(0, jdbc.indexOf(':', "jdbc:".length()) + 1);
        Driver d = DRIVERS.get(prefix);
        if (d == null) {
            d = DriverManager.getDriver(jdbc);
            DRIVERS.put(prefix, d);
        }
        return d;
    }

    /** Classifies a failure to connect with {@link FailureClassifier}: credentials, or what kept us out. */
    static FlotillaException connectFailure(DatabaseUrl url, SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String where = url.redacted();
        if (FailureClassifier.classify(e).code() == ErrorCode.AUTH_FAILED) {
            return new FlotillaException(ErrorCode.AUTH_FAILED, "cannot connect to " + where
                    + ": the server refused the credentials (" + DatabaseUrl.redact(msg)
                    + "); check the user name and password in the URL", e);
        }
        if (Tls.serverLacksTls(e)) {
            return new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot connect to " + where + ": "
                    + Tls.lacksTlsAdvice(url, DatabaseUrl.redact(msg)), e);
        }
        if (Tls.verificationFailed(e) && (url.tls() == TlsMode.VERIFY_CA || url.tls() == TlsMode.VERIFY_FULL)) {
            return new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot connect to " + where + ": "
                    + Tls.verificationAdvice(url, DatabaseUrl.redact(msg)), e);
        }
        String reason = FailureClassifier.networkReason(e).orElse(DatabaseUrl.redact(msg));
        return new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot connect to " + where + ": " + reason
                + "; check that the server is running and reachable and that the database exists", e);
    }
}
