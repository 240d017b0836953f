package dev.flotilla.fabric.access;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@link TokenStore} in the services' store: table {@code access_tokens}. */
public final class JdbcTokenStore implements TokenStore {
    /** The table, created by whichever service starts first. */
    public static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS access_tokens (id bigserial PRIMARY KEY, name text NOT NULL,"
            + " grants text NOT NULL, token_hash text NOT NULL UNIQUE, hint text NOT NULL,"
            + " created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL,"
            + " last_used_at timestamptz, revoked_at timestamptz)",
        "CREATE UNIQUE INDEX IF NOT EXISTS access_tokens_active_name ON access_tokens (name) WHERE revoked_at IS NULL"
    };
    private static final String COLUMNS = "id, name, grants, hint, created_at, created_by, last_used_at, revoked_at";

    private final ServiceStore db;

    public JdbcTokenStore(ServiceStore db) {
        this.db = db;
    }

    @Override
    public StoredToken create(String name, List<Grant> grants, String tokenHash, String hint, String createdBy) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens"
                + " (name, grants, token_hash, hint, created_by) VALUES (?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
            ps.setString(1, name);
            ps.setString(2, grantsText(grants));
            ps.setString(3, tokenHash);
            ps.setString(4, hint);
            ps.setString(5, createdBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return token(rs);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "a token named \"" + name + "\" exists; revoke"
                        + " it first ('flotilla token revoke " + name + "') or choose another name");
            }
            throw failed("creating token \"" + name + "\"", e);
        }
    }

    @Override
    public boolean ensure(String name, List<Grant> grants, String tokenHash, String hint) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens"
                + " (name, grants, token_hash, hint, created_by) VALUES (?, ?, ?, ?, 'bootstrap')"
                + " ON CONFLICT DO NOTHING")) {
            ps.setString(1, name);
            ps.setString(2, grantsText(grants));
            ps.setString(3, tokenHash);
            ps.setString(4, hint);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("storing the bootstrap token", e);
        }
    }

    @Override
    public Optional<StoredToken> findActive(String tokenHash) {
        return one("SELECT " + COLUMNS + " FROM access_tokens WHERE token_hash = ? AND revoked_at IS NULL", tokenHash);
    }

    @Override
    public List<StoredToken> list() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM access_tokens ORDER BY id DESC"); ResultSet rs = ps.executeQuery()) {
            List<StoredToken> out = new ArrayList<>();
            while (rs.next()) {
                out.add(token(rs));
            }
            return out;
        } catch (SQLException e) {
            throw failed("listing tokens", e);
        }
    }

    @Override
    public Optional<StoredToken> revoke(String idOrName) {
        boolean byId = idOrName.matches("[0-9]{1,18}");
        return one("UPDATE access_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND "
                + (byId ? "id = ?::bigint" : "name = ?") + " RETURNING " + COLUMNS, idOrName);
    }

    @Override
    public void touch(long id, Instant when) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE access_tokens SET last_used_at = ? WHERE id = ?")) {
            ps.setTimestamp(1, Timestamp.from(when));
            ps.setLong(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("recording a token's use", e);
        }
    }

    private Optional<StoredToken> one(String sql, String arg) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(token(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("reading tokens", e);
        }
    }

    private static StoredToken token(ResultSet rs) throws SQLException {
        List<Grant> grants = Arrays.stream(rs.getString("grants").split(" ")).filter(g -> !g.isEmpty())
                .map(Grant::parse).toList();
        return new StoredToken(rs.getLong("id"), rs.getString("name"), grants, rs.getString("hint"),
                instant(rs, "created_at"), rs.getString("created_by"), instant(rs, "last_used_at"),
                instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static String grantsText(List<Grant> grants) {
        return String.join(" ", grants.stream().map(Grant::toString).toList());
    }

    private static IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException(what + " in the store failed: " + e.getMessage(), e);
    }
}
