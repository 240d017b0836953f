package dev.flotilla.migrate.url;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.sql.Dialect;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A database URL as Atlas users write it: {@code sqlite://file.db}, {@code sqlite://?mode=memory},
 * {@code postgres://user:pass@host:5432/db?search_path=s&sslmode=disable},
 * {@code mysql://user:pass@host:3306/db}, {@code mariadb://…}.
 *
 * <p>The password is kept out of {@link #toString()} and {@link #redacted()}; only
 * {@link #password()} returns it, for the driver.
 *
 * <p>A URL cannot smuggle driver options: the database name or SQLite path may not decode to
 * {@code ? & ; #} or control characters, and the query may carry only these parameters (any other
 * is refused with {@link ErrorCode#URL_INVALID}):
 * <ul>
 *   <li>PostgreSQL: {@code search_path}, {@code sslmode} ({@code disable}, {@code require} — the
 *       default, as in lib/pq —, {@code verify-ca}, {@code verify-full}), {@code sslrootcert},
 *       {@code sslcert}, {@code sslkey}, {@code connect_timeout}, {@code application_name};</li>
 *   <li>MySQL and MariaDB: {@code tls} ({@code true}, {@code false} — the default, as in
 *       go-sql-driver/mysql —, {@code skip-verify}, {@code preferred}), {@code parseTime},
 *       {@code charset};</li>
 *   <li>SQLite: {@code mode} ({@code memory}, {@code ro}, {@code rw}, {@code rwc}), {@code cache},
 *       {@code _fk} / {@code _foreign_keys}.</li>
 * </ul>
 */
public final class DatabaseUrl {
    /** What Atlas and Go's {@code url.Redacted} put in place of a password. */
    public static final String MASK = "xxxxx";

    private final String scheme;
    private final Dialect dialect;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> query;
    private final String redacted;
    private final TlsMode tls;

    private DatabaseUrl(Builder b) {
        this.scheme = b.scheme;
        this.dialect = b.dialect;
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.query = Collections.unmodifiableMap(new LinkedHashMap<>(b.query));
        this.redacted = b.redacted;
        this.tls = b.tls;
    }

    /**
     * Parses an Atlas-style URL. The database name (or SQLite path) must not decode to anything a
     * driver would read as options, and the query may carry only the parameters Atlas' driver for
     * the dialect knows and Flotilla honours (listed in the class comment).
     *
     * @throws FlotillaException with {@link ErrorCode#URL_INVALID} naming the bad part and what to
     *     write instead; the message shows the URL with its secrets masked
     */
    public static DatabaseUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        int sep = url.indexOf("://");
        String shown = Redactor.url(url);
        if (sep <= 0) {
            throw invalid(shown, "it has no scheme; write it like sqlite://file.db, postgres://user:pass@host:5432/db,"
                    + " mysql://user:pass@host:3306/db or mariadb://user:pass@host:3306/db");
        }
        String scheme = url.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case "sqlite":
            case "sqlite3":
                return parseSqlite(shown, scheme, url.substring(sep + 3));
            case "postgres":
            case "postgresql":
                return parseServer(url, shown, scheme, Dialect.POSTGRES, 5432);
            case "mysql":
            case "mariadb":
            case "maria":
                return parseServer(url, shown, scheme, Dialect.MYSQL, 3306);
            default:
                throw invalid(shown, "unknown scheme \"" + scheme + "\"; supported schemes are sqlite, postgres,"
                        + " postgresql, mysql and mariadb");
        }
    }

    private static DatabaseUrl parseSqlite(String shown, String scheme, String rest) {
        Builder b = new Builder(scheme, Dialect.SQLITE);
        int q = rest.indexOf('?');
        String path = q >= 0 ? rest.substring(0, q) : rest;
        if (q >= 0) {
            b.query.putAll(UrlParameters.parse(rest.substring(q + 1), Dialect.SQLITE, scheme, shown));
        }
        b.database = decode(path, shown);
        NameCheck.sqlitePath(b.database, shown);
        if (b.database.isEmpty() && !"memory".equals(b.query.get("mode"))) {
            throw invalid(shown, "it names no database file; write sqlite://file.db or sqlite://?mode=memory");
        }
        b.redacted = shown;
        b.tls = TlsMode.DISABLED;
        return new DatabaseUrl(b);
    }

    private static DatabaseUrl parseServer(String url, String shown, String scheme, Dialect dialect,
            int defaultPort) {
        URI uri = uri(url, shown);
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(shown, "it names no host; write " + scheme + "://user:pass@host:" + defaultPort
                    + "/database");
        }
        Builder b = new Builder(scheme, dialect);
        b.host = uri.getHost();
        b.port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        b.database = decode(path.startsWith("/") ? path.substring(1) : path, shown);
        NameCheck.databaseName(b.database, shown);
        userInfo(b, uri.getRawUserInfo(), shown);
        if (uri.getRawQuery() != null) {
            b.query.putAll(UrlParameters.parse(uri.getRawQuery(), dialect, scheme, shown));
        }
        b.redacted = shown;
        b.tls = dialect == Dialect.POSTGRES ? postgresTls(b.query) : mysqlTls(b.query.getOrDefault("tls", ""));
        return new DatabaseUrl(b);
    }

    private static URI uri(String url, String shown) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw invalid(shown, "it is not a valid URL (" + e.getReason() + " at index " + e.getIndex()
                    + "); percent-encode special characters in the user name and password");
        }
    }

    private static void userInfo(Builder b, String userInfo, String shown) {
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            b.user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, shown);
            b.password = colon >= 0 ? decode(userInfo.substring(colon + 1), shown) : null;
        }
    }

    /** lib/pq: no sslmode is require; require with a root certificate verifies the chain, as verify-ca. */
    private static TlsMode postgresTls(Map<String, String> query) {
        switch (query.getOrDefault("sslmode", "")) {
            case "disable":
                return TlsMode.DISABLED;
            case "verify-ca":
                return TlsMode.VERIFY_CA;
            case "verify-full":
                return TlsMode.VERIFY_FULL;
            default:
                return query.getOrDefault("sslrootcert", "").isEmpty() ? TlsMode.REQUIRED : TlsMode.VERIFY_CA;
        }
    }

    /** go-sql-driver/mysql: no tls is no TLS; true verifies the certificate and the host name. */
    private static TlsMode mysqlTls(String tls) {
        String lower = tls.toLowerCase(java.util.Locale.ROOT);
        if ("skip-verify".equals(lower)) {
            return TlsMode.REQUIRED;
        }
        if ("preferred".equals(lower)) {
            return TlsMode.PREFERRED;
        }
        return UrlParameters.goTrue(tls) ? TlsMode.VERIFY_FULL : TlsMode.DISABLED;
    }

    /**
     * Masks the secrets of every URL in {@code text} with {@value #MASK}: the password of the user
     * info, also when it holds a raw {@code / ? # @ %}, and the values of query parameters named
     * like a password ({@code password}, {@code sslpassword}, {@code password1}, …). A password cut
     * short by truncation is masked to the end of its URL. Safe on any input; null gives null.
     * Redact before truncating, never after.
     */
    public static String redact(String text) {
        return text == null ? null : Redactor.text(text);
    }

    /** Percent-decodes a path or user-info part; a {@code +} stays a {@code +}. */
    static String decode(String s, String shownUrl) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(shownUrl, "it holds a malformed percent-escape (" + e.getMessage() + "); write % as %25");
        }
    }

    static FlotillaException invalid(String shownUrl, String why) {
        return new FlotillaException(ErrorCode.URL_INVALID, "invalid database URL \"" + shownUrl + "\": " + why);
    }

    /** The scheme as written ({@code postgres}, {@code mariadb}, …). */
    public String scheme() {
        return scheme;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Host name; null for SQLite. */
    public String host() {
        return host;
    }

    /** Port; 0 for SQLite. */
    public int port() {
        return port;
    }

    /** Database name (server dialects, may be empty) or SQLite file path (empty for in-memory). */
    public String database() {
        return database;
    }

    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The password, for the driver only: never log or print it. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public Map<String, String> query() {
        return query;
    }

    /** The transport security the URL asks for, with Atlas' drivers' defaults where it says nothing. */
    public TlsMode tls() {
        return tls;
    }

    /** SQLite's {@code _fk} / {@code _foreign_keys}: whether to enforce foreign keys; empty when not set. */
    public Optional<Boolean> sqliteForeignKeys() {
        String v = query.containsKey("_fk") ? query.get("_fk") : query.get("_foreign_keys");
        return Optional.ofNullable(v).map(UrlParameters::goTrue);
    }

    /** True for {@code sqlite://…?mode=memory}. */
    public boolean inMemory() {
        return dialect == Dialect.SQLITE && "memory".equals(query.get("mode"));
    }

    /**
     * The schema the URL is bound to: PostgreSQL's {@code search_path}, the MySQL database, or
     * {@code main} for SQLite; empty when the URL is not bound to a schema.
     */
    public Optional<String> schema() {
        switch (dialect) {
            case POSTGRES:
                return Optional.ofNullable(query.get("search_path")).filter(s -> !s.isEmpty());
            case MYSQL:
                return Optional.of(database).filter(s -> !s.isEmpty());
            default:
                return Optional.of("main");
        }
    }

    /** The SQLite file as a path; only for file-backed SQLite URLs. */
    public Path sqliteFile() {
        if (dialect != Dialect.SQLITE || inMemory()) {
            throw new IllegalStateException("not a file-backed SQLite URL: " + redacted);
        }
        return Path.of(database);
    }

    /** Identifies the server, for per-server connection budgets: {@code host:port}, or the file. */
    public String serverKey() {
        return dialect == Dialect.SQLITE ? "sqlite:" + database : scheme + "://" + host + ":" + port;
    }

    /** The URL with the password replaced by {@value #MASK}; safe to print and to put on a topic. */
    public String redacted() {
        return redacted;
    }

    /** Same as {@link #redacted()}: a URL never prints its password. */
    @Override
    public String toString() {
        return redacted;
    }

    private static final class Builder {
        final String scheme;
        final Dialect dialect;
        String host;
        int port;
        String database = "";
        String user;
        String password;
        final Map<String, String> query = new LinkedHashMap<>();
        String redacted;
        TlsMode tls;

        Builder(String scheme, Dialect dialect) {
            this.scheme = scheme;
            this.dialect = dialect;
        }
    }
}
