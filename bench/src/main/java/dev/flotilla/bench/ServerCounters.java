package dev.flotilla.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a database-per-tenant server did during a measured stretch, per tenant: where a contender's
 * time goes on the server's side (round trips, commits, fsyncs, connections). MariaDB: {@code SHOW
 * GLOBAL STATUS}; PostgreSQL: {@code pg_stat_database} summed over the tenant databases (flushed by
 * the backends at most once a second, so read after a short wait). Other layouts: nothing.
 */
final class ServerCounters {
    private static final Map<String, String> MARIADB = new LinkedHashMap<>();
    private static final Map<String, String> POSTGRES = new LinkedHashMap<>();

    static {
        MARIADB.put("Questions", "statements");
        MARIADB.put("Com_commit", "COMMITs");
        MARIADB.put("Com_create_table", "CREATE TABLEs");
        MARIADB.put("Com_select", "SELECTs");
        MARIADB.put("Com_insert", "INSERTs");
        MARIADB.put("Innodb_os_log_fsyncs", "redo log fsyncs");
        MARIADB.put("Innodb_data_fsyncs", "data fsyncs");
        MARIADB.put("Connections", "connections");
        POSTGRES.put("xact_commit", "commits");
        POSTGRES.put("xact_rollback", "rollbacks");
        POSTGRES.put("sessions", "sessions");
        POSTGRES.put("tup_inserted", "rows inserted");
        POSTGRES.put("tup_fetched", "rows fetched");
    }

    private ServerCounters() {
    }

    /** The counters now; empty for layouts without any. */
    static Map<String, Long> snapshot(Session session, String db) {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            if ("mariadb".equals(db)) {
                try (Connection c = DriverManager.getConnection(session.maria().jdbc(""));
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS")) {
                    while (rs.next()) {
                        if (MARIADB.containsKey(rs.getString(1))) {
                            out.put(rs.getString(1), Long.parseLong(rs.getString(2)));
                        }
                    }
                }
            } else if ("postgres-db".equals(db)) {
                Thread.sleep(1500); // backends flush their statistics at most once a second
                StringBuilder q = new StringBuilder("SELECT ");
                for (String k : POSTGRES.keySet()) {
                    q.append(q.length() == 7 ? "" : ", ").append("coalesce(sum(").append(k).append("), 0)");
                }
                q.append(" FROM pg_stat_database WHERE datname LIKE 'bench\\_tenant\\_%'");
                try (Connection c = DriverManager.getConnection(session.pg().jdbc("postgres"));
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q.toString())) {
                    rs.next();
                    int i = 1;
                    for (String k : POSTGRES.keySet()) {
                        out.put(k, rs.getLong(i++));
                    }
                }
            }
        } catch (SQLException e) {
            Progress.say("could not read the server's counters: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** "name: 12.0 statements, 3.0 COMMITs, … per tenant", or null when there are no counters. */
    static String perTenant(String name, Map<String, Long> before, Map<String, Long> after, int tenants) {
        if (before.isEmpty() || after.isEmpty()) {
            return null;
        }
        Map<String, String> labels = before.containsKey("Questions") ? MARIADB : POSTGRES;
        StringBuilder b = new StringBuilder(name).append(": ");
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!before.containsKey(e.getKey()) || !after.containsKey(e.getKey())) {
                continue;
            }
            b.append(first ? "" : ", ").append(String.format(Locale.ROOT, "%.1f %s",
                    (after.get(e.getKey()) - before.get(e.getKey())) / (double) tenants, e.getValue()));
            first = false;
        }
        return b.append(" per tenant").toString();
    }
}
