package dev.flotilla.aggregator;

import dev.flotilla.fabric.Database;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** Read side of the views, as JSON for the REST API. Blocking: run on a worker executor. */
final class ViewQueries {
    /** A set's counts and status, derived from its deployments. */
    private static final String SET_COLUMNS = "s.seq, s.id, s.env, s.directory, s.tag, s.version_id,"
            + " s.target_version, s.planned, s.trigger, s.dry_run, s.created_at, s.last_event_at,"
            + " (SELECT count(*) FROM agg_deployments d WHERE d.set_id = s.id AND d.status IN ('PASSED', 'NO_ACTION',"
            + " 'DRY_RUN')) AS succeeded,"
            + " (SELECT count(*) FROM agg_deployments d WHERE d.set_id = s.id AND d.status = 'FAILED') AS failed,"
            + " (SELECT count(*) FROM agg_deployments d WHERE d.set_id = s.id AND d.status = 'PASSED') AS passed,"
            + " (SELECT count(*) FROM agg_deployments d WHERE d.set_id = s.id AND d.status = 'DRY_RUN') AS dry,"
            + " (SELECT max(d.ended_at) FROM agg_deployments d WHERE d.set_id = s.id) AS completed_at";

    private final Database db;
    private final java.time.Duration stallAfter;

    ViewQueries(Database db, java.time.Duration stallAfter) {
        this.db = db;
        this.stallAfter = stallAfter;
    }

    JsonObject sets(String status, String env, String directory, Page page) throws SQLException {
        Where w = new Where().eq("s.env", env).eq("s.directory", directory);
        List<JsonObject> rows = query("SELECT " + SET_COLUMNS + " FROM agg_deployment_sets s" + w.sql()
                + " ORDER BY s.seq DESC", w.args());
        JsonArray items = new JsonArray();
        for (JsonObject r : rows) {
            JsonObject set = set(r);
            if (status == null || status.equalsIgnoreCase(set.getString("status"))
                    || ("STALLED".equalsIgnoreCase(status) && set.getBoolean("stalled"))) {
                items.add(set);
            }
        }
        return paged(items, page);
    }

    JsonObject set(String idOrSeq, Page targets) throws SQLException {
        List<JsonObject> rows = query("SELECT " + SET_COLUMNS + " FROM agg_deployment_sets s WHERE s.id = ?"
                + " OR s.seq::text = ?", idOrSeq, idOrSeq);
        if (rows.isEmpty()) {
            throw notFound("deployment set", idOrSeq);
        }
        JsonObject set = set(rows.get(0));
        List<JsonObject> ts = query("SELECT target_id, target_name, env, url, status, attempt, from_version, to_version,"
                + " current_version, database_id, error, error_code, started_at, ended_at, worker_id FROM agg_deployments"
                + " WHERE set_id = ? ORDER BY target_name LIMIT ? OFFSET ?", set.getString("id"), targets.size(),
                targets.offset());
        return set.put("targets", new JsonArray(new ArrayList<>(ts))).put("targetsPage", new JsonObject()
                .put("page", targets.page()).put("pageSize", targets.size()).put("total", set.getLong("total")));
    }

    JsonObject deployment(String setId, String targetId) throws SQLException {
        JsonObject set = set(setId, new Page(1, 1));
        List<JsonObject> rows = query("SELECT target_id, target_name, env, directory, url, status, attempt,"
                + " from_version, to_version, current_version, database_id, error, error_code, started_at, ended_at,"
                + " worker_id FROM agg_deployments WHERE set_id = ? AND target_id = ?", set.getString("id"), targetId);
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

    JsonObject databases(String status, String env, String directory, String name, Page page) throws SQLException {
        Where w = new Where().eq("status", status == null ? null : status.toUpperCase(java.util.Locale.ROOT))
                .eq("env", env).eq("directory", directory).like("name", name);
        List<JsonObject> total = query("SELECT count(*) AS n FROM agg_databases" + w.sql(), w.args());
        List<Object> args = new ArrayList<>(List.of(w.args()));
        args.add(page.size());
        args.add(page.offset());
        List<JsonObject> rows = query("SELECT seq AS id, target_id, name, env, directory, url, database_id, status,"
                + " current_version, target_version, last_set_id, last_deployment_at, error FROM agg_databases"
                + w.sql() + " ORDER BY env, name LIMIT ? OFFSET ?", args.toArray());
        return new JsonObject().put("items", new JsonArray(new ArrayList<>(rows))).put("page", new JsonObject()
                .put("page", page.page()).put("pageSize", page.size()).put("total", total.get(0).getLong("n")));
    }

    JsonObject database(String idOrTarget) throws SQLException {
        List<JsonObject> rows = query("SELECT seq AS id, target_id, name, env, directory, url, database_id, status,"
                + " current_version, target_version, last_set_id, last_deployment_at, error FROM agg_databases"
                + " WHERE seq::text = ? OR target_id = ? OR database_id = ?", idOrTarget, idOrTarget, idOrTarget);
        if (rows.isEmpty()) {
            throw notFound("database", idOrTarget);
        }
        return rows.get(0);
    }

    JsonArray directories() throws SQLException {
        return new JsonArray(new ArrayList<>(query("SELECT directory, tag, version_id, latest_version, file_count,"
                + " pushed_at FROM agg_directories ORDER BY directory, pushed_at DESC")));
    }

    private JsonObject set(JsonObject r) {
        long planned = r.getLong("planned", 0L);
        long succeeded = r.getLong("succeeded");
        long failed = r.getLong("failed");
        long total = Math.max(planned, succeeded + failed);
        String status;
        if (succeeded + failed < total) {
            status = "RUNNING";
        } else if (failed > 0) {
            status = "FAILED";
        } else if (r.getLong("passed") > 0) {
            status = "PASSED";
        } else if (r.getLong("dry") > 0) {
            status = "DRY_RUN";
        } else {
            status = "NO_ACTION";
        }
        return new JsonObject().put("id", r.getString("id")).put("seq", r.getLong("seq"))
                .put("env", r.getString("env")).put("directory", r.getString("directory"))
                .put("tag", r.getString("tag")).put("versionId", r.getString("versionId"))
                .put("version", r.getString("targetVersion")).put("trigger", r.getString("trigger"))
                .put("dryRun", r.getBoolean("dryRun")).put("status", status).put("total", total)
                .put("succeeded", succeeded).put("failed", failed).put("targets", succeeded + "/" + total)
                .put("createdAt", r.getString("createdAt"))
                .put("completedAt", "RUNNING".equals(status) ? null : r.getString("completedAt"))
                .put("lastEventAt", r.getString("lastEventAt"))
                .put("stalled", "RUNNING".equals(status) && stalled(r.getString("lastEventAt")));
    }

    /** A running set with no event for {@code stallAfter} has stopped progressing: say so. */
    private boolean stalled(String lastEventAt) {
        return lastEventAt != null && java.time.Instant.parse(lastEventAt).plus(stallAfter)
                .isBefore(java.time.Instant.now());
    }

    private static JsonObject paged(JsonArray all, Page page) {
        JsonArray items = new JsonArray();
        for (int i = page.offset(); i < Math.min(all.size(), page.offset() + page.size()); i++) {
            items.add(all.getValue(i));
        }
        return new JsonObject().put("items", items).put("page", new JsonObject().put("page", page.page())
                .put("pageSize", page.size()).put("total", all.size()));
    }

    private List<JsonObject> query(String sql, Object... args) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
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

        Where eq(String col, String value) {
            if (value != null && !value.isEmpty()) {
                parts.add(col + " = ?");
                args.add(value);
            }
            return this;
        }

        Where like(String col, String value) {
            if (value != null && !value.isEmpty()) {
                parts.add(col + " ILIKE ?");
                args.add("%" + value.replace("%", "\\%").replace("_", "\\_") + "%");
            }
            return this;
        }

        String sql() {
            return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
        }

        Object[] args() {
            return args.toArray();
        }
    }
}
