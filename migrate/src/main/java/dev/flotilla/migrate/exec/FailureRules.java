package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tables {@link FailureClassifier} decides by: MySQL/MariaDB error numbers, SQLStates (exact,
 * then by class), SQLite result codes and Flotilla's own error codes. Every row was checked
 * against what the drivers throw on the real servers ({@code FailureClassifierIT}).
 */
final class FailureRules {
    /**
     * What one exception says on its own.
     *
     * @param kind retry or not
     * @param code the error code to report; null for statement-level failures, which keep the code
     *     of the enclosing {@link dev.flotilla.migrate.FlotillaException} (else {@link ErrorCode#STATEMENT_FAILED})
     * @param reason a short human text
     */
    record Verdict(Kind kind, ErrorCode code, String reason) {
    }

    static final Verdict LOCK_TIMEOUT = transientOf(ErrorCode.LOCK_TIMEOUT, "lock timeout");
    static final Verdict CONNECTION = transientOf(ErrorCode.CONNECTION_FAILED, "connection failure");
    static final Verdict AUTH = permanentOf(ErrorCode.AUTH_FAILED, "authentication failed");
    static final Verdict NO_TLS = permanentOf(ErrorCode.CONNECTION_FAILED, "server offers no TLS");
    static final Verdict UNTRUSTED = permanentOf(ErrorCode.CONNECTION_FAILED, "server certificate not trusted");

    private static final Verdict SERIALIZATION = transientOf(null, "serialization failure");
    private static final Verdict DEADLOCK = transientOf(null, "deadlock");
    private static final Verdict TOO_MANY = transientOf(ErrorCode.CONNECTION_FAILED, "too many connections");
    private static final Verdict SHUTDOWN = transientOf(ErrorCode.CONNECTION_FAILED, "server shutting down");
    private static final Verdict CONSTRAINT = permanentOf(null, "constraint violation");
    private static final Verdict SYNTAX = permanentOf(null, "syntax error");
    private static final Verdict DENIED = permanentOf(null, "permission denied");
    private static final Verdict UNKNOWN_DB = permanentOf(ErrorCode.CONNECTION_FAILED, "unknown database");

    /** MySQL/MariaDB error numbers; they are more specific than the SQLState they come with. */
    private static final Map<Integer, Verdict> VENDOR = Map.ofEntries(
            Map.entry(1205, LOCK_TIMEOUT), Map.entry(1213, DEADLOCK), Map.entry(1040, TOO_MANY),
            Map.entry(1203, TOO_MANY), Map.entry(1053, SHUTDOWN), Map.entry(1064, SYNTAX), Map.entry(1149, SYNTAX),
            Map.entry(1146, permanentOf(null, "undefined table")),
            Map.entry(1054, permanentOf(null, "undefined column")),
            Map.entry(1045, AUTH), Map.entry(1698, AUTH), Map.entry(1142, DENIED), Map.entry(1143, DENIED),
            Map.entry(1044, DENIED), Map.entry(1227, DENIED), Map.entry(1370, DENIED),
            Map.entry(1049, UNKNOWN_DB),
            Map.entry(1046, permanentOf(ErrorCode.CONNECTION_FAILED, "no database selected")),
            Map.entry(1062, CONSTRAINT), Map.entry(1048, CONSTRAINT), Map.entry(1451, CONSTRAINT),
            Map.entry(1452, CONSTRAINT), Map.entry(3819, CONSTRAINT), Map.entry(4025, CONSTRAINT));

    /** SQLStates decided exactly (mostly PostgreSQL's own). */
    private static final Map<String, Verdict> STATE = Map.ofEntries(
            Map.entry("55P03", LOCK_TIMEOUT), Map.entry("40001", SERIALIZATION), Map.entry("40P01", DEADLOCK),
            Map.entry("53300", TOO_MANY), Map.entry("57P01", SHUTDOWN), Map.entry("57P02", SHUTDOWN),
            Map.entry("57P03", transientOf(ErrorCode.CONNECTION_FAILED, "server cannot accept connections now")),
            Map.entry("42601", SYNTAX), Map.entry("42P01", permanentOf(null, "undefined table")),
            Map.entry("42703", permanentOf(null, "undefined column")),
            Map.entry("42883", permanentOf(null, "undefined function")),
            Map.entry("42704", permanentOf(null, "undefined object")),
            Map.entry("3F000", permanentOf(null, "undefined schema")), Map.entry("42501", DENIED),
            Map.entry("3D000", UNKNOWN_DB));

    /** SQLState classes (first two characters). Class 08 is refined by the caller. */
    private static final Map<String, Verdict> STATE_CLASS = Map.of("08", CONNECTION, "23", CONSTRAINT, "28", AUTH);

    /** Flotilla's own codes that decide on their own; the others defer to their cause. */
    private static final Map<ErrorCode, Verdict> FLOTILLA = flotillaCodes();

    /** Codes that wrap a driver failure without judging it: the cause decides, else they fail fast. */
    private static final Map<ErrorCode, String> DEFERRING = Map.of(ErrorCode.CONNECTION_FAILED, "connection failure",
            ErrorCode.STATEMENT_FAILED, "statement failed", ErrorCode.REVISIONS_INVALID, "invalid revisions table",
            ErrorCode.INTERNAL, "internal error");

    private FailureRules() {
    }

    private static Map<ErrorCode, Verdict> flotillaCodes() {
        Map<ErrorCode, Verdict> m = new EnumMap<>(ErrorCode.class);
        m.put(ErrorCode.LOCK_TIMEOUT, LOCK_TIMEOUT);
        m.put(ErrorCode.AUTH_FAILED, AUTH);
        m.put(ErrorCode.DIRECTORY_INVALID, permanentOf(ErrorCode.DIRECTORY_INVALID, "invalid migration directory"));
        m.put(ErrorCode.CHECKSUM_MISMATCH, permanentOf(ErrorCode.CHECKSUM_MISMATCH, "checksum mismatch"));
        m.put(ErrorCode.SQL_PARSE_ERROR, permanentOf(ErrorCode.SQL_PARSE_ERROR, "unparsable migration file"));
        m.put(ErrorCode.HISTORY_NON_LINEAR, permanentOf(ErrorCode.HISTORY_NON_LINEAR, "non-linear history"));
        m.put(ErrorCode.HISTORY_CHANGED, permanentOf(ErrorCode.HISTORY_CHANGED, "applied statement changed"));
        m.put(ErrorCode.DATABASE_NOT_CLEAN, permanentOf(ErrorCode.DATABASE_NOT_CLEAN, "database not clean"));
        m.put(ErrorCode.URL_INVALID, permanentOf(ErrorCode.URL_INVALID, "invalid database URL"));
        m.put(ErrorCode.CONFIG_INVALID, permanentOf(ErrorCode.CONFIG_INVALID, "invalid configuration"));
        m.put(ErrorCode.NOT_FOUND, permanentOf(ErrorCode.NOT_FOUND, "not found"));
        return m;
    }

    /** Whether a FlotillaException with this code lets its cause decide. */
    static boolean defers(ErrorCode code) {
        return DEFERRING.containsKey(code);
    }

    /** The verdict for a FlotillaException whose cause said nothing we understand. */
    static Verdict flotilla(ErrorCode code) {
        Verdict v = FLOTILLA.get(code);
        if (v != null) {
            return v;
        }
        String reason = DEFERRING.getOrDefault(code, code.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        return permanentOf(code, reason);
    }

    /**
     * An SQLException from PostgreSQL, MySQL or MariaDB (not SQLite): error number first, then
     * exact SQLState, then SQLState class; null when none of them is known.
     */
    static Verdict sql(SQLException e) {
        if (e.getErrorCode() > 0) {
            Verdict v = vendor(e);
            if (v != null) {
                return v;
            }
        }
        String state = e.getSQLState();
        if (state == null || state.length() != 5) {
            return null;
        }
        Verdict v = STATE.get(state);
        if (v == null && "08004".equals(state)) {
            return rejected(e);
        }
        return v != null ? v : STATE_CLASS.get(state.substring(0, 2));
    }

    private static Verdict vendor(SQLException e) {
        if (e.getErrorCode() == 1226) {
            // ER_USER_LIMIT_REACHED also covers hourly quotas, which a few retries cannot outwait.
            return contains(e, "max_user_connections") ? TOO_MANY : null;
        }
        return VENDOR.get(e.getErrorCode());
    }

    /**
     * 08004, "server rejected the connection": PostgreSQL's driver uses it for authentication it
     * cannot do and for SSL the server lacks, which no retry fixes; too many connections came by
     * error number already.
     */
    private static Verdict rejected(SQLException e) {
        if (saysAuth(e)) {
            return AUTH;
        }
        return Tls.serverLacksTls(e) ? NO_TLS : permanentOf(ErrorCode.CONNECTION_FAILED,
                "connection rejected by the server");
    }

    /**
     * A connection-class (08) failure that TLS caused: the server offers none while the URL
     * requires it, or its certificate does not verify. Neither changes by retrying.
     */
    static Verdict tls(SQLException e) {
        if (Tls.serverLacksTls(e)) {
            return NO_TLS;
        }
        return Tls.verificationFailed(e) ? UNTRUSTED : null;
    }

    /** Whether a connection-class (08) failure is the driver telling us about credentials. */
    static boolean saysAuth(SQLException e) {
        return contains(e, "authentication") || contains(e, "password") || contains(e, "access denied for user");
    }

    private static boolean contains(Throwable t, String lowerCase) {
        String m = t.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains(lowerCase);
    }

    /** An SQLite result code, by its name: {@code SQLITE_BUSY_SNAPSHOT}, {@code SQLITE_CONSTRAINT_UNIQUE}, … */
    static Verdict sqlite(String resultCode, String message) {
        if (resultCode.startsWith("SQLITE_BUSY") || resultCode.startsWith("SQLITE_LOCKED")) {
            return transientOf(ErrorCode.LOCK_TIMEOUT, "database locked");
        }
        if (resultCode.startsWith("SQLITE_CONSTRAINT")) {
            return CONSTRAINT;
        }
        if (resultCode.startsWith("SQLITE_PERM") || resultCode.startsWith("SQLITE_AUTH")
                || resultCode.startsWith("SQLITE_READONLY")) {
            return DENIED;
        }
        if (resultCode.startsWith("SQLITE_CANTOPEN")) {
            return permanentOf(ErrorCode.CONNECTION_FAILED, "cannot open database file");
        }
        return "SQLITE_ERROR".equals(resultCode) ? sqliteError(message == null ? "" : message) : null;
    }

    /** SQLITE_ERROR is SQLite's catch-all; its text says which. */
    private static Verdict sqliteError(String message) {
        if (message.contains("syntax error") || message.contains("incomplete input")) {
            return SYNTAX;
        }
        if (message.contains("no such table")) {
            return permanentOf(null, "undefined table");
        }
        return message.contains("no such column") ? permanentOf(null, "undefined column") : null;
    }

    static Verdict transientOf(ErrorCode code, String reason) {
        return new Verdict(Kind.TRANSIENT, code, reason);
    }

    static Verdict permanentOf(ErrorCode code, String reason) {
        return new Verdict(Kind.PERMANENT, code, reason);
    }
}
