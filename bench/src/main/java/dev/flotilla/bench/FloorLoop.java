package dev.flotilla.bench;

import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The floor: the least a correct migration loop does per tenant, in plain JDBC. One connection
 * per tenant; create the revisions table if missing; read which versions ran; then per pending
 * file one transaction with its statements and a revisions row. No lock, no events, no views.
 * The statements are the ones Flotilla's splitter produces, split once before the clock starts.
 */
final class FloorLoop implements TenantLoop.Task {
    private static final String TABLE = "atlas_schema_revisions";

    private final Fleet fleet;
    private final List<PreparedFile> files;

    FloorLoop(Fleet fleet, PreparedDirectory dir) {
        this.fleet = fleet;
        this.files = dir.files();
    }

    @Override
    public void run(String tenant) throws SQLException {
        try (Connection c = fleet.connect(tenant)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (version varchar(255) PRIMARY KEY,"
                        + " description text NOT NULL, applied integer NOT NULL, total integer NOT NULL,"
                        + " executed_at varchar(64) NOT NULL, execution_time bigint NOT NULL, hash text NOT NULL)");
            }
            Set<String> done = applied(c);
            for (PreparedFile f : files) {
                if (!done.contains(f.version())) {
                    apply(c, f);
                }
            }
        }
    }

    private static Set<String> applied(Connection c) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM " + TABLE)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void apply(Connection c, PreparedFile f) throws SQLException {
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (dev.flotilla.migrate.sql.Statement stmt : f.statements()) {
                s.execute(stmt.text());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (version, description, applied,"
                + " total, executed_at, execution_time, hash) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, f.version());
            ps.setString(2, f.file().description());
            ps.setInt(3, f.statements().size());
            ps.setInt(4, f.statements().size());
            ps.setString(5, java.time.Instant.now().toString());
            ps.setLong(6, System.nanoTime() - t0);
            ps.setString(7, f.hash());
            ps.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
    }
}
