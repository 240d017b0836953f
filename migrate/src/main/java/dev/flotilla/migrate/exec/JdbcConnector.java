package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;

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

    /**
     * Opens a connection to the target.
     *
     * @throws FlotillaException {@link ErrorCode#AUTH_FAILED} or {@link ErrorCode#CONNECTION_FAILED}
     */
    public static Connection open(DatabaseUrl url, Duration connectTimeout) {
        Properties p = new Properties();
        url.user().ifPresent(u -> p.setProperty("user", u));
        url.password().ifPresent(pw -> p.setProperty("password", pw));
        String jdbc = jdbcUrl(url, connectTimeout, p);
        try {
            Connection c = driver(jdbc).connect(jdbc, p);
            return c != null ? c : DriverManager.getConnection(jdbc, p);
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

    static String jdbcUrl(DatabaseUrl url, Duration timeout, Properties p) {
        long secs = Math.max(1, timeout.toSeconds());
        switch (url.dialect()) {
            case POSTGRES:
                p.setProperty("connectTimeout", Long.toString(secs));
                p.setProperty("ApplicationName", "flotilla");
                p.setProperty("sslmode", url.query().getOrDefault("sslmode", "prefer"));
                return "jdbc:postgresql://" + url.host() + ":" + url.port() + "/" + url.database();
            case MYSQL:
                p.setProperty("connectTimeout", Long.toString(secs * 1000));
                boolean maria = url.scheme().startsWith("maria");
                if (!maria) {
                    p.setProperty("allowPublicKeyRetrieval", "true");
                    p.setProperty("sslMode", "false".equals(url.query().get("tls")) ? "DISABLED" : "PREFERRED");
                }
                return (maria ? "jdbc:mariadb://" : "jdbc:mysql://") + url.host() + ":" + url.port() + "/"
                        + url.database();
            default:
                p.setProperty("busy_timeout", Long.toString(secs * 1000));
                return url.inMemory() ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + url.database();
        }
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
        String reason = FailureClassifier.networkReason(e).orElse(DatabaseUrl.redact(msg));
        return new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot connect to " + where + ": " + reason
                + "; check that the server is running and reachable and that the database exists", e);
    }
}
