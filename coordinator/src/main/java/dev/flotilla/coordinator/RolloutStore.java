package dev.flotilla.coordinator;

import dev.flotilla.fabric.ServiceStore;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The coordinator's rollout tables: a row per set ({@code coordinator_rollouts}), per group with its
 * counters ({@code coordinator_rollout_groups}) and per target ({@code coordinator_rollout_targets}),
 * and the versions envs reached ({@code coordinator_env_versions}). Every change of a set happens in a
 * transaction that holds its row's lock ({@link #lock}), so the results loop and operators never
 * interleave on one set. Plain JDBC on the caller's connection; the caller commits.
 */
final class RolloutStore {
    /** States of a set's rollout, as {@code RolloutChanged.state} names them. */
    enum SetState {
        RUNNING, PAUSED, HALTED, CANCELLED, PASSED, FAILED;

        boolean done() {
            return this == HALTED || this == CANCELLED || this == PASSED || this == FAILED;
        }
    }

    /** States of a group. */
    enum GroupState { WAITING, RUNNING, COMPLETE, FAILED, SKIPPED }

    /** States of one target in one set. */
    enum TargetState { PENDING, SENT, PASSED, FAILED, SKIPPED }

    /** Why a target was skipped: an operator, a group it could not run in, a cancel, no group matched. */
    enum SkipKind { OPERATOR, DEPENDENCY, GROUP, CANCELLED, UNMATCHED }

    /** A set's row. */
    static final class SetRow {
        String id;
        String env;
        String directory;
        String versionId;
        String tag;
        String targetVersion;
        boolean dryRun;
        String trigger;
        SetState state;
        int epoch;
        String reason;
        String actor;
        Double haltRatio;
        Integer haltMin;
        int planned;
        int unmatched;
        String baseline;
        String txMode;
        boolean published;
        Instant createdAt;
    }

    /** A group's row, with its counters of targets by state. */
    static final class GroupRow {
        String name;
        int ord;
        int parallel;
        boolean failFast;
        List<String> dependsOn = List.of();
        GroupState state;
        int pending;
        int sent;
        int passed;
        int failed;
        int skipped;
        /** Failed and finished counts when the last automatic halt was resumed: halts count only what came after. */
        int ackFailed;
        int ackFinished;
        boolean dirty;

        int finished() {
            return passed + failed;
        }

        boolean open() {
            return pending > 0 || sent > 0;
        }

        void add(TargetState s, int n) {
            switch (s) {
                case PENDING -> pending += n;
                case SENT -> sent += n;
                case PASSED -> passed += n;
                case FAILED -> failed += n;
                default -> skipped += n;
            }
            dirty = true;
        }
    }

    /** A target's row. */
    record TargetRow(String targetId, String name, String group, int ord, String redactedUrl, TargetState state,
            int attempt, String error, SkipKind skip) {
    }

    private final ServiceStore db;

    RolloutStore(ServiceStore db) {
        this.db = db;
        db.migrate("CREATE TABLE IF NOT EXISTS coordinator_rollouts (set_id text PRIMARY KEY, env text NOT NULL,"
                        + " directory text NOT NULL, version_id text NOT NULL, tag text, target_version text,"
                        + " dry_run boolean NOT NULL, trigger text NOT NULL, state text NOT NULL, epoch int NOT NULL,"
                        + " reason text, actor text, halt_ratio double precision, halt_min int, planned int NOT NULL,"
                        + " unmatched int NOT NULL DEFAULT 0, baseline text, tx_mode text,"
                        + " published boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL,"
                        + " updated_at timestamptz NOT NULL)",
                "CREATE INDEX IF NOT EXISTS coordinator_rollouts_env ON coordinator_rollouts (env, directory,"
                        + " created_at)",
                "CREATE TABLE IF NOT EXISTS coordinator_rollout_groups (set_id text NOT NULL, name text NOT NULL,"
                        + " ord int NOT NULL, parallel int NOT NULL, fail_fast boolean NOT NULL,"
                        + " depends_on text[] NOT NULL, state text NOT NULL, pending int NOT NULL, sent int NOT NULL,"
                        + " passed int NOT NULL, failed int NOT NULL, skipped int NOT NULL,"
                        + " ack_failed int NOT NULL DEFAULT 0, ack_finished int NOT NULL DEFAULT 0,"
                        + " PRIMARY KEY (set_id, name))",
                "CREATE TABLE IF NOT EXISTS coordinator_rollout_targets (set_id text NOT NULL, target_id text NOT NULL,"
                        + " target_name text NOT NULL, group_name text NOT NULL, ord int NOT NULL,"
                        + " redacted_url text NOT NULL, state text NOT NULL, attempt int NOT NULL, error text,"
                        + " skip_kind text, PRIMARY KEY (set_id, target_id))",
                "CREATE INDEX IF NOT EXISTS coordinator_rollout_targets_pick ON coordinator_rollout_targets"
                        + " (set_id, group_name, state, ord)",
                // The store transaction that last moved the row (txid_current()): a change publishes the rows it
                // moved by reading them back in pages, rather than holding a whole group's rows.
                "ALTER TABLE coordinator_rollout_targets ADD COLUMN IF NOT EXISTS moved_in bigint NOT NULL DEFAULT 0",
                "CREATE TABLE IF NOT EXISTS coordinator_env_versions (env text NOT NULL, directory text NOT NULL,"
                        + " version_id text NOT NULL, version text, set_id text NOT NULL,"
                        + " reached_at timestamptz NOT NULL, PRIMARY KEY (env, directory, version_id))");
    }

    Connection transaction() throws SQLException {
        Connection c = db.connection();
        c.setAutoCommit(false);
        return c;
    }

    /** The set's row, locked until the transaction ends; empty when the set is not a rollout of this coordinator. */
    Optional<SetRow> lock(Connection c, String setId) throws SQLException {
        return one(c, "SELECT * FROM coordinator_rollouts WHERE set_id = ? FOR UPDATE", setId);
    }

    /** The set's row as committed, unlocked. */
    Optional<SetRow> find(String setId) throws SQLException {
        try (Connection c = db.connection()) {
            return one(c, "SELECT * FROM coordinator_rollouts WHERE set_id = ?", setId);
        }
    }

    private static Optional<SetRow> one(Connection c, String sql, String setId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(set(rs)) : Optional.empty();
            }
        }
    }

    /** Sets never published (their Kafka transaction failed, or the coordinator died before it): to publish again. */
    List<String> unpublished() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT set_id FROM coordinator_rollouts WHERE NOT published AND state <> 'FAILED'"
                        + " ORDER BY created_at");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static SetRow set(ResultSet rs) throws SQLException {
        SetRow s = new SetRow();
        s.id = rs.getString("set_id");
        s.env = rs.getString("env");
        s.directory = rs.getString("directory");
        s.versionId = rs.getString("version_id");
        s.tag = rs.getString("tag");
        s.targetVersion = rs.getString("target_version");
        s.dryRun = rs.getBoolean("dry_run");
        s.trigger = rs.getString("trigger");
        s.state = SetState.valueOf(rs.getString("state"));
        s.epoch = rs.getInt("epoch");
        s.reason = rs.getString("reason");
        s.actor = rs.getString("actor");
        double r = rs.getDouble("halt_ratio");
        s.haltRatio = rs.wasNull() ? null : r;
        int m = rs.getInt("halt_min");
        s.haltMin = rs.wasNull() ? null : m;
        s.planned = rs.getInt("planned");
        s.unmatched = rs.getInt("unmatched");
        s.baseline = rs.getString("baseline");
        s.txMode = rs.getString("tx_mode");
        s.published = rs.getBoolean("published");
        s.createdAt = rs.getTimestamp("created_at").toInstant();
        return s;
    }

    void insert(Connection c, SetRow s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO coordinator_rollouts (set_id, env, directory,"
                + " version_id, tag, target_version, dry_run, trigger, state, epoch, reason, actor, halt_ratio, halt_min,"
                + " planned, unmatched, baseline, tx_mode, published, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?)")) {
            ps.setString(1, s.id);
            ps.setString(2, s.env);
            ps.setString(3, s.directory);
            ps.setString(4, s.versionId);
            ps.setString(5, s.tag);
            ps.setString(6, s.targetVersion);
            ps.setBoolean(7, s.dryRun);
            ps.setString(8, s.trigger);
            ps.setString(9, s.state.name());
            ps.setInt(10, s.epoch);
            ps.setString(11, s.reason);
            ps.setString(12, s.actor);
            ps.setObject(13, s.haltRatio);
            ps.setObject(14, s.haltMin);
            ps.setInt(15, s.planned);
            ps.setInt(16, s.unmatched);
            ps.setString(17, s.baseline);
            ps.setString(18, s.txMode);
            ps.setTimestamp(19, Timestamp.from(s.createdAt));
            ps.setTimestamp(20, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }

    /** Writes the set's state, epoch, reason and actor. */
    void update(Connection c, SetRow s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE coordinator_rollouts SET state = ?, epoch = ?,"
                + " reason = ?, actor = ?, updated_at = now() WHERE set_id = ?")) {
            ps.setString(1, s.state.name());
            ps.setInt(2, s.epoch);
            ps.setString(3, s.reason);
            ps.setString(4, s.actor);
            ps.setString(5, s.id);
            ps.executeUpdate();
        }
    }

    void published(String setId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE coordinator_rollouts SET published = true WHERE set_id = ?")) {
            ps.setString(1, setId);
            ps.executeUpdate();
        }
    }

    /** A set whose fan-out failed for good: FAILED with the reason, and published (as such). */
    void failed(String setId, String reason) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE coordinator_rollouts SET state = 'FAILED', reason = ?, published = true, updated_at = now()"
                        + " WHERE set_id = ?")) {
            ps.setString(1, reason);
            ps.setString(2, setId);
            ps.executeUpdate();
        }
    }

    List<GroupRow> groups(Connection c, String setId) throws SQLException {
        List<GroupRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM coordinator_rollout_groups WHERE set_id = ?"
                + " ORDER BY ord")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    GroupRow g = new GroupRow();
                    g.name = rs.getString("name");
                    g.ord = rs.getInt("ord");
                    g.parallel = rs.getInt("parallel");
                    g.failFast = rs.getBoolean("fail_fast");
                    g.dependsOn = Arrays.asList((String[]) rs.getArray("depends_on").getArray());
                    g.state = GroupState.valueOf(rs.getString("state"));
                    g.pending = rs.getInt("pending");
                    g.sent = rs.getInt("sent");
                    g.passed = rs.getInt("passed");
                    g.failed = rs.getInt("failed");
                    g.skipped = rs.getInt("skipped");
                    g.ackFailed = rs.getInt("ack_failed");
                    g.ackFinished = rs.getInt("ack_finished");
                    out.add(g);
                }
            }
        }
        return out;
    }

    void insertGroups(Connection c, String setId, List<GroupRow> groups) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO coordinator_rollout_groups (set_id, name, ord,"
                + " parallel, fail_fast, depends_on, state, pending, sent, passed, failed, skipped)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (GroupRow g : groups) {
                ps.setString(1, setId);
                ps.setString(2, g.name);
                ps.setInt(3, g.ord);
                ps.setInt(4, g.parallel);
                ps.setBoolean(5, g.failFast);
                ps.setArray(6, c.createArrayOf("text", g.dependsOn.toArray()));
                ps.setString(7, g.state.name());
                ps.setInt(8, g.pending);
                ps.setInt(9, g.sent);
                ps.setInt(10, g.passed);
                ps.setInt(11, g.failed);
                ps.setInt(12, g.skipped);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Writes the groups whose state or counters changed. */
    void updateGroups(Connection c, String setId, Collection<GroupRow> groups) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE coordinator_rollout_groups SET state = ?, pending = ?,"
                + " sent = ?, passed = ?, failed = ?, skipped = ?, ack_failed = ?, ack_finished = ?"
                + " WHERE set_id = ? AND name = ?")) {
            boolean any = false;
            for (GroupRow g : groups) {
                if (!g.dirty) {
                    continue;
                }
                ps.setString(1, g.state.name());
                ps.setInt(2, g.pending);
                ps.setInt(3, g.sent);
                ps.setInt(4, g.passed);
                ps.setInt(5, g.failed);
                ps.setInt(6, g.skipped);
                ps.setInt(7, g.ackFailed);
                ps.setInt(8, g.ackFinished);
                ps.setString(9, setId);
                ps.setString(10, g.name);
                ps.addBatch();
                g.dirty = false;
                any = true;
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    /**
     * A new set's targets as they stream in, written with COPY to a temporary table of this
     * transaction ({@code coordinator_staged}, dropped at its end), from which {@link #place} makes the
     * set's rows in their order. Nothing of a target stays in memory once it is written.
     */
    final class Staging implements AutoCloseable {
        private final org.postgresql.copy.CopyIn in;
        private final StringBuilder line = new StringBuilder(256);
        private final String env;
        private long pos;
        private boolean done;

        private Staging(Connection c, String env) throws SQLException {
            this.env = env;
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMPORARY TABLE coordinator_staged (pos bigint NOT NULL, target_id text NOT NULL,"
                        + " target_name text NOT NULL, group_name text, redacted_url text NOT NULL, key_num numeric[],"
                        + " key_text text[]) ON COMMIT DROP");
            }
            in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY coordinator_staged (pos, target_id,"
                    + " target_name, group_name, redacted_url, key_num, key_text) FROM STDIN WITH (FORMAT csv)");
        }

        /**
         * Writes one target.
         *
         * @param group its group; null when it matched none (it is skipped, UNMATCHED)
         * @param orderKeys its group's order_by values, strings or numbers
         */
        void add(String name, String redactedUrl, String group, List<Object> orderKeys) throws SQLException {
            line.setLength(0);
            line.append(pos++).append(',');
            csv(line, dev.flotilla.protocol.Topics.targetId(env, name)).append(',');
            csv(line, name).append(',');
            if (group != null) {
                csv(line, group);
            }
            line.append(',');
            csv(line, redactedUrl).append(',');
            keys(line, orderKeys, true);
            line.append(',');
            keys(line, orderKeys, false);
            line.append('\n');
            byte[] b = line.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            in.writeToCopy(b, 0, b.length);
        }

        /** Ends the COPY; the staged rows are then in the table. */
        void end() throws SQLException {
            in.endCopy();
            done = true;
        }

        @Override
        public void close() throws SQLException {
            if (!done && in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /**
     * An array literal of the keys that are numbers ({@code numbers}) or strings, NULL in the other's
     * places, so the store sorts numbers as numbers and strings byte-wise, key by key.
     */
    private static void keys(StringBuilder line, List<Object> keys, boolean numbers) {
        if (keys.isEmpty()) {
            return; // NULL
        }
        StringBuilder a = new StringBuilder("{");
        for (int i = 0; i < keys.size(); i++) {
            Object k = keys.get(i);
            a.append(i == 0 ? "" : ",");
            if (numbers != (k instanceof java.math.BigDecimal)) {
                a.append("NULL");
            } else if (numbers) {
                a.append(((java.math.BigDecimal) k).toPlainString());
            } else {
                a.append('"').append(String.valueOf(k).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        csv(line, a.append('}').toString());
    }

    /** Starts staging a new set's targets in this transaction. */
    Staging stage(Connection c, String env) throws SQLException {
        return new Staging(c, env);
    }

    /**
     * Makes the set's target rows from the staged ones: each group numbered by its order keys, then by
     * name when {@code order} says so, then as staged; targets of {@code running} groups SENT (attempt
     * 1), of the others PENDING, those of no group SKIPPED as UNMATCHED with {@code unmatchedWhy}. A
     * name staged twice is refused by the table's key (or merged, as {@code order} says).
     *
     * <p>With {@code oneGroup} (a set without a deployment: every target in the one group, in the order
     * given) each target's position is its order, with no sort.
     *
     * @param keyCount the most order keys a group has
     * @return the rows made; -1 when a name was staged twice (nothing was written then)
     */
    int place(Connection c, String setId, Collection<String> running, int keyCount,
            dev.flotilla.coordinator.config.TargetSource.Order order, String unmatchedWhy, boolean oneGroup)
            throws SQLException {
        StringBuilder by = new StringBuilder();
        for (int i = 1; i <= keyCount; i++) {
            by.append("key_num[").append(i).append("], key_text[").append(i).append("] COLLATE \"C\", ");
        }
        if (order == dev.flotilla.coordinator.config.TargetSource.Order.NAMES_SORTED) {
            by.append("target_name COLLATE \"C\", ");
        }
        String window = "PARTITION BY group_name ORDER BY " + by + "pos";
        // toset() of one column: a name's rows share its group and sort next to each other; the first stays.
        String from = switch (order) {
            case LISTED -> "coordinator_staged";
            case NAMES_SORTED -> "(SELECT * FROM (SELECT *, lag(target_name) OVER (" + window + ") AS previous FROM"
                    + " coordinator_staged) d WHERE previous IS DISTINCT FROM target_name)";
            default -> "(SELECT DISTINCT ON (target_name) * FROM coordinator_staged ORDER BY target_name, pos)";
        };
        boolean asGiven = oneGroup && keyCount == 0 && order == dev.flotilla.coordinator.config.TargetSource.Order.LISTED;
        try (Statement st = c.createStatement()) {
            // One sort of up to a million rows, in memory rather than in temporary files; no JIT for one statement.
            st.execute("SET LOCAL work_mem = '64MB'");
            st.execute("SET LOCAL jit = off");
        }
        Savepoint before = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO coordinator_rollout_targets (set_id, target_id,"
                + " target_name, group_name, ord, redacted_url, state, attempt, error, skip_kind)"
                + " SELECT ?, target_id, target_name, coalesce(group_name, ''), "
                + (asGiven ? "pos" : "row_number() OVER (" + window + ") - 1") + ", redacted_url,"
                + " CASE WHEN group_name IS NULL THEN 'SKIPPED' WHEN group_name = ANY (?) THEN 'SENT' ELSE 'PENDING' END,"
                + " CASE WHEN group_name IS NULL OR group_name = ANY (?) THEN 1 ELSE 0 END,"
                + " CASE WHEN group_name IS NULL THEN ?::text END,"
                + " CASE WHEN group_name IS NULL THEN 'UNMATCHED' END FROM " + from + " s")) {
            Array groups = c.createArrayOf("text", running.toArray());
            ps.setString(1, setId);
            ps.setArray(2, groups);
            ps.setArray(3, groups);
            ps.setString(4, unmatchedWhy);
            return ps.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
            return -1;
        }
    }

    /** The first name staged twice, by position. */
    String duplicate(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT target_name FROM"
                + " coordinator_staged GROUP BY target_name HAVING count(*) > 1 ORDER BY min(pos) LIMIT 1")) {
            return rs.next() ? rs.getString(1) : "(unknown)";
        }
    }

    /** How many of the set's targets matched no group. */
    int unmatched(Connection c, String setId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM coordinator_rollout_targets"
                + " WHERE set_id = ? AND skip_kind = 'UNMATCHED'")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Takes target rows one at a time. */
    interface RowSink {
        void accept(TargetRow t);
    }

    /**
     * Gives the set's targets in {@code state}, of one group (every group when null), group by group
     * in their order, to {@code sink}, read in pages through a cursor (the connection is in a
     * transaction); with {@code movedHere} only those this transaction moved.
     */
    void forEachTarget(Connection c, String setId, String group, TargetState state, boolean movedHere, RowSink sink)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM coordinator_rollout_targets WHERE set_id = ?"
                + " AND state = ?" + (group == null ? "" : " AND group_name = ?")
                + (movedHere ? " AND moved_in = txid_current()" : "") + " ORDER BY group_name, ord")) {
            ps.setFetchSize(PAGE);
            ps.setString(1, setId);
            ps.setString(2, state.name());
            if (group != null) {
                ps.setString(3, group);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(target(rs));
                }
            }
        }
    }

    /** Target rows read from the store at a time. */
    static final int PAGE = 5_000;

    private static StringBuilder csv(StringBuilder b, String v) {
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"') {
                b.append('"');
            }
            b.append(ch);
        }
        return b.append('"');
    }

    /** The rows of {@code targetIds} in the set, by target id. */
    Map<String, TargetRow> targets(Connection c, String setId, Collection<String> targetIds) throws SQLException {
        Map<String, TargetRow> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM coordinator_rollout_targets WHERE set_id = ?"
                + " AND target_id = ANY (?)")) {
            ps.setString(1, setId);
            Array ids = c.createArrayOf("text", targetIds.toArray());
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TargetRow t = target(rs);
                    out.put(t.targetId(), t);
                }
            }
        }
        return out;
    }

    /** The set's targets in {@code state}, of one group (or every group when null), in their order; at most {@code limit}. */
    List<TargetRow> targetsIn(Connection c, String setId, String group, TargetState state, int limit)
            throws SQLException {
        List<TargetRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM coordinator_rollout_targets WHERE set_id = ?"
                + " AND (? IS NULL OR group_name = ?) AND state = ? ORDER BY group_name, ord LIMIT ?")) {
            ps.setString(1, setId);
            ps.setString(2, group);
            ps.setString(3, group);
            ps.setString(4, state.name());
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(target(rs));
                }
            }
        }
        return out;
    }

    private static TargetRow target(ResultSet rs) throws SQLException {
        return new TargetRow(rs.getString("target_id"), rs.getString("target_name"), rs.getString("group_name"),
                rs.getInt("ord"), rs.getString("redacted_url"), TargetState.valueOf(rs.getString("state")),
                rs.getInt("attempt"), rs.getString("error"),
                rs.getString("skip_kind") == null ? null : SkipKind.valueOf(rs.getString("skip_kind")));
    }

    /** One change of a target's row. */
    record TargetChange(String targetId, TargetState state, int attempt, String error, SkipKind skip) {
    }

    /**
     * Writes the targets' changes in one statement over one array per column, not one statement
     * per target: a batch of results is hundreds of targets, and each statement of a batch was an
     * executor start-up and an index lookup of its own in PostgreSQL. A target changed twice keeps
     * its last change, as one statement after the other would.
     */
    void updateTargets(Connection c, String setId, List<TargetChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        Map<String, TargetChange> last = new LinkedHashMap<>();
        changes.forEach(t -> last.put(t.targetId(), t));
        int n = last.size();
        String[] ids = new String[n];
        String[] states = new String[n];
        Integer[] attempts = new Integer[n];
        String[] errors = new String[n];
        String[] skips = new String[n];
        int i = 0;
        for (TargetChange t : last.values()) {
            ids[i] = t.targetId();
            states[i] = t.state().name();
            attempts[i] = t.attempt();
            errors[i] = t.error();
            skips[i] = t.skip() == null ? null : t.skip().name();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE coordinator_rollout_targets t SET state = u.state,"
                + " attempt = u.attempt, error = u.error, skip_kind = u.skip_kind FROM unnest(?::text[], ?::text[],"
                + " ?::int[], ?::text[], ?::text[]) AS u(target_id, state, attempt, error, skip_kind)"
                + " WHERE t.set_id = ? AND t.target_id = u.target_id")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", states));
            ps.setArray(3, c.createArrayOf("integer", attempts));
            ps.setArray(4, c.createArrayOf("text", errors));
            ps.setArray(5, c.createArrayOf("text", skips));
            ps.setString(6, setId);
            ps.executeUpdate();
        }
    }

    /**
     * Moves a group's targets from one state to another in one statement, raising their attempt by
     * {@code attemptStep} and marking them moved in this transaction ({@link #forEachTarget} reads
     * them back); returns how many moved.
     *
     * @param onlySkipped when moving SKIPPED targets, only those skipped for this reason
     */
    int move(Connection c, String setId, String group, TargetState from, TargetState to, int attemptStep,
            String error, SkipKind skip, SkipKind onlySkipped) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE coordinator_rollout_targets SET state = ?,"
                + " attempt = attempt + ?, error = ?, skip_kind = ?, moved_in = txid_current() WHERE set_id = ?"
                + " AND group_name = ? AND state = ? AND (?::text IS NULL OR skip_kind = ?)")) {
            ps.setString(1, to.name());
            ps.setInt(2, attemptStep);
            ps.setString(3, error);
            ps.setString(4, skip == null ? null : skip.name());
            ps.setString(5, setId);
            ps.setString(6, group);
            ps.setString(7, from.name());
            ps.setString(8, onlySkipped == null ? null : onlySkipped.name());
            ps.setString(9, onlySkipped == null ? null : onlySkipped.name());
            return ps.executeUpdate();
        }
    }

    /** Counts the set's targets by group and state, from the rows (after an operator moved some). */
    void recount(Connection c, String setId, List<GroupRow> groups) throws SQLException {
        Map<String, GroupRow> byName = new HashMap<>();
        for (GroupRow g : groups) {
            g.pending = g.sent = g.passed = g.failed = g.skipped = 0;
            g.dirty = true;
            byName.put(g.name, g);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT group_name, state, count(*) FROM"
                + " coordinator_rollout_targets WHERE set_id = ? GROUP BY group_name, state")) {
            ps.setString(1, setId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    GroupRow g = byName.get(rs.getString(1));
                    if (g != null) {
                        g.add(TargetState.valueOf(rs.getString(2)), rs.getInt(3));
                    }
                }
            }
        }
    }

    /** Records that the env reached the version; false when it had been recorded before. */
    boolean reached(Connection c, SetRow s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO coordinator_env_versions (env, directory,"
                + " version_id, version, set_id, reached_at) VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT DO NOTHING")) {
            ps.setString(1, s.env);
            ps.setString(2, s.directory);
            ps.setString(3, s.versionId);
            ps.setString(4, s.targetVersion);
            ps.setString(5, s.id);
            return ps.executeUpdate() == 1;
        }
    }

    /** The newest version of {@code directory} every target of {@code env} reached (id, version), if any. */
    Optional<String[]> reachedVersion(String env, String directory) throws SQLException {
        return first("SELECT version_id, version FROM coordinator_env_versions WHERE env = ? AND directory = ?"
                + " ORDER BY version DESC NULLS LAST, reached_at DESC LIMIT 1",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, env, directory);
    }

    /** Whether the env ever reached exactly this version id of the directory. */
    boolean hasReached(String env, String directory, String versionId) throws SQLException {
        return first("SELECT 1 FROM coordinator_env_versions WHERE env = ? AND directory = ? AND version_id = ?",
                rs -> true, env, directory, versionId).isPresent();
    }

    /** Whether the env has a set (not a dry run) of this version of the directory. */
    boolean hasSet(String env, String directory, String versionId) throws SQLException {
        return first("SELECT 1 FROM coordinator_rollouts WHERE env = ? AND directory = ? AND version_id = ?"
                + " AND NOT dry_run LIMIT 1", rs -> true, env, directory, versionId).isPresent();
    }

    /** The newest set of the env for the directory, if any. */
    Optional<SetRow> latestSet(String env, String directory) throws SQLException {
        return first("SELECT * FROM coordinator_rollouts WHERE env = ? AND directory = ? AND NOT dry_run"
                + " ORDER BY created_at DESC LIMIT 1", RolloutStore::set, env, directory);
    }

    /** Reads one row of a result. */
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The first row of a query with text arguments, if any. */
    private <T> Optional<T> first(String sql, Row<T> row, String... args) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
            }
        }
    }

    /** Targets of the set not (yet) passed, by name, at most {@code limit}, and how many there are. */
    List<String> behind(String setId, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT target_name, state"
                + " FROM coordinator_rollout_targets WHERE set_id = ? AND state <> 'PASSED' ORDER BY ord LIMIT ?")) {
            ps.setString(1, setId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " (" + rs.getString(2) + ")");
                }
            }
        }
        return out;
    }
}
