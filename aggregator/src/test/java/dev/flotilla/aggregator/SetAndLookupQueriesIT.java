package dev.flotilla.aggregator;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deployment sets are paged by the query, whatever status is asked for; one set, database or page
 * of directories is found by index, never by reading the whole table.
 */
class SetAndLookupQueriesIT {
    private static final int SETS = 23;
    private static ViewStore store;
    /** Set id by its number in creation order, and the status each was given. */
    private static final Map<Integer, String> STATUS = new TreeMap<>();
    private static final List<String> IDS = new ArrayList<>();

    @BeforeAll
    static void fill() throws Exception {
        store = new ViewStore("sets");
        Events ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
        for (int i = 0; i < SETS; i++) {
            String set = UUID.randomUUID().toString();
            IDS.add(set);
            String target = "prod/tenant_" + i;
            store.batch(ev.set(set, "2", 1), ev.command(set, target, "2", 0));
            String status = i % 3 == 0 ? "RUNNING" : i % 3 == 1 ? "PASSED" : "FAILED";
            if (!"RUNNING".equals(status)) {
                store.batch(ev.result(set, target, status, 1, "2", "PASSED".equals(status) ? "2" : "1", 1));
            }
            STATUS.put(i, status);
        }
    }

    @AfterAll
    static void drop() {
        store.close();
    }

    @Test
    void everyPageOfSetsOfAStatusIsTheSliceOfTheNewestFirstOrder() throws Exception {
        for (String status : new String[] {null, "RUNNING", "PASSED", "FAILED", "NO_ACTION"}) {
            List<String> truth = new ArrayList<>();
            for (int i = SETS - 1; i >= 0; i--) {
                if (status == null || status.equals(STATUS.get(i))) {
                    truth.add(IDS.get(i));
                }
            }
            for (int size : new int[] {1, 4, 50}) {
                for (int page = 1; (page - 1) * size <= truth.size(); page++) {
                    JsonObject answer = store.queries().sets(status, null, null, new Page(page, size));

                    List<String> ids = new ArrayList<>();
                    answer.getJsonArray("items").forEach(s -> ids.add(((JsonObject) s).getString("id")));
                    assertThat(ids).as("status %s page %d of %d", status, page, size).isEqualTo(
                            truth.subList((page - 1) * size, Math.min(truth.size(), page * size)));
                    assertThat(answer.getJsonObject("page").getLong("total")).isEqualTo(truth.size());
                    answer.getJsonArray("items").forEach(s -> assertThat(((JsonObject) s).getString("status"))
                            .isEqualTo(status == null ? ((JsonObject) s).getString("status") : status));
                }
            }
        }
        assertThat(store.queries().sets(null, "nowhere", null, new Page(1, 20)).getJsonObject("page")
                .getLong("total")).isZero();
    }

    @Test
    void aSetAndADatabaseAreFoundByNumberAndByIdTheSameWay() throws Exception {
        JsonObject byId = store.queries().set(IDS.get(4), new Page(1, 20));
        JsonObject bySeq = store.queries().set(Long.toString(byId.getLong("seq")), new Page(1, 20));
        assertThat(bySeq.getString("id")).isEqualTo(IDS.get(4));
        assertThat(byId.getString("status")).isEqualTo(STATUS.get(4));

        JsonObject db = store.queries().database("prod/tenant_4");
        assertThat(store.queries().database(Long.toString(db.getLong("id"))).getString("targetId"))
                .isEqualTo("prod/tenant_4");
        store.exec("UPDATE agg_databases SET database_id = 'db-of-tenant-4' WHERE target_id = 'prod/tenant_4'");
        assertThat(store.queries().database("db-of-tenant-4").getString("targetId")).isEqualTo("prod/tenant_4");
        assertThatThrownBy(() -> store.queries().database("no-such-database"))
                .isInstanceOfSatisfying(FlotillaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> store.queries().set("99999999", new Page(1, 1))).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void lookupsAndTheNewestSetsNeverScanATable() throws Exception {
        assertThat(plan(ViewQueries.DATABASE_BY_SEQ, 1L)).doesNotContain("Seq Scan");
        assertThat(plan(ViewQueries.DATABASE_BY_TARGET, "prod/tenant_1")).doesNotContain("Seq Scan");
        assertThat(plan(ViewQueries.DATABASE_BY_ID, "db-1")).doesNotContain("Seq Scan");
        assertThat(plan(ViewQueries.SET_BY_SEQ, 1L)).doesNotContain("Seq Scan");
        assertThat(plan(ViewQueries.SET_BY_ID, IDS.get(0))).doesNotContain("Seq Scan");
        // The test can tell: the lookup it replaced matched a number as text, which no index serves.
        assertThat(plan("SELECT * FROM agg_databases WHERE seq::text = ? OR target_id = ? OR database_id = ?", "1",
                "1", "1")).contains("Seq Scan on agg_databases");
    }

    /** The plan PostgreSQL picks when it may use any index it has (sequential scans priced out). */
    private static String plan(String sql, Object... args) throws Exception {
        try (Connection c = store.db.connection()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_seqscan = off");
            }
            StringBuilder out = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET enable_seqscan");
                }
            }
            return out.toString();
        }
    }
}
