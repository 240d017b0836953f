package dev.flotilla.worker;

import dev.flotilla.migrate.exec.JdbcConnector;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps idle connections per PostgreSQL database so that the tenants of one server (one schema
 * each, bound with {@code SET search_path} by the executor) do not each pay a new backend and a
 * new authentication. A connection goes back only after a run that ended normally, and only after
 * {@code DISCARD ALL} reset what a migration file may have changed in the session (settings, role,
 * temporary tables, advisory locks, prepared statements); anything else closes it. Other targets
 * (a SQLite file, a MySQL or PostgreSQL database per tenant) get a fresh connection per run.
 *
 * <p>At most {@code maxIdlePerServer} connections stay idle per server, whatever their database:
 * with a database per tenant every tenant is a database of its own, and idle connections kept per
 * database (a thousand tenants, a thousand backends) used up the server's {@code max_connections}.
 * When a server is full, the connection idle longest goes. With the worker's limit of runs per
 * server, a worker holds at most twice that many connections to one server. Thread-safe.
 */
final class TargetConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetConnections.class);
    /** A connection idle longer than this is checked before it is handed out again. */
    private static final long VALIDATE_AFTER_NANOS = Duration.ofSeconds(5).toNanos();

    private final int maxIdlePerServer;
    private final Duration idleTimeout;
    /** Idle connections per server, the most recently used first. */
    private final Map<String, Deque<Idle>> idle = new HashMap<>();
    private boolean closed;

    TargetConnections(int maxIdlePerServer, Duration idleTimeout) {
        this.maxIdlePerServer = maxIdlePerServer;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Whether runs on this target share connections: schema-per-tenant PostgreSQL, a URL bound to
     * a schema ({@code search_path}), which the other tenants of its database reuse. A URL of a
     * database of its own (database per tenant) has no one to share with until the next rollout
     * reaches it, long after its idle connection went: pooling it only added a {@code DISCARD ALL}
     * per tenant and a backend kept idle.
     */
    static boolean pooled(DatabaseUrl url) {
        return url.dialect() == Dialect.POSTGRES && url.schema().isPresent();
    }

    /**
     * A connection to the target's database: an idle one when there is one, else a new one.
     *
     * @throws dev.flotilla.migrate.FlotillaException when a new connection cannot be made
     */
    Connection borrow(DatabaseUrl url, Duration connectTimeout) {
        Key key = Key.of(url);
        while (true) {
            Idle i;
            synchronized (this) {
                i = take(key);
            }
            if (i == null) {
                return JdbcConnector.open(url, connectTimeout);
            }
            if (System.nanoTime() - i.since < VALIDATE_AFTER_NANOS || valid(i.connection)) {
                return i.connection;
            }
            quietlyClose(i.connection);
        }
    }

    /**
     * Takes a connection back after a run. {@code reusable} is false when the run ended with an
     * exception: the session's state is unknown, so the connection is closed.
     */
    void release(DatabaseUrl url, Connection c, boolean reusable) {
        if (!reusable || !reset(c)) {
            quietlyClose(c);
            return;
        }
        Connection extra = null;
        synchronized (this) {
            Key key = Key.of(url);
            if (closed || maxIdlePerServer < 1) {
                extra = c;
            } else {
                Deque<Idle> q = idle.computeIfAbsent(key.server(), k -> new ArrayDeque<>());
                if (q.size() >= maxIdlePerServer) {
                    extra = q.pollLast().connection; // the one idle longest
                }
                q.addFirst(new Idle(key, c, System.nanoTime()));
            }
        }
        if (extra != null) {
            quietlyClose(extra);
        }
    }

    /** The most recently used idle connection for {@code key}, taken out; null when none. */
    private Idle take(Key key) {
        Deque<Idle> q = idle.get(key.server());
        if (q == null) {
            return null;
        }
        for (Iterator<Idle> it = q.iterator(); it.hasNext(); ) {
            Idle i = it.next();
            if (i.key.equals(key)) {
                it.remove();
                return i;
            }
        }
        return null;
    }

    /** Closes connections idle for longer than the idle timeout; call now and then, off the event loop. */
    void evictIdle() {
        long oldest = System.nanoTime() - idleTimeout.toNanos();
        List<Connection> gone = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Deque<Idle>> it = idle.values().iterator(); it.hasNext(); ) {
                Deque<Idle> q = it.next();
                while (!q.isEmpty() && q.peekLast().since < oldest) {
                    gone.add(q.pollLast().connection);
                }
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
        gone.forEach(TargetConnections::quietlyClose);
    }

    /** Idle connections now held, for tests and metrics. */
    synchronized int idleCount() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    @Override
    public void close() {
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(q -> q.forEach(i -> all.add(i.connection)));
            idle.clear();
        }
        all.forEach(TargetConnections::quietlyClose);
    }

    private static boolean reset(Connection c) {
        try {
            if (c.isClosed()) {
                return false;
            }
            // The executor hands the connection back with no open transaction; were one open,
            // DISCARD ALL would refuse to run inside it and the connection would be closed.
            try (Statement s = c.createStatement()) {
                s.execute("DISCARD ALL");
            }
            return true;
        } catch (SQLException e) {
            LOG.debug("not reusing a connection that failed to reset: {}", e.getMessage());
            return false;
        }
    }

    private static boolean valid(Connection c) {
        try {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void quietlyClose(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a pooled connection failed: {}", e.getMessage());
        }
    }

    private static final class Idle {
        final Key key;
        final Connection connection;
        final long since;

        Idle(Key key, Connection connection, long since) {
            this.key = key;
            this.connection = connection;
            this.since = since;
        }
    }

    /**
     * What makes two targets' connections interchangeable: server, database, credentials and every
     * connection setting of the URL (TLS above all); only the schema ({@code search_path}), which
     * each run sets for its own tenant, may differ.
     */
    private record Key(String server, String database, String user, String password, Map<String, String> settings) {
        static Key of(DatabaseUrl url) {
            Map<String, String> settings = new TreeMap<>(url.query());
            settings.remove("search_path");
            return new Key(url.serverKey(), url.database(), url.user().orElse(""), url.password().orElse(""),
                    settings);
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return server + "/" + database;
        }
    }
}
