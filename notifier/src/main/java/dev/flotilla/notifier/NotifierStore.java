package dev.flotilla.notifier;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The notifier's tables in the services' store: webhooks, the last state seen of each set (to tell
 * transitions), and the deliveries, an outbox: a delivery row is written, in the transaction that
 * reads the event, before anything is sent, and stays with its attempts, codes and next attempt.
 */
final class NotifierStore {
    static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS notifier_webhooks (id bigserial PRIMARY KEY, directory text NOT NULL,"
            + " name text NOT NULL, url text NOT NULL, format text NOT NULL, events text[] NOT NULL, secret text,"
            + " created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL, UNIQUE (directory, name))",
        "CREATE TABLE IF NOT EXISTS notifier_rollouts (set_id text PRIMARY KEY, epoch int NOT NULL,"
            + " state text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS notifier_deliveries (id uuid PRIMARY KEY,"
            + " webhook_id bigint NOT NULL REFERENCES notifier_webhooks (id) ON DELETE CASCADE,"
            + " event_type text NOT NULL, event_id text NOT NULL, body text NOT NULL, state text NOT NULL,"
            + " attempts int NOT NULL DEFAULT 0, status_code int, latency_ms bigint, response_excerpt text,"
            + " last_error text, next_attempt_at timestamptz NOT NULL DEFAULT now(),"
            + " created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz,"
            + " UNIQUE (webhook_id, event_id))",
        "CREATE INDEX IF NOT EXISTS notifier_deliveries_due ON notifier_deliveries (next_attempt_at)"
            + " WHERE state IN ('PENDING', 'RETRYING')",
        "CREATE INDEX IF NOT EXISTS notifier_deliveries_history ON notifier_deliveries (webhook_id, created_at DESC)",
        "CREATE TABLE IF NOT EXISTS notifier_attempts (delivery_id uuid NOT NULL"
            + " REFERENCES notifier_deliveries (id) ON DELETE CASCADE, attempt int NOT NULL, at timestamptz NOT NULL"
            + " DEFAULT now(), status_code int, latency_ms bigint, error text, PRIMARY KEY (delivery_id, attempt))",
    };
    private static final String WEBHOOK_COLUMNS = "id, directory, name, url, format, events, secret, created_at,"
            + " created_by";
    private static final String DELIVERY_COLUMNS = "id, webhook_id, event_type, event_id, state, attempts,"
            + " status_code, latency_ms, response_excerpt, last_error, next_attempt_at, created_at, delivered_at";

    private final ServiceStore db;

    NotifierStore(ServiceStore db) {
        this.db = db;
    }

    /** A new webhook. @throws FlotillaException REQUEST_INVALID when the directory has one of that name */
    Webhook create(String directory, String name, String url, WebhookFormat format, Set<EventType> events,
            String secret, String createdBy) {
        String sql = "INSERT INTO notifier_webhooks (directory, name, url, format, events, secret, created_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING " + WEBHOOK_COLUMNS;
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, directory);
            ps.setString(2, name);
            ps.setString(3, url);
            ps.setString(4, format.word());
            ps.setArray(5, c.createArrayOf("text", events.stream().map(EventType::wire).toArray()));
            ps.setString(6, secret);
            ps.setString(7, createdBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return webhook(rs);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new FlotillaException(ErrorCode.REQUEST_INVALID, "directory \"" + directory + "\" already has"
                        + " a webhook named \"" + name + "\"; pick another name or delete that one first");
            }
            throw failed("creating a webhook", e);
        }
    }

    List<Webhook> list(String directory) {
        return webhooks("SELECT " + WEBHOOK_COLUMNS + " FROM notifier_webhooks WHERE directory = ? ORDER BY id",
                directory);
    }

    Optional<Webhook> find(String directory, long id) {
        return webhooks("SELECT " + WEBHOOK_COLUMNS + " FROM notifier_webhooks WHERE directory = ? AND id = "
                + id, directory).stream().findFirst();
    }

    /** Deletes a webhook with its deliveries; false when the directory has no such webhook. */
    boolean delete(String directory, long id) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM notifier_webhooks WHERE directory = ? AND id = ?")) {
            ps.setString(1, directory);
            ps.setLong(2, id);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failed("deleting a webhook", e);
        }
    }

    private List<Webhook> webhooks(String sql, String arg) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            return webhooks(ps);
        } catch (SQLException e) {
            throw failed("reading webhooks", e);
        }
    }

    private static List<Webhook> webhooks(PreparedStatement ps) throws SQLException {
        List<Webhook> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(webhook(rs));
            }
        }
        return out;
    }

    private static Webhook webhook(ResultSet rs) throws SQLException {
        Set<EventType> events = EnumSet.noneOf(EventType.class);
        Array a = rs.getArray("events");
        for (Object o : (Object[]) a.getArray()) {
            EventType.byWire((String) o).ifPresent(events::add);
        }
        return new Webhook(rs.getLong("id"), rs.getString("directory"), rs.getString("name"), rs.getString("url"),
                WebhookFormat.of(rs.getString("format")).orElse(WebhookFormat.JSON), events, rs.getString("secret"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"));
    }

    /**
     * Records a polled batch of events in one transaction: each set's last state, and a delivery for
     * every webhook that wants a notification the events call for. A replayed batch adds nothing (the
     * epochs, and one delivery per webhook and event id).
     *
     * @return the deliveries added
     */
    int record(List<Object> events) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                List<Notification> found = notifications(c, events);
                int added = found.isEmpty() ? 0 : enqueue(c, found);
                c.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static List<Notification> notifications(Connection c, List<Object> events) throws SQLException {
        List<Notification> out = new ArrayList<>();
        Map<String, Notifications.Known> sets = new HashMap<>();
        for (Object e : events) {
            if (e instanceof MigrationResult r) {
                Notifications.result(r).ifPresent(out::add);
            } else if (e instanceof EnvReachedVersion v) {
                out.add(Notifications.reached(v));
            } else if (e instanceof RolloutChanged r && r.getDeploymentSetId() != null) {
                String set = r.getDeploymentSetId();
                Notifications.Known known = sets.containsKey(set) ? sets.get(set) : known(c, set);
                Notifications.rollout(r, known).ifPresent(out::add);
                if (known == null || r.getEpoch() > known.epoch()) {
                    sets.put(set, new Notifications.Known(r.getEpoch(), r.getState()));
                    remember(c, set, r.getEpoch(), r.getState());
                } else {
                    sets.put(set, known);
                }
            }
        }
        return out;
    }

    private static Notifications.Known known(Connection c, String set) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch, state FROM notifier_rollouts WHERE set_id = ?"
                + " FOR UPDATE")) {
            ps.setString(1, set);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Notifications.Known(rs.getInt(1), rs.getString(2)) : null;
            }
        }
    }

    private static void remember(Connection c, String set, int epoch, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notifier_rollouts (set_id, epoch, state)"
                + " VALUES (?, ?, ?) ON CONFLICT (set_id) DO UPDATE SET epoch = excluded.epoch, state = excluded.state,"
                + " updated_at = now() WHERE notifier_rollouts.epoch < excluded.epoch")) {
            ps.setString(1, set);
            ps.setInt(2, epoch);
            ps.setString(3, state);
            ps.executeUpdate();
        }
    }

    private static int enqueue(Connection c, List<Notification> found) throws SQLException {
        List<Webhook> hooks;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + WEBHOOK_COLUMNS + " FROM notifier_webhooks")) {
            hooks = webhooks(ps);
        }
        int added = 0;
        try (PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY)) {
            for (Notification n : found) {
                for (Webhook w : hooks) {
                    if (w.directory().equals(n.directory()) && w.wants(n.type())
                            && !w.createdAt().isAfter(n.occurredAt())) {
                        bindDelivery(ps, UUID.randomUUID(), w, n);
                        ps.addBatch();
                    }
                }
            }
            for (int n : ps.executeBatch()) {
                added += Math.max(0, n);
            }
        }
        return added;
    }

    private static final String INSERT_DELIVERY = "INSERT INTO notifier_deliveries (id, webhook_id, event_type,"
            + " event_id, body, state) VALUES (?, ?, ?, ?, ?, 'PENDING') ON CONFLICT (webhook_id, event_id) DO NOTHING";

    private static void bindDelivery(PreparedStatement ps, UUID id, Webhook w, Notification n) throws SQLException {
        ps.setObject(1, id);
        ps.setLong(2, w.id());
        ps.setString(3, n.type().wire());
        ps.setString(4, n.eventId());
        ps.setString(5, n.render(w.format(), id.toString()));
    }

    /** Queues one notification for one webhook (a ping) as delivery {@code id}. */
    void enqueue(UUID id, Webhook w, Notification n) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY)) {
            bindDelivery(ps, id, w, n);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("queueing a delivery", e);
        }
    }

    /**
     * Claims due deliveries for an attempt: at most {@code limit}, and no more of a webhook than
     * {@code perWebhook} less those it has {@code inFlight}. A claimed row counts an attempt and is
     * not due again for {@code lease}, so a crash mid-attempt retries it after the lease, and another
     * notifier process does not claim it meanwhile.
     */
    List<Delivery> claim(int limit, int perWebhook, Map<Long, Integer> inFlight, Duration lease) throws SQLException {
        String candidates = "SELECT id, webhook_id FROM (SELECT id, webhook_id, next_attempt_at, row_number() OVER (PARTITION BY webhook_id"
                + " ORDER BY next_attempt_at, created_at) AS rn FROM notifier_deliveries WHERE state IN ('PENDING',"
                + " 'RETRYING') AND next_attempt_at <= now() AND webhook_id <> ALL (?)) d WHERE rn <= ?"
                + " ORDER BY next_attempt_at LIMIT ?";
        String update = "UPDATE notifier_deliveries SET attempts = attempts + 1, next_attempt_at = now() + ? *"
                + " interval '1 millisecond' WHERE id = ANY (?) AND state IN ('PENDING', 'RETRYING')"
                + " AND next_attempt_at <= now() RETURNING id, webhook_id, event_type, body, attempts";
        try (Connection c = db.connection()) {
            List<UUID> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(candidates)) {
                ps.setArray(1, c.createArrayOf("bigint", inFlight.entrySet().stream()
                        .filter(e -> e.getValue() >= perWebhook).map(Map.Entry::getKey).toArray()));
                ps.setInt(2, perWebhook);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    Map<Long, Integer> taken = new HashMap<>(inFlight);
                    while (rs.next()) {
                        if (taken.merge(rs.getLong(2), 1, Integer::sum) <= perWebhook) {
                            ids.add((UUID) rs.getObject(1));
                        }
                    }
                }
            }
            if (ids.isEmpty()) {
                return List.of();
            }
            Map<Long, Webhook> hooks = new HashMap<>();
            List<Delivery> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(update)) {
                ps.setLong(1, lease.toMillis());
                ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long hook = rs.getLong(2);
                        Webhook w = hooks.computeIfAbsent(hook, h -> webhookById(c, h));
                        EventType type = EventType.byWire(rs.getString(3)).orElse(EventType.PING);
                        if (w != null) {
                            out.add(new Delivery(rs.getObject(1).toString(), w, type, rs.getString(4), rs.getInt(5)));
                        }
                    }
                }
            }
            return out;
        }
    }

    private static Webhook webhookById(Connection c, long id) {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + WEBHOOK_COLUMNS + " FROM notifier_webhooks"
                + " WHERE id = ?")) {
            ps.setLong(1, id);
            List<Webhook> w = webhooks(ps);
            return w.isEmpty() ? null : w.get(0);
        } catch (SQLException e) {
            throw failed("reading a webhook", e);
        }
    }

    /**
     * Records how an attempt ended: DELIVERED on a 2xx; FAILED when trying again cannot help or this
     * was the last attempt; else RETRYING, due again after {@code retryIn}.
     *
     * @return the delivery's new state; {@code GONE} when the row was deleted (with its webhook) or
     *     claimed again after its lease meanwhile
     */
    String complete(Delivery d, Outcome o, int maxAttempts, Duration retryIn) throws SQLException {
        String state = o.delivered() ? "DELIVERED" : o.permanent() || d.attempt() >= maxAttempts ? "FAILED"
                : "RETRYING";
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE notifier_deliveries SET state = ?,"
                    + " status_code = ?, latency_ms = ?, response_excerpt = ?, last_error = ?, next_attempt_at ="
                    + " now() + ? * interval '1 millisecond', delivered_at = CASE WHEN ? THEN now() END"
                    + " WHERE id = ? AND attempts = ?");
                 PreparedStatement log = c.prepareStatement("INSERT INTO notifier_attempts (delivery_id, attempt,"
                    + " status_code, latency_ms, error) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, state);
                setStatus(ps, 2, o.status());
                ps.setLong(3, o.latencyMillis());
                ps.setString(4, o.excerpt());
                ps.setString(5, o.error());
                ps.setLong(6, "RETRYING".equals(state) ? retryIn.toMillis() : 0);
                ps.setBoolean(7, o.delivered());
                ps.setObject(8, UUID.fromString(d.id()));
                ps.setInt(9, d.attempt());
                if (ps.executeUpdate() == 0) {
                    c.rollback();
                    return "GONE"; // deleted with its webhook meanwhile, or claimed again after its lease
                }
                log.setObject(1, UUID.fromString(d.id()));
                log.setInt(2, d.attempt());
                setStatus(log, 3, o.status());
                log.setLong(4, o.latencyMillis());
                log.setString(5, o.error());
                log.executeUpdate();
            }
            c.commit();
        }
        return state;
    }

    private static void setStatus(PreparedStatement ps, int i, int status) throws SQLException {
        if (status == 0) {
            ps.setNull(i, java.sql.Types.INTEGER);
        } else {
            ps.setInt(i, status);
        }
    }

    /** Deletes finished deliveries (DELIVERED, FAILED) created more than {@code keep} ago; returns how many. */
    int prune(Duration keep) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM"
                + " notifier_deliveries WHERE state IN ('DELIVERED', 'FAILED') AND created_at < now() - ? *"
                + " interval '1 millisecond'")) {
            ps.setLong(1, keep.toMillis());
            return ps.executeUpdate();
        }
    }

    /** A page of a webhook's deliveries, newest first, each with its attempts. */
    JsonObject deliveries(long webhook, int page, int pageSize) {
        try (Connection c = db.connection()) {
            JsonArray items = new JsonArray();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DELIVERY_COLUMNS + " FROM notifier_deliveries"
                    + " WHERE webhook_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?")) {
                ps.setLong(1, webhook);
                ps.setInt(2, pageSize);
                ps.setLong(3, (long) (page - 1) * pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(delivery(rs));
                    }
                }
            }
            attempts(c, items);
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM notifier_deliveries"
                    + " WHERE webhook_id = ?")) {
                ps.setLong(1, webhook);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            return new JsonObject().put("items", items).put("page", new JsonObject().put("page", page)
                    .put("pageSize", pageSize).put("total", total));
        } catch (SQLException e) {
            throw failed("reading deliveries", e);
        }
    }

    /** One delivery with its attempts. */
    Optional<JsonObject> delivery(String id) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT " + DELIVERY_COLUMNS
                + " FROM notifier_deliveries WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            JsonArray items = new JsonArray();
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    items.add(delivery(rs));
                }
            }
            attempts(c, items);
            return items.isEmpty() ? Optional.empty() : Optional.of(items.getJsonObject(0));
        } catch (SQLException e) {
            throw failed("reading a delivery", e);
        }
    }

    private static JsonObject delivery(ResultSet rs) throws SQLException {
        String state = rs.getString("state");
        boolean open = "PENDING".equals(state) || "RETRYING".equals(state);
        return new JsonObject().put("id", rs.getObject("id").toString()).put("webhook", rs.getLong("webhook_id"))
                .put("event", rs.getString("event_type")).put("eventId", rs.getString("event_id"))
                .put("state", state).put("attempts", rs.getInt("attempts"))
                .put("statusCode", (Integer) rs.getObject("status_code"))
                .put("latencyMs", (Long) rs.getObject("latency_ms"))
                .put("response", rs.getString("response_excerpt")).put("error", rs.getString("last_error"))
                .put("nextAttemptAt", open ? text(rs.getTimestamp("next_attempt_at")) : null)
                .put("createdAt", text(rs.getTimestamp("created_at")))
                .put("deliveredAt", text(rs.getTimestamp("delivered_at")));
    }

    private static void attempts(Connection c, JsonArray items) throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        Map<String, JsonArray> byId = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonArray a = new JsonArray();
            items.getJsonObject(i).put("attemptLog", a);
            byId.put(items.getJsonObject(i).getString("id"), a);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT delivery_id, attempt, at, status_code, latency_ms, error"
                + " FROM notifier_attempts WHERE delivery_id = ANY (?) ORDER BY delivery_id, attempt")) {
            ps.setArray(1, c.createArrayOf("uuid", byId.keySet().stream().map(UUID::fromString).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.get(rs.getObject(1).toString()).add(new JsonObject().put("attempt", rs.getInt(2))
                            .put("at", text(rs.getTimestamp(3))).put("statusCode", (Integer) rs.getObject(4))
                            .put("latencyMs", (Long) rs.getObject(5)).put("error", rs.getString(6)));
                }
            }
        }
    }

    private static String text(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException("notifier store: " + what + " failed: " + e.getMessage(), e);
    }
}
