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
import java.util.function.Supplier;

/**
 * {@link RegistryStore} on PostgreSQL: tables {@code registry_versions}, {@code registry_tags} and
 * {@code registry_outbox}. An outbox row names the push it announces (directory, tag, version) and
 * keeps its own retry state (attempts, next attempt, last error), so a row that cannot be published
 * waits its turn without holding back the rows behind it.
 */
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
                        + " payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
                // Stores made before rows were retried one by one get the columns; their rows are due at once.
                "ALTER TABLE registry_outbox ADD COLUMN IF NOT EXISTS directory text,"
                        + " ADD COLUMN IF NOT EXISTS tag text, ADD COLUMN IF NOT EXISTS version_id text,"
                        + " ADD COLUMN IF NOT EXISTS attempts int NOT NULL DEFAULT 0,"
                        + " ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now(),"
                        + " ADD COLUMN IF NOT EXISTS last_error text",
                "CREATE INDEX IF NOT EXISTS registry_outbox_due ON registry_outbox (next_attempt_at)");
    }

    @Override
    public Put put(StoredVersion v, String tag, Supplier<byte[]> event) {
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
                long seq = 0;
                if (previous.isEmpty() || !previous.get().equals(v.versionId())) {
                    seq = enqueue(c, v, tag, event.get());
                }
                c.commit();
                return new Put(previous, seq);
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

    private static long enqueue(Connection c, StoredVersion v, String tag, byte[] event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_outbox (key, payload, directory, tag,"
                + " version_id) VALUES (?, ?, ?, ?, ?) RETURNING seq")) {
            ps.setString(1, v.versionId());
            ps.setBytes(2, event);
            ps.setString(3, v.directory());
            ps.setString(4, tag);
            ps.setString(5, v.versionId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
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

    // --- the outbox ---------------------------------------------------------------------------

    @Override
    public Optional<OutboxEvent> nextDue() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT seq, key, payload,"
                + " attempts FROM registry_outbox WHERE next_attempt_at <= now() ORDER BY seq LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(new OutboxEvent(rs.getLong(1), rs.getString(2), rs.getBytes(3),
                    rs.getInt(4))) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry outbox failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Instant> nextAttemptAt() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT min(next_attempt_at) FROM registry_outbox"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            Timestamp at = rs.getTimestamp(1);
            return at == null ? Optional.empty() : Optional.of(at.toInstant());
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry outbox failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void published(long seq) {
        update("DELETE FROM registry_outbox WHERE seq = ?", ps -> ps.setLong(1, seq));
    }

    @Override
    public void failed(long seq, String error, Instant nextAttemptAt) {
        update("UPDATE registry_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?",
                ps -> {
                    ps.setString(1, error);
                    ps.setTimestamp(2, Timestamp.from(nextAttemptAt));
                    ps.setLong(3, seq);
                });
    }

    @Override
    public long pending() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM registry_outbox"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry outbox failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<OutboxState> outboxState(long seq) {
        return state("SELECT attempts, last_error, next_attempt_at FROM registry_outbox WHERE seq = ?",
                ps -> ps.setLong(1, seq));
    }

    @Override
    public Optional<OutboxState> pendingAnnouncement(String directory, String versionId) {
        return state("SELECT attempts, last_error, next_attempt_at FROM registry_outbox WHERE directory = ? AND"
                + " version_id = ? ORDER BY seq DESC LIMIT 1", ps -> {
                    ps.setString(1, directory);
                    ps.setString(2, versionId);
                });
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    private interface Params {
        void set(PreparedStatement ps) throws SQLException;
    }

    private Optional<OutboxState> state(String sql, Params params) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            params.set(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new OutboxState(rs.getInt(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant())) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry outbox failed: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Params params) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            params.set(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("updating the registry outbox failed: " + e.getMessage(), e);
        }
    }

    // --- reading ------------------------------------------------------------------------------

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
    public DirectoryPage directories(int offset, int limit) {
        Map<String, List<TagInfo>> out = new LinkedHashMap<>();
        long total;
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT directory) FROM registry_tags");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            // A tag is unannounced while an outbox row for its version waits: the row of its own push,
            // or for latest, that of whichever push moved it.
            try (PreparedStatement ps = c.prepareStatement("WITH page AS (SELECT DISTINCT directory FROM registry_tags"
                    + " ORDER BY directory LIMIT ? OFFSET ?) SELECT t.directory, t.tag, t.version_id, v.latest_version,"
                    + " t.updated_at, o.attempts, o.last_error, o.next_attempt_at FROM page p"
                    + " JOIN registry_tags t ON t.directory = p.directory JOIN registry_versions v"
                    + " ON v.version_id = t.version_id LEFT JOIN LATERAL (SELECT attempts, last_error, next_attempt_at"
                    + " FROM registry_outbox o WHERE o.directory = t.directory AND o.version_id = t.version_id"
                    + " AND (o.tag = t.tag OR t.tag = 'latest') ORDER BY o.seq DESC LIMIT 1) o ON true"
                    + " ORDER BY t.directory, t.updated_at DESC, t.tag")) {
                ps.setInt(1, limit);
                ps.setInt(2, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(tag(rs));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the registry failed: " + e.getMessage(), e);
        }
        List<DirectoryInfo> list = new ArrayList<>();
        out.forEach((k, v) -> list.add(new DirectoryInfo(k, List.copyOf(v))));
        return new DirectoryPage(list, total);
    }

    private static TagInfo tag(ResultSet rs) throws SQLException {
        Timestamp at = rs.getTimestamp(5);
        Timestamp next = rs.getTimestamp(8);
        OutboxState waiting = next == null ? null : new OutboxState(rs.getInt(6), rs.getString(7), next.toInstant());
        return new TagInfo(rs.getString(2), rs.getString(3), rs.getString(4), at == null ? Instant.EPOCH
                : at.toInstant(), waiting);
    }
}
