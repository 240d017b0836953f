package dev.flotilla.aggregator;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Tells a batch the views cannot take because of what an event holds from one that failed for a
 * passing reason. The first is worth finding and parking; the second is retried as it is.
 */
final class ViewErrors {
    private ViewErrors() {
    }

    /**
     * True when PostgreSQL rejected a value: SQLState class 22 (data exception: a NUL byte in a
     * text, a value out of range) or 23 (integrity constraint: a missing id). Walks the cause and
     * next-exception chains, since a failed JDBC batch reports the statement's error behind a
     * {@link java.sql.BatchUpdateException}. Anything else (connection lost, deadlock, shutdown,
     * our own SQL errors) is not the event's fault.
     */
    static boolean eventsFault(Throwable t) {
        return rejectedValue(t) != null;
    }

    /**
     * The SQLState and first line of PostgreSQL's complaint about a value, for a dead letter's
     * reason; the lines after it (the failing row, the statement) are left out, they repeat the event.
     */
    static String reason(Throwable t) {
        SQLException e = rejectedValue(t);
        if (e == null) {
            return String.valueOf(t);
        }
        String message = String.valueOf(e.getMessage());
        int eol = message.indexOf('\n');
        return "SQLState " + e.getSQLState() + ": " + (eol < 0 ? message : message.substring(0, eol));
    }

    /** The exception that names the rejected value: the statement's own, rather than the batch's wrapper. */
    private static SQLException rejectedValue(Throwable t) {
        SQLException wrapper = null;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>(List.of(t));
        while (!todo.isEmpty()) {
            Throwable e = todo.pop();
            if (!seen.add(e)) {
                continue;
            }
            if (e instanceof SQLException) {
                String state = ((SQLException) e).getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                    if (!(e instanceof BatchUpdateException)) {
                        return (SQLException) e;
                    }
                    wrapper = wrapper == null ? (SQLException) e : wrapper;
                }
                if (((SQLException) e).getNextException() != null) {
                    todo.push(((SQLException) e).getNextException());
                }
            }
            if (e.getCause() != null) {
                todo.push(e.getCause());
            }
        }
        return wrapper;
    }
}
