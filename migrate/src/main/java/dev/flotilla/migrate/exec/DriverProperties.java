package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.migrate.url.TlsMode;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Turns a {@link DatabaseUrl} into what a JDBC driver takes: a URL that holds only the scheme, the
 * host and the port, and {@link Properties} for everything else, the database name included, so
 * that nothing a user wrote is parsed by a driver as one of its options. Each driver gets the TLS
 * the URL asks for ({@link DatabaseUrl#tls()}, Atlas' defaults) and never reads local files on the
 * server's behalf ({@code LOAD DATA LOCAL INFILE}).
 */
final class DriverProperties {
    /** What {@link java.net.URI#getHost()} gives for a server-based authority: a name, IPv4 or [IPv6]. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]");

    private static final Map<TlsMode, String> PGJDBC = tlsNames("disable", null, "require", "verify-ca",
            "verify-full");
    private static final Map<TlsMode, String> CONNECTOR_J = tlsNames("DISABLED", "PREFERRED", "REQUIRED", null,
            "VERIFY_IDENTITY");
    /** MariaDB's driver has no "preferred": it is trust, and {@link JdbcConnector} falls back to disable. */
    private static final Map<TlsMode, String> MARIADB = tlsNames("disable", "trust", "trust", null,
            "verify-full");

    /** The driver's URL and properties. */
    record Target(String jdbcUrl, Properties properties) {
    }

    private DriverProperties() {
    }

    /** The connection settings for {@code url}, waiting at most {@code timeout} to connect. */
    static Target of(DatabaseUrl url, Duration timeout) {
        long secs = Math.max(1, timeout.toSeconds());
        Properties p = new Properties();
        url.user().ifPresent(u -> p.setProperty("user", u));
        url.password().ifPresent(pw -> p.setProperty("password", pw));
        switch (url.dialect()) {
            case POSTGRES:
                return new Target(server("jdbc:postgresql://", url), postgres(url, secs, p));
            case MYSQL:
                return url.scheme().startsWith("maria")
                        ? new Target(server("jdbc:mariadb://", url), mariadb(url, secs, p))
                        : new Target(server("jdbc:mysql://", url), mysql(url, secs, p));
            default:
                return sqlite(url, secs, p);
        }
    }

    /** {@code jdbc:<driver>://host:port/}; the database goes into the properties. */
    private static String server(String prefix, DatabaseUrl url) {
        if (!HOST.matcher(url.host()).matches()) {
            throw new FlotillaException(ErrorCode.URL_INVALID, "invalid database URL \"" + url.redacted()
                    + "\": its host \"" + url.host() + "\" is not a host name or IP address");
        }
        return prefix + url.host() + ":" + url.port() + "/";
    }

    /**
     * pgjdbc. Without sslrootcert, verify-ca and verify-full check the certificate against the JVM's
     * trust store, as lib/pq uses the system's roots; pgjdbc's own factory would demand
     * {@code ~/.postgresql/root.crt}.
     */
    private static Properties postgres(DatabaseUrl url, long secs, Properties p) {
        Map<String, String> q = url.query();
        set(p, "PGDBNAME", url.database());
        p.setProperty("connectTimeout", q.getOrDefault("connect_timeout", "0").matches("0*")
                ? Long.toString(secs) : q.get("connect_timeout"));
        p.setProperty("ApplicationName", q.getOrDefault("application_name", "flotilla"));
        p.setProperty("sslmode", PGJDBC.get(url.tls()));
        set(p, "sslrootcert", q.get("sslrootcert"));
        set(p, "sslcert", q.get("sslcert"));
        set(p, "sslkey", q.get("sslkey"));
        boolean verify = url.tls() == TlsMode.VERIFY_CA || url.tls() == TlsMode.VERIFY_FULL;
        if (verify && q.getOrDefault("sslrootcert", "").isEmpty()) {
            p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        }
        return p;
    }

    /** MySQL Connector/J. */
    private static Properties mysql(DatabaseUrl url, long secs, Properties p) {
        set(p, "dbname", url.database());
        p.setProperty("connectTimeout", Long.toString(secs * 1000));
        p.setProperty("sslMode", CONNECTOR_J.get(url.tls()));
        p.setProperty("allowPublicKeyRetrieval", Boolean.toString(url.tls().required()));
        p.setProperty("allowLoadLocalInfile", "false");
        p.setProperty("allowUrlInLocalInfile", "false");
        return p;
    }

    /** MariaDB Connector/J, whose {@code allowLocalInfile} is on unless switched off. */
    private static Properties mariadb(DatabaseUrl url, long secs, Properties p) {
        set(p, "database", url.database());
        p.setProperty("connectTimeout", Long.toString(secs * 1000));
        p.setProperty("sslMode", MARIADB.get(url.tls()));
        p.setProperty("allowPublicKeyRetrieval", Boolean.toString(url.tls().required()));
        p.setProperty("allowLocalInfile", "false");
        return p;
    }

    /** sqlite-jdbc; the path was checked by {@link DatabaseUrl#parse} to hold no driver syntax. */
    private static Target sqlite(DatabaseUrl url, long secs, Properties p) {
        SQLiteConfig c = new SQLiteConfig(p);
        c.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, secs * 1000));
        String mode = url.query().getOrDefault("mode", "rwc");
        c.setReadOnly("ro".equals(mode));
        if ("ro".equals(mode) || "rw".equals(mode)) {
            c.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        c.setSharedCache("shared".equals(url.query().get("cache")));
        url.sqliteForeignKeys().ifPresent(c::enforceForeignKeys);
        return new Target(url.inMemory() ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + url.database(),
                c.toProperties());
    }

    private static void set(Properties p, String key, String value) {
        if (value != null && !value.isEmpty()) {
            p.setProperty(key, value);
        }
    }

    private static Map<TlsMode, String> tlsNames(String disabled, String preferred, String required,
            String verifyCa, String verifyFull) {
        Map<TlsMode, String> m = new EnumMap<>(TlsMode.class);
        m.put(TlsMode.DISABLED, disabled);
        m.put(TlsMode.PREFERRED, preferred);
        m.put(TlsMode.REQUIRED, required);
        m.put(TlsMode.VERIFY_CA, verifyCa);
        m.put(TlsMode.VERIFY_FULL, verifyFull);
        return m;
    }
}
