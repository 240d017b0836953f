package dev.flotilla.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The server settings a reader needs beside the numbers: whether the store and the targets vacuum,
 * flush and sync as a production server would. This machine's CI PostgreSQL runs with
 * {@code autovacuum = off}, which leaves the dead rows of every drop and update in place.
 */
final class ServerSettings {
    private ServerSettings() {
    }

    /** PostgreSQL's version, autovacuum, fsync, synchronous_commit and shared_buffers; or why not. */
    static String postgres(PgServer pg) {
        return read(pg.jdbc("postgres"), "PostgreSQL", "SELECT 'version', current_setting('server_version')"
                + " UNION ALL SELECT name, setting || COALESCE(' ' || unit, '') FROM pg_settings WHERE name IN"
                + " ('autovacuum', 'fsync', 'synchronous_commit', 'shared_buffers') ORDER BY 1");
    }

    /** MariaDB's version and the InnoDB settings that set its CPU and flushes per commit; or why not. */
    static String mariadb(MariaDbServer m) {
        return read(m.jdbc(""), "MariaDB", "SELECT 'version', VERSION() UNION ALL SELECT LOWER(VARIABLE_NAME),"
                + " VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME IN"
                + " ('INNODB_FLUSH_LOG_AT_TRX_COMMIT', 'INNODB_SPIN_WAIT_DELAY', 'INNODB_BUFFER_POOL_SIZE',"
                + " 'SYNC_BINLOG', 'LOG_BIN') ORDER BY 1");
    }

    private static String read(String jdbc, String server, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
        } catch (SQLException e) {
            return server + ": settings not read (" + e.getMessage() + ")";
        }
        return server + ": " + String.join(", ", out);
    }
}
