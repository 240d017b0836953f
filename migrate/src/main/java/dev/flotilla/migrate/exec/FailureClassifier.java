package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureRules.Verdict;
import org.sqlite.SQLiteException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that decides whether a failure is worth retrying. It walks the cause chain
 * (including {@link SQLException#getNextException()}), outermost first, and the first exception
 * that says something decides:
 *
 * <ul>
 *   <li>a {@link FlotillaException} by its code ({@code LOCK_TIMEOUT} is transient; directory,
 *       checksum, history, URL, config and auth codes are permanent); {@code CONNECTION_FAILED},
 *       {@code STATEMENT_FAILED}, {@code REVISIONS_INVALID} and {@code INTERNAL} only wrap a
 *       driver failure, so their cause decides;</li>
 *   <li>an SQLite exception by its result code ({@code SQLITE_BUSY*}/{@code SQLITE_LOCKED*} are
 *       transient, {@code SQLITE_CONSTRAINT*} permanent);</li>
 *   <li>any other {@link SQLException} by MySQL/MariaDB error number, then SQLState, then SQLState
 *       class: transient are lock timeouts (55P03, 1205), serialization failures and deadlocks
 *       (40001, 40P01, 1213), too many connections (53300, 1040), a server shutting down or
 *       starting (57P01, 57P03, 1053) and connection failures (class 08 unless the driver talks
 *       about credentials or TLS, {@link SQLTransientConnectionException}, {@link SQLRecoverableException});
 *       permanent are syntax errors, undefined objects, constraint violations, authentication
 *       failures, missing privileges, unknown databases (1049, 3D000, even where a driver
 *       calls them transient), a server without the TLS the URL requires and a server certificate
 *       that does not verify;</li>
 *   <li>a network exception: refused, reset or timed-out connections are transient, an unknown
 *       host is not.</li>
 * </ul>
 *
 * <p>Anything else is {@link Kind#PERMANENT}: what we do not understand we do not retry.
 * Stateless and thread-safe.
 */
public final class FailureClassifier {
    /** How many exceptions of one chain are looked at, against cycles and endless next-exception lists. */
    private static final int MAX_CHAIN = 64;

    private FailureClassifier() {
    }

    /** Whether trying again can help. */
    public enum Kind {
        /** The same work may succeed later: a lock, a busy server, a dropped connection. */
        TRANSIENT,
        /** Trying again fails the same way until someone changes the migration, the data or the setup. */
        PERMANENT
    }

    /**
     * The verdict on one failure.
     *
     * @param kind whether to retry; never null
     * @param code the error code to report it under; never null
     * @param reason a short human text such as {@code "lock timeout"} or {@code "syntax error"}; never null
     */
    public record Classification(Kind kind, ErrorCode code, String reason) {
        public Classification {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }

        /** Whether {@link #kind()} is {@link Kind#TRANSIENT}. */
        public boolean isTransient() {
            return kind == Kind.TRANSIENT;
        }
    }

    /**
     * Classifies a failure.
     *
     * @param failure what was thrown; not null
     * @return the classification; {@link Kind#PERMANENT} when nothing in the chain is understood
     */
    public static Classification classify(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        ErrorCode context = null;
        for (Throwable t : chain(failure)) {
            Verdict v = judge(t);
            if (v != null) {
                return resolve(v, context);
            }
            if (t instanceof FlotillaException) {
                context = ((FlotillaException) t).code();
            }
        }
        return unknown(failure, context);
    }

    /**
     * The network-level reason below {@code failure} ("connection refused", "unknown host x", …),
     * empty when the chain holds no network exception.
     */
    static Optional<String> networkReason(Throwable failure) {
        Verdict v = network(chain(failure));
        return v == null ? Optional.empty() : Optional.of(v.reason());
    }

    private static Classification resolve(Verdict v, ErrorCode context) {
        ErrorCode code = v.code() != null ? v.code() : context != null ? context : ErrorCode.STATEMENT_FAILED;
        return new Classification(v.kind(), code, v.reason());
    }

    /** What one exception says on its own; null when it says nothing we understand. */
    private static Verdict judge(Throwable t) {
        if (t instanceof FlotillaException) {
            ErrorCode code = ((FlotillaException) t).code();
            return FailureRules.defers(code) ? null : FailureRules.flotilla(code);
        }
        if (t instanceof SQLiteException) {
            SQLiteException e = (SQLiteException) t;
            return e.getResultCode() == null ? null : FailureRules.sqlite(e.getResultCode().name(), e.getMessage());
        }
        if (t instanceof SQLException) {
            return sql((SQLException) t);
        }
        return networkVerdict(t);
    }

    private static Verdict sql(SQLException e) {
        Verdict v = FailureRules.sql(e);
        boolean connectionType = e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException;
        if (v == null && connectionType) {
            v = FailureRules.CONNECTION;
        }
        if (v != FailureRules.CONNECTION) {
            // Only the generic connection verdict (class 08, or a connection exception type) is refined below.
            return v;
        }
        if (FailureRules.saysAuth(e)) {
            return FailureRules.AUTH;
        }
        Verdict tls = FailureRules.tls(e);
        if (tls != null) {
            return tls;
        }
        // A connection failure: the network exception below it, if any, says which (and an unknown host is final).
        List<Throwable> below = chain(e);
        Verdict net = network(below.subList(1, below.size()));
        return net != null ? net : v;
    }

    private static Verdict network(List<Throwable> chain) {
        for (Throwable t : chain) {
            Verdict v = networkVerdict(t);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Verdict networkVerdict(Throwable t) {
        if (t instanceof UnknownHostException) {
            return FailureRules.permanentOf(ErrorCode.CONNECTION_FAILED, "unknown host " + t.getMessage());
        }
        if (t instanceof SocketTimeoutException) {
            return FailureRules.transientOf(ErrorCode.CONNECTION_FAILED, "socket timeout");
        }
        if (!(t instanceof SocketException)) {
            return null;
        }
        String msg = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        String reason = t instanceof ConnectException ? (msg.contains("timed out") ? "connection timed out"
                : "connection refused")
                : t instanceof NoRouteToHostException ? "no route to host"
                : msg.contains("reset") ? "connection reset" : "connection lost";
        return FailureRules.transientOf(ErrorCode.CONNECTION_FAILED, reason);
    }

    private static Classification unknown(Throwable failure, ErrorCode context) {
        Throwable detail = null;
        for (Throwable t : chain(failure)) {
            if (!(t instanceof FlotillaException)) {
                detail = t;
                break;
            }
        }
        if (detail == null) {
            Verdict v = FailureRules.flotilla(context != null ? context : ErrorCode.INTERNAL);
            return new Classification(Kind.PERMANENT, v.code(), v.reason());
        }
        ErrorCode code = context != null ? context
                : detail instanceof SQLException ? ErrorCode.STATEMENT_FAILED : ErrorCode.INTERNAL;
        return new Classification(Kind.PERMANENT, code, "unrecognised " + describe(detail));
    }

    private static String describe(Throwable t) {
        if (t instanceof SQLiteException && ((SQLiteException) t).getResultCode() != null) {
            return "SQLite error " + ((SQLiteException) t).getResultCode().name();
        }
        if (t instanceof SQLException) {
            SQLException e = (SQLException) t;
            String state = e.getSQLState() == null ? "no SQLState" : "SQLState " + e.getSQLState();
            return "SQL error (" + state + (e.getErrorCode() != 0 ? ", error " + e.getErrorCode() : "") + ")";
        }
        return "failure (" + t.getClass().getName() + ")";
    }

    /**
     * The exception and everything below it, depth first: an exception, then its cause chain,
     * then its next exception. Each exception once; at most {@link #MAX_CHAIN}.
     */
    static List<Throwable> chain(Throwable top) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> out = new ArrayList<>();
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty() && out.size() < MAX_CHAIN) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
                todo.push(((SQLException) t).getNextException());
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
        }
        return out;
    }
}
