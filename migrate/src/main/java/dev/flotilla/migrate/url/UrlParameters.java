package dev.flotilla.migrate.url;

import dev.flotilla.migrate.sql.Dialect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The query parameters a database URL may carry, per dialect: the ones Atlas users write and
 * Flotilla honours. Nothing else reaches a driver; a parameter outside the list is refused rather
 * than ignored, since the drivers would otherwise read it as an option (Connector/J's
 * {@code allowLoadLocalInfile}, pgjdbc's {@code sslfactory}, SQLite's {@code vfs}, …).
 *
 * <ul>
 *   <li>PostgreSQL (lib/pq, Atlas' driver): {@code search_path}, {@code sslmode} ({@code disable},
 *       {@code require}, {@code verify-ca}, {@code verify-full}; lib/pq has no {@code prefer} or
 *       {@code allow}), {@code sslrootcert}, {@code sslcert}, {@code sslkey}, {@code connect_timeout}
 *       (seconds) and {@code application_name}.</li>
 *   <li>MySQL and MariaDB (go-sql-driver/mysql): {@code tls} ({@code true}, {@code false},
 *       {@code skip-verify}, {@code preferred}; Go's booleans {@code 1}/{@code 0}/{@code TRUE}/…),
 *       {@code parseTime} (a boolean that only Go's result decoding reads) and {@code charset}
 *       (utf8mb4, utf8 or utf8mb3, the character sets JDBC talks anyway).</li>
 *   <li>SQLite (mattn/go-sqlite3): {@code mode} ({@code memory}, {@code ro}, {@code rw},
 *       {@code rwc}), {@code cache} ({@code shared}, {@code private}) and {@code _fk} /
 *       {@code _foreign_keys} (Go's booleans).</li>
 * </ul>
 */
final class UrlParameters {
    private static final Set<String> GO_READ_BOOL = Set.of("1", "true", "TRUE", "True", "0", "false", "FALSE",
            "False");
    private static final Set<String> GO_PARSE_BOOL = Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F",
            "FALSE", "false", "False");
    private static final Set<String> MYSQL_CHARSETS = Set.of("utf8mb4", "utf8", "utf8mb3");

    /** One allowed parameter: its name, which values it takes and how to say so. */
    private record Param(String name, Predicate<String> valid, String values) {
        static Param any(String name) {
            return new Param(name, v -> true, "any");
        }

        static Param oneOf(String name, String... values) {
            return new Param(name, Set.of(values)::contains, or(values));
        }

        /** Like {@link #oneOf}, and the empty value, which means the driver's default. */
        static Param oneOfOrEmpty(String name, String... values) {
            return new Param(name, v -> v.isEmpty() || Set.of(values).contains(v), or(values));
        }

        private static String or(String... values) {
            int last = values.length - 1;
            return String.join(", ", Arrays.asList(values).subList(0, last)) + " or " + values[last];
        }
    }

    private static final Map<Dialect, List<Param>> ALLOWED = Map.of(
            Dialect.POSTGRES, List.of(Param.any("search_path"),
                    Param.oneOfOrEmpty("sslmode", "disable", "require", "verify-ca", "verify-full"),
                    Param.any("sslrootcert"), Param.any("sslcert"), Param.any("sslkey"),
                    new Param("connect_timeout", UrlParameters::seconds, "a whole number of seconds"),
                    Param.any("application_name")),
            Dialect.MYSQL, List.of(
                    new Param("tls", UrlParameters::tls, "true, false, skip-verify or preferred"),
                    new Param("parseTime", GO_READ_BOOL::contains, "true or false"),
                    new Param("charset", UrlParameters::charsets, "utf8mb4, utf8 or utf8mb3")),
            Dialect.SQLITE, List.of(Param.oneOf("mode", "memory", "ro", "rw", "rwc"),
                    Param.oneOf("cache", "shared", "private"),
                    new Param("_fk", GO_PARSE_BOOL::contains, "true or false"),
                    new Param("_foreign_keys", GO_PARSE_BOOL::contains, "true or false")));

    private UrlParameters() {
    }

    /**
     * Decodes a raw query as Go's {@code url.ParseQuery} does ({@code +} is a space) and checks
     * it against the dialect's list.
     *
     * @return the parameters in the order written; never null
     * @throws dev.flotilla.migrate.FlotillaException URL_INVALID naming every refused parameter
     *     and value, each with what is allowed
     */
    static Map<String, String> parse(String raw, Dialect dialect, String scheme, String shownUrl) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String pair : raw.split("&")) {
            if (!pair.isEmpty()) {
                add(out, pair, shownUrl, problems);
            }
        }
        for (Map.Entry<String, String> e : out.entrySet()) {
            check(dialect, scheme, e.getKey(), e.getValue(), problems);
        }
        if (!problems.isEmpty()) {
            throw DatabaseUrl.invalid(shownUrl, String.join("; ", problems));
        }
        return out;
    }

    private static void add(Map<String, String> out, String pair, String shownUrl, List<String> problems) {
        int eq = pair.indexOf('=');
        String name = decodeQuery(eq >= 0 ? pair.substring(0, eq) : pair, shownUrl);
        String value = eq >= 0 ? decodeQuery(pair.substring(eq + 1), shownUrl) : "";
        String before = out.putIfAbsent(name, value);
        if (before != null && !before.equals(value)) {
            problems.add("parameter " + name + " is given twice, with different values; keep one");
        }
    }

    private static void check(Dialect dialect, String scheme, String name, String value, List<String> problems) {
        Param p = ALLOWED.get(dialect).stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
        if (p == null) {
            problems.add("parameter \"" + name + "\" is not accepted in a " + scheme + " URL, because it would"
                    + " reach the driver as an option; the accepted ones are " + names(dialect));
        } else if (!p.valid().test(value)) {
            problems.add(name + "=" + value + " is not supported; " + name + " takes " + p.values()
                    + hint(name, value));
        }
    }

    private static String hint(String name, String value) {
        if ("sslmode".equals(name) && ("prefer".equals(value) || "allow".equals(value))) {
            return " (like Atlas' lib/pq: use require to encrypt without verifying, or disable for no TLS)";
        }
        return "";
    }

    /** The accepted parameter names of a dialect, for messages. */
    static String names(Dialect dialect) {
        return ALLOWED.get(dialect).stream().map(Param::name).collect(Collectors.joining(", "));
    }

    private static boolean seconds(String v) {
        return v.matches("[0-9]{1,9}");
    }

    private static boolean tls(String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        return v.isEmpty() || GO_READ_BOOL.contains(v) || "skip-verify".equals(lower) || "preferred".equals(lower);
    }

    private static boolean charsets(String v) {
        for (String c : v.split(",", -1)) {
            if (!MYSQL_CHARSETS.contains(c.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** Go's {@code readBool} (go-sql-driver) and {@code strconv.ParseBool} (go-sqlite3), true side. */
    static boolean goTrue(String v) {
        return Set.of("1", "t", "T", "TRUE", "true", "True").contains(v);
    }

    /** Percent-decodes a query name or value as Go does: {@code +} is a space. */
    static String decodeQuery(String s, String shownUrl) {
        return DatabaseUrl.decode(s.replace('+', ' '), shownUrl);
    }
}
