package dev.flotilla.fabric.access;

import dev.flotilla.fabric.ServiceStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AuditTrail} in the services' store: table {@code access_audit}, which a trigger keeps
 * append-only (an UPDATE or DELETE fails, whoever runs it through the services' own credentials).
 */
public final class JdbcAuditTrail implements AuditTrail {
    /** The table and its guard, created by whichever service starts first. */
    public static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS access_audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL,"
            + " actor text NOT NULL, action text NOT NULL, object text NOT NULL, outcome text NOT NULL,"
            + " source text, detail text)",
        "CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
        "DROP TRIGGER IF EXISTS access_audit_append_only ON access_audit",
        "CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE ON access_audit"
            + " FOR EACH STATEMENT EXECUTE FUNCTION access_audit_append_only()"
    };

    private final ServiceStore db;

    public JdbcAuditTrail(ServiceStore db) {
        this.db = db;
    }

    @Override
    public void record(AuditEvent e) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO access_audit"
                + " (at, actor, action, object, outcome, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setTimestamp(1, Timestamp.from(e.at()));
            ps.setString(2, e.actor());
            ps.setString(3, e.action());
            ps.setString(4, e.object());
            ps.setString(5, e.outcome());
            ps.setString(6, e.source());
            ps.setString(7, e.detail());
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new IllegalStateException("recording " + e.action() + " in the audit trail failed: "
                    + ex.getMessage(), ex);
        }
    }

    @Override
    public List<AuditEvent> list(String action, String actor, long before, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT seq, at, actor, action,"
                + " object, outcome, source, detail FROM access_audit WHERE (?::text IS NULL OR action = ?)"
                + " AND (?::text IS NULL OR actor = ?) AND (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?")) {
            ps.setString(1, action);
            ps.setString(2, action);
            ps.setString(3, actor);
            ps.setString(4, actor);
            ps.setLong(5, before);
            ps.setLong(6, before);
            ps.setInt(7, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<AuditEvent> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the audit trail failed: " + e.getMessage(), e);
        }
    }
}
