package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read side of the views, as JSON for the REST API. Blocking: run on a worker executor. */
final class ViewQueries {
    /**
     * Every set with its counts (kept in agg_set_counts, see {@link ViewCounters}), its rollout's
     * latest state (agg_rollouts) and its status, which is computed here and only here: FAILED with
     * an error of its own; PAUSED, HALTED or CANCELLED while its rollout says so; else RUNNING until
     * every planned target has a result (a skipped target has one), then FAILED if one failed, else
     * PASSED, DRY_RUN, NO_ACTION, or SKIPPED when every target was skipped. {@code progress} is the
     * status from the results alone. The outer query is flattened by PostgreSQL, so a filter on
     * {@code x.id}, {@code x.seq} or an order by {@code x.seq} uses the set table's indexes, and the
     * counts are looked up only for the sets a page returns.
     */
    private static final String SETS = "SELECT * FROM (SELECT y.*, CASE WHEN y.error IS NOT NULL THEN 'FAILED'"
            + " WHEN y.state IN ('PAUSED', 'HALTED', 'CANCELLED') THEN y.state ELSE y.progress END AS status FROM"
            + " (SELECT s.seq, s.id, s.env, s.directory, s.tag, s.version_id,"
            + " s.target_version, s.planned, s.trigger, s.dry_run, s.error, s.created_at, s.last_event_at,"
            + " s.completed_at, k.succeeded, k.failed, k.passed, k.dry, k.skipped, r.state, r.reason, r.actor,"
            + " r.stopped_groups, r.epoch, r.changed_at,"
            // Until the set's own event (which always names its version) says how many targets it
            // plans, a set known only from its commands and results (other topics) is running.
            + " CASE WHEN s.version_id IS NULL OR k.succeeded + k.failed + k.skipped < s.planned THEN 'RUNNING'"
            + " WHEN k.failed > 0 THEN 'FAILED' WHEN k.passed > 0 THEN 'PASSED' WHEN k.dry > 0 THEN 'DRY_RUN'"
            + " WHEN k.skipped > 0 AND k.succeeded = 0 THEN 'SKIPPED'"
            + " ELSE 'NO_ACTION' END AS progress FROM agg_deployment_sets s CROSS JOIN LATERAL (SELECT"
            + " coalesce(sum(n) FILTER (WHERE status IN ('PASSED', 'NO_ACTION', 'DRY_RUN')), 0) AS succeeded,"
            + " coalesce(sum(n) FILTER (WHERE status = 'FAILED'), 0) AS failed,"
            + " coalesce(sum(n) FILTER (WHERE status = 'PASSED'), 0) AS passed,"
            + " coalesce(sum(n) FILTER (WHERE status = 'DRY_RUN'), 0) AS dry,"
            + " coalesce(sum(n) FILTER (WHERE status = 'SKIPPED'), 0) AS skipped"
            + " FROM agg_set_counts c WHERE c.set_id = s.id) k LEFT JOIN agg_rollouts r ON r.set_id = s.id) y) x";
    /** A set by its number: the unique index on seq. */
    static final String SET_BY_SEQ = SETS + " WHERE x.seq = ?";
    /** A set by its id: the primary key. */
    static final String SET_BY_ID = SETS + " WHERE x.id = ?";
    /**
     * A database's columns, and how many versions it is behind its directory's latest push (the
     * newest of agg_directories, by agg_directories_page): computed for the rows a page returns only.
     */
    private static final String DATABASE_COLUMNS = "seq AS id, target_id, name, env, directory, url, database_id,"
            + " status, current_version, target_version, last_set_id, last_deployment_at, error,"
            + " (SELECT agg_versions_behind(l.versions, l.latest_version, agg_databases.current_version)"
            + " FROM agg_directories l WHERE l.directory = agg_databases.directory ORDER BY l.pushed_at DESC, l.tag"
            + " LIMIT 1) AS versions_behind";
    /** A database by its number: the unique index on seq. */
    static final String DATABASE_BY_SEQ = "SELECT " + DATABASE_COLUMNS + " FROM agg_databases WHERE seq = ?";
    /** A database by its target id: the primary key. */
    static final String DATABASE_BY_TARGET = "SELECT " + DATABASE_COLUMNS + " FROM agg_databases WHERE target_id = ?";
    /** A database by its .atlas_cloud_identifier: agg_databases_database_id. */
    static final String DATABASE_BY_ID = "SELECT " + DATABASE_COLUMNS + " FROM agg_databases WHERE database_id = ?"
            + " ORDER BY seq LIMIT 1";
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[0-9]{1,18}");
    private final ServiceStore db;
    private final java.time.Duration stallAfter;

    ViewQueries(ServiceStore db, java.time.Duration stallAfter) {
        this.db = db;
        this.stallAfter = stallAfter;
    }

    /**
     * A page of sets, newest first, filtered in the query: with no status asked, an index scan of the
     * newest sets that looks up the counts of the page's sets only.
     */
    JsonObject sets(String status, String env, String directory, Page page) throws SQLException {
        Where w = new Where().eq("x.env", env).eq("x.directory", directory);
        if ("STALLED".equalsIgnoreCase(status)) {
            w.raw("x.status = 'RUNNING' AND x.last_event_at < now() - ? * interval '1 millisecond'",
                    (double) stallAfter.toMillis());
        } else if (status != null) {
            w.eq("x.status", status.toUpperCase(java.util.Locale.ROOT));
        }
        long total = status == null
                ? query("SELECT count(*) AS n FROM agg_deployment_sets x" + w.sql(), w.args()).get(0).getLong("n")
                : query("SELECT count(*) AS n FROM (" + SETS + w.sql() + ") y", w.args()).get(0).getLong("n");
        List<Object> args = new ArrayList<>(List.of(w.args()));
        args.add(page.size());
        args.add(page.offset());
        JsonArray items = new JsonArray();
        for (JsonObject r : query(SETS + w.sql() + " ORDER BY x.seq DESC LIMIT ? OFFSET ?", args.toArray())) {
            items.add(set(r));
        }
        return new JsonObject().put("items", items).put("page", new JsonObject().put("page", page.page())
                .put("pageSize", page.size()).put("total", total));
    }

    JsonObject set(String idOrSeq, Page targets) throws SQLException {
        return set(idOrSeq, null, targets);
    }

    /**
     * A set and a page of its targets by name, all of them or those of one deployment status
     * ({@code targetStatus}); {@code targetsPage.total} counts what is listed (agg_set_counts).
     */
    JsonObject set(String idOrSeq, String targetStatus, Page targets) throws SQLException {
        List<JsonObject> rows = NUMBER.matcher(idOrSeq).matches() ? query(SET_BY_SEQ, Long.parseLong(idOrSeq))
                : List.of();
        if (rows.isEmpty()) {
            rows = query(SET_BY_ID, idOrSeq);
        }
        if (rows.isEmpty()) {
            throw notFound("deployment set", idOrSeq);
        }
        JsonObject set = set(rows.get(0));
        String id = set.getString("id");
        String status = targetStatus == null || targetStatus.isEmpty() ? null
                : targetStatus.toUpperCase(java.util.Locale.ROOT);
        // With a status, the set's rows are read in name order up to the page's: no index on status,
        // so a status change stays a HOT update.
        List<JsonObject> ts = query("SELECT target_id, target_name, env, url, status, attempt, from_version, to_version,"
                + " current_version, database_id, error, error_code, started_at, ended_at, worker_id,"
                + " group_name AS \"group\" FROM agg_deployments WHERE set_id = ?" + (status == null ? ""
                : " AND status = ?") + " ORDER BY target_name, target_id LIMIT ? OFFSET ?", status == null
                ? new Object[] {id, targets.size(), targets.offset()}
                : new Object[] {id, status, targets.size(), targets.offset()});
        long total = status == null ? set.getLong("total") : query("SELECT coalesce(sum(n), 0) AS n FROM"
                + " agg_set_counts WHERE set_id = ? AND status = ?", id, status).get(0).getLong("n");
        return set.put("targets", new JsonArray(new ArrayList<>(ts))).put("targetsPage", new JsonObject()
                .put("page", targets.page()).put("pageSize", targets.size()).put("total", total));
    }

    JsonObject deployment(String setId, String targetId) throws SQLException {
        JsonObject set = set(setId, new Page(1, 1));
        List<JsonObject> rows = query("SELECT target_id, target_name, env, directory, url, status, attempt,"
                + " from_version, to_version, current_version, database_id, error, error_code, started_at, ended_at,"
                + " worker_id, group_name AS \"group\" FROM agg_deployments WHERE set_id = ? AND target_id = ?",
                set.getString("id"), targetId);
        if (rows.isEmpty()) {
            throw notFound("deployment of target", targetId);
        }
        List<JsonObject> files = query("SELECT name, version, description, started_at, ended_at, skipped,"
                + " applied::text AS applied, error_stmt, error_text FROM agg_files WHERE set_id = ? AND target_id = ?"
                + " ORDER BY idx", set.getString("id"), targetId);
        JsonArray fs = new JsonArray();
        for (JsonObject f : files) {
            fs.add(f.put("applied", new JsonArray(f.getString("applied"))));
        }
        return rows.get(0).put("deploymentSetId", set.getString("id")).put("files", fs);
    }

    /**
     * A page of databases in (env, name) order, and how many match. The count comes from
     * agg_database_counts unless a name is searched; the page is an ordered index scan to its first
     * row (from whichever end is nearer) or, given the {@code after} cursor of the previous page,
     * straight from there. The answer's {@code page.next} links the next page with its cursor.
     */
    JsonObject databases(String status, String env, String directory, String name, Page page) throws SQLException {
        Where w = new Where().eq("status", status == null ? null : status.toUpperCase(java.util.Locale.ROOT))
                .eq("env", env).eq("directory", directory).like("name", name);
        // Without a name to search, every filter is a column of agg_database_counts.
        long total = query(w, (name == null || name.isEmpty() ? "SELECT coalesce(sum(n), 0) AS n FROM agg_database_counts"
                : "SELECT count(*) AS n FROM agg_databases") + w.sql(), w.args()).get(0).getLong("n");
        // Pages by number of all databases or of one env start from a page mark.
        boolean marked = (status == null || status.isEmpty()) && (directory == null || directory.isEmpty())
                && (name == null || name.isEmpty());
        List<JsonObject> rows = page(w, env, page, total, marked);
        JsonObject p = new JsonObject().put("page", page.page()).put("pageSize", page.size()).put("total", total);
        // By number, the total says whether more follow; after a cursor, a full page may have more.
        if (!rows.isEmpty() && (page.after() == null ? page.offset() + rows.size() < total
                : rows.size() == page.size())) {
            JsonObject last = rows.get(rows.size() - 1);
            Map<String, String> q = new LinkedHashMap<>();
            q.put("status", status);
            q.put("env", env);
            q.put("directory", directory);
            q.put("name", name);
            p.put("next", "/api/v1/databases?" + page.next(q, last.getString("env"), last.getString("name"),
                    last.getLong("id")));
        }
        return new JsonObject().put("items", new JsonArray(new ArrayList<>(rows))).put("page", p);
    }

    /**
     * The most matches of a name search that are sorted to make a page, rather than found by
     * walking the (env, name) order: a few milliseconds at most, at any size of the fleet.
     */
    static final long SORTED_MATCHES = 2_000;

    private List<JsonObject> page(Where w, String env, Page page, long total, boolean marked) throws SQLException {
        // With one env, the scan is positioned by (name, seq): PostgreSQL starts an index scan from
        // the equality on env, and a row comparison that starts with env would be a mere filter.
        boolean oneEnv = env != null && !env.isEmpty();
        String key = oneEnv ? "name, seq" : "env, name, seq";
        String rows = "SELECT " + DATABASE_COLUMNS + " FROM agg_databases";
        String limit = " ORDER BY " + order("") + " LIMIT ?";
        List<Object> args = new ArrayList<>(List.of(w.args()));
        String after = null;
        if (page.after() != null) {
            after = "(" + key + ") > (" + (oneEnv ? "?, ?" : "?, ?, ?") + ")";
            List<Object> last = page.afterKey();
            args.addAll(oneEnv ? last.subList(1, 3) : last);
        } else if (page.offset() >= total) {
            return List.of();
        }
        if (w.pattern && total <= SORTED_MATCHES) {
            // The page from the search's own matches, read by the trigram index and sorted: a rare
            // name's plan must not rest on the planner's estimate. A name that happens to be one of
            // the column's histogram bounds is estimated at 1% of the table, and for that many the
            // planner walks the (env, name) order filtering rows, every row when they are few.
            String pick = "SELECT seq FROM m" + (after == null ? "" : " WHERE " + after) + " ORDER BY " + order("")
                    + " OFFSET ? LIMIT ?";
            args.add(after == null ? page.offset() : 0);
            args.add(page.size());
            return query(w, "WITH m AS MATERIALIZED (SELECT seq, env, name FROM agg_databases" + w.sql() + ") "
                    + rows + " WHERE seq IN (" + pick + ") ORDER BY " + order(""), args.toArray());
        }
        if (after != null) {
            args.add(page.size());
            return query(w, rows + w.and(after) + limit, args.toArray());
        }
        long offset = page.offset();
        if (marked && offset >= PageMarks.STEP) {
            // From the page mark before the page: found and walked from in one statement, one
            // snapshot of the rows and of their counts. Without marks that count every row, from
            // the order's start.
            // Column by column, so the row comparison bounds the index scan.
            String from = (oneEnv ? "" : "coalesce((SELECT env FROM mark), ''), ")
                    + "coalesce((SELECT name FROM mark), ''), coalesce((SELECT seq FROM mark), 0)";
            String first = "(" + key + ") >= (SELECT " + key + " FROM agg_databases" + w.and("(" + key + ") >= ("
                    + from + ")") + " ORDER BY " + order("") + " OFFSET (SELECT ? - coalesce((SELECT pos FROM mark), 0)) LIMIT 1)";
            List<Object> fromMark = new ArrayList<>(List.of(!oneEnv, oneEnv ? env : "", offset, !oneEnv,
                    oneEnv ? env : ""));
            fromMark.addAll(args);
            fromMark.addAll(List.of(w.args()));
            fromMark.add(offset);
            fromMark.add(page.size());
            return query(w, "WITH " + PageMarks.FIND + " " + rows + w.and(first) + limit, fromMark.toArray());
        }
        if (offset > 0) {
            // The page's first row, by an index-only scan from the nearer end of the order.
            boolean fromEnd = total - 1 - offset < offset;
            String first = "(" + key + ") >= (SELECT " + key + " FROM agg_databases" + w.sql() + " ORDER BY "
                    + order(fromEnd ? " DESC" : "") + " OFFSET ? LIMIT 1)";
            args.addAll(List.of(w.args()));
            args.add(fromEnd ? total - 1 - offset : offset);
            args.add(page.size());
            return query(w, rows + w.and(first) + limit, args.toArray());
        }
        args.add(page.size());
        return query(w, rows + w.sql() + limit, args.toArray());
    }

    private static String order(String direction) {
        return "env" + direction + ", name" + direction + ", seq" + direction;
    }

    /** A database by number, target id or {@code .atlas_cloud_identifier}: an index lookup each, in that order. */
    JsonObject database(String idOrTarget) throws SQLException {
        List<JsonObject> rows = NUMBER.matcher(idOrTarget).matches()
                ? query(DATABASE_BY_SEQ, Long.parseLong(idOrTarget)) : List.of();
        if (rows.isEmpty()) {
            rows = query(DATABASE_BY_TARGET, idOrTarget);
        }
        if (rows.isEmpty()) {
            rows = query(DATABASE_BY_ID, idOrTarget);
        }
        if (rows.isEmpty()) {
            throw notFound("database", idOrTarget);
        }
        return rows.get(0);
    }

    /** What the live stream says of changed rows: databases, deployments and sets, each by key. */
    record Changed(List<JsonObject> databases, List<JsonObject> deployments, List<JsonObject> sets) {
    }

    /**
     * The current rows of the databases, deployments and sets named: three index lookups, for the
     * live stream after a batch was committed.
     */
    Changed changed(java.util.Collection<String> targetIds, java.util.Collection<String> setIds) throws SQLException {
        String[] targets = targetIds.toArray(String[]::new);
        String[] sets = setIds.toArray(String[]::new);
        List<JsonObject> dbs = targets.length == 0 ? List.of() : arrays("SELECT target_id AS id, env, name, directory,"
                + " status, current_version, target_version, last_set_id AS set_id FROM agg_databases"
                + " WHERE target_id = ANY(?)", (Object) targets);
        List<JsonObject> deps = targets.length == 0 || sets.length == 0 ? List.of() : arrays("SELECT set_id, target_id,"
                + " target_name AS name, env, status, error FROM agg_deployments WHERE set_id = ANY(?)"
                + " AND target_id = ANY(?)", sets, targets);
        List<JsonObject> ss = new ArrayList<>();
        if (sets.length > 0) {
            for (JsonObject r : arrays(SETS + " WHERE x.id = ANY(?)", (Object) sets)) {
                JsonObject full = set(r);
                ss.add(new JsonObject().put("id", full.getString("id")).put("env", full.getString("env"))
                        .put("directory", full.getString("directory")).put("status", full.getString("status"))
                        .put("succeeded", full.getLong("succeeded")).put("failed", full.getLong("failed"))
                        .put("skipped", full.getLong("skipped", 0L)).put("total", full.getLong("total")));
            }
        }
        return new Changed(dbs, deps, ss);
    }

    /** A query whose arguments are text arrays. */
    private List<JsonObject> arrays(String sql, Object... arrays) throws SQLException {
        try (Connection c = db.connection()) {
            Object[] args = new Object[arrays.length];
            for (int i = 0; i < arrays.length; i++) {
                args[i] = c.createArrayOf("text", (Object[]) arrays[i]);
            }
            return query(c, sql, args);
        }
    }

    /** A page of directory tags as pushes announced them, by directory and newest first. */
    JsonObject directories(Page page) throws SQLException {
        long total = query("SELECT count(*) AS n FROM agg_directories").get(0).getLong("n");
        List<JsonObject> rows = query("SELECT directory, tag, version_id, latest_version, file_count, pushed_at FROM"
                + " agg_directories ORDER BY directory, pushed_at DESC, tag LIMIT ? OFFSET ?", page.size(),
                page.offset());
        return new JsonObject().put("items", new JsonArray(new ArrayList<>(rows))).put("page", new JsonObject()
                .put("page", page.page()).put("pageSize", page.size()).put("total", total));
    }

    private JsonObject set(JsonObject r) {
        long planned = r.getLong("planned", 0L);
        long succeeded = r.getLong("succeeded");
        long failed = r.getLong("failed");
        long skipped = r.getLong("skipped");
        long total = Math.max(planned, succeeded + failed + skipped);
        String status = r.getString("status");
        boolean open = "RUNNING".equals(r.getString("progress")) || "PAUSED".equals(status);
        return new JsonObject().put("id", r.getString("id")).put("seq", r.getLong("seq"))
                .put("env", r.getString("env")).put("directory", r.getString("directory"))
                .put("tag", r.getString("tag")).put("versionId", r.getString("versionId"))
                .put("version", r.getString("targetVersion")).put("trigger", r.getString("trigger"))
                .put("dryRun", r.getBoolean("dryRun")).put("status", status).put("total", total)
                .put("succeeded", succeeded).put("failed", failed).put("skipped", skipped)
                .put("targets", succeeded + "/" + total)
                .put("createdAt", r.getString("createdAt"))
                .put("completedAt", r.getString("error") == null && open ? null : r.getString("completedAt") != null
                        ? r.getString("completedAt") : r.getString("error") != null ? r.getString("lastEventAt")
                        : r.getString("changedAt"))
                .put("lastEventAt", r.getString("lastEventAt")).put("error", r.getString("error"))
                .put("stalled", "RUNNING".equals(status) && stalled(r.getString("lastEventAt")))
                .put("state", r.getString("state")).put("reason", r.getString("reason"))
                .put("actor", r.getString("actor")).put("stoppedGroups", stoppedGroups(r.getValue("stoppedGroups")));
    }

    /** The rollout's stopped groups (a text[] column) as JSON; empty without a rollout state. */
    private static JsonArray stoppedGroups(Object column) {
        return column instanceof JsonArray ? (JsonArray) column : new JsonArray();
    }

    /** A running set with no event for {@code stallAfter} has stopped progressing: say so. */
    private boolean stalled(String lastEventAt) {
        return lastEventAt != null && java.time.Instant.parse(lastEventAt).plus(stallAfter)
                .isBefore(java.time.Instant.now());
    }

    private List<JsonObject> query(String sql, Object... args) throws SQLException {
        try (Connection c = db.connection()) {
            return query(c, sql, args);
        }
    }

    /**
     * A query under a filter that may hold a name pattern. Such a query is planned anew for its
     * pattern each time: the driver sends it unprepared. Prepared, PostgreSQL soon plans it once for
     * any pattern (a generic plan, once a few broad searches made the custom plans look no cheaper),
     * and that plan walks the (env, name) order filtering every row: 200-500 ms for a rare name at
     * 100,000 rows instead of under a millisecond from the trigram index.
     */
    private List<JsonObject> query(Where w, String sql, Object... args) throws SQLException {
        try (Connection c = db.connection()) {
            return run(c, sql, w.pattern, args);
        }
    }

    private static List<JsonObject> query(Connection c, String sql, Object... args) throws SQLException {
        return run(c, sql, false, args);
    }

    private static List<JsonObject> run(Connection c, String sql, boolean planEachTime, Object[] args)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (planEachTime) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<JsonObject> out = new ArrayList<>();
                while (rs.next()) {
                    JsonObject o = new JsonObject();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof java.sql.Array) {
                            v = new JsonArray(java.util.Arrays.asList((Object[]) ((java.sql.Array) v).getArray()));
                        }
                        o.put(camel(md.getColumnLabel(i)), v instanceof Timestamp
                                ? ((Timestamp) v).toInstant().toString() : v instanceof Number && !(v instanceof Long)
                                && !(v instanceof Integer) ? ((Number) v).longValue() : v);
                    }
                    out.add(o);
                }
                return out;
            }
        }
    }

    private static String camel(String col) {
        if (!col.contains("_")) {
            return col;
        }
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char ch : col.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }

    private static FlotillaException notFound(String what, String id) {
        return new FlotillaException(ErrorCode.NOT_FOUND, what + " \"" + id + "\" not found");
    }

    /** A WHERE clause built from optional filters. */
    private static final class Where {
        private final List<String> parts = new ArrayList<>();
        private final List<Object> args = new ArrayList<>();
        /** Whether a condition is a pattern, whose plan depends on its value (see like). */
        private boolean pattern;

        Where eq(String col, String value) {
            if (value != null && !value.isEmpty()) {
                parts.add(col + " = ?");
                args.add(value);
            }
            return this;
        }

        /** A condition of the query's own, with its one argument. */
        Where raw(String condition, Object arg) {
            parts.add(condition);
            args.add(arg);
            return this;
        }

        /**
         * Rows whose {@code col} contains {@code value}, in any case: ILIKE with the pattern's own
         * characters escaped, the escape character first (a lone backslash would otherwise escape
         * the closing {@code %}). The trigram index on agg_databases.name serves it.
         */
        Where like(String col, String value) {
            if (value != null && !value.isEmpty()) {
                parts.add(col + " ILIKE ?");
                pattern = true;
                args.add("%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            }
            return this;
        }

        String sql() {
            return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
        }

        /** This WHERE clause and one more condition, which takes no arguments of this clause's. */
        String and(String condition) {
            return (parts.isEmpty() ? " WHERE " : sql() + " AND ") + condition;
        }

        Object[] args() {
            return args.toArray();
        }
    }
}
