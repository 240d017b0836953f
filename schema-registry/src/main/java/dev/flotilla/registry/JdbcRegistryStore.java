package dev.flotilla.registry;

import dev.flotilla.fabric.ServiceStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link RegistryStore} on PostgreSQL: tables {@code registry_versions} and {@code registry_tags}. */
final class JdbcRegistryStore implements RegistryStore {
    private final ServiceStore db;

    JdbcRegistryStore(ServiceStore db) {
        this.db = db;
        db.migrate("CREATE TABLE IF NOT EXISTS registry_versions (version_id text PRIMARY KEY, directory text NOT NULL,"
                        + " latest_version text, file_count int NOT NULL, archive bytea NOT NULL,"
                        + " created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE IF NOT EXISTS registry_tags (directory text NOT NULL, tag text NOT NULL,"
                        + " version_id text NOT NULL REFERENCES registry_versions (version_id),"
                        + " updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (directory, tag))",
                "CREATE TABLE IF NOT EXISTS registry_outbox (seq bigserial PRIMARY KEY, key text NOT NULL,"
                        + " payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
    }

    @Override
    public Optional<String> put(StoredVersion v, String tag, byte[] event) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                insertVersion(c, v);
                lockDirectory(c, v.directory());
                Optional<String> previous = tagOf(c, v.directory(), tag);
                moveTag(c, v.directory(), tag, v.versionId());
                if (!"latest".equals(tag)) {
                    moveTag(c, v.directory(), "latest", v.versionId());
                }
                if (previous.isEmpty() || !previous.get().equals(v.versionId())) {
                    enqueue(c, v.versionId(), event);
                }
                c.commit();
                return previous;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing directory " + v.directory() + " failed: " + e.getMessage(), e);
        }
    }

    private static void insertVersion(Connection c, StoredVersion v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_versions (version_id, directory,"
                + " latest_version, file_count, archive) VALUES (?, ?, ?, ?, ?) ON CONFLICT (version_id) DO NOTHING")) {
            ps.setString(1, v.versionId());
            ps.setString(2, v.directory());
            ps.setString(3, v.latestVersion());
            ps.setInt(4, v.fileCount());
            ps.setBytes(5, v.archive());
            ps.executeUpdate();
        }
    }

    private static void enqueue(Connection c, String key, byte[] event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_outbox (key, payload) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setBytes(2, event);
            ps.executeUpdate();
        }
    }

    @Override
    public List<OutboxEvent> outbox(int limit) {
        List<OutboxEvent> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT seq, key, payload FROM registry_outbox ORDER BY seq LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OutboxEvent(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry outbox failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void published(long seq) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM registry_outbox WHERE seq = ?")) {
            ps.setLong(1, seq);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("clearing the registry outbox failed: " + e.getMessage(), e);
        }
    }

    private static void lockDirectory(Connection c, String directory) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "registry:" + directory);
            ps.executeQuery().close();
        }
    }

    private static Optional<String> tagOf(Connection c, String directory, String tag) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version_id FROM registry_tags WHERE directory = ? AND tag = ?")) {
            ps.setString(1, directory);
            ps.setString(2, tag);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void moveTag(Connection c, String directory, String tag, String versionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_tags (directory, tag, version_id)"
                + " VALUES (?, ?, ?) ON CONFLICT (directory, tag) DO UPDATE SET version_id = EXCLUDED.version_id,"
                + " updated_at = CASE WHEN registry_tags.version_id = EXCLUDED.version_id THEN registry_tags.updated_at"
                + " ELSE now() END")) {
            ps.setString(1, directory);
            ps.setString(2, tag);
            ps.setString(3, versionId);
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<StoredVersion> byTag(String directory, String tag) {
        return one("SELECT v.version_id, v.directory, v.latest_version, v.file_count, v.archive, v.created_at FROM"
                + " registry_tags t JOIN registry_versions v USING (version_id) WHERE t.directory = ? AND t.tag = ?",
                directory, tag);
    }

    @Override
    public Optional<StoredVersion> byId(String versionId) {
        return one("SELECT version_id, directory, latest_version, file_count, archive, created_at FROM"
                + " registry_versions WHERE version_id = ?", versionId);
    }

    private Optional<StoredVersion> one(String sql, String... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredVersion(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getBytes(5), rs.getTimestamp(6).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<DirectoryInfo> directories() {
        Map<String, List<TagInfo>> out = new LinkedHashMap<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT t.directory, t.tag,"
                + " t.version_id, v.latest_version, t.updated_at FROM registry_tags t JOIN registry_versions v USING"
                + " (version_id) ORDER BY t.directory, t.updated_at DESC, t.tag");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp at = rs.getTimestamp(5);
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new TagInfo(rs.getString(2),
                        rs.getString(3), rs.getString(4), at == null ? Instant.EPOCH : at.toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry failed: " + e.getMessage(), e);
        }
        List<DirectoryInfo> list = new ArrayList<>();
        out.forEach((k, v) -> list.add(new DirectoryInfo(k, List.copyOf(v))));
        return list;
    }
}
