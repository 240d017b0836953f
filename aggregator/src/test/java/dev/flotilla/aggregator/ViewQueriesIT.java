package dev.flotilla.aggregator;

import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The list APIs on the real PostgreSQL: every page, by number or by cursor, is the slice of the
 * full (env, name) order that OFFSET would give, and totals come from the kept counts.
 */
class ViewQueriesIT {
    private static final String SET = "11111111-1111-1111-1111-111111111111";
    /** Names sort differently from insertion order, and two envs hold the same names. */
    private static final int PER_ENV = 53;

    private static ViewStore store;

    @BeforeAll
    static void fill() throws Exception {
        store = new ViewStore("queries");
        Events ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
        List<Object> commands = new ArrayList<>();
        List<Object> results = new ArrayList<>();
        for (String env : List.of("prod", "stage")) {
            for (int i = PER_ENV - 1; i >= 0; i--) {
                String target = env + "/tenant_" + (i * 7 % PER_ENV);
                commands.add(ev.command(SET, target, "2", 0));
                if (i % 3 == 0) {
                    results.add(ev.result(SET, target, i % 2 == 0 ? "PASSED" : "FAILED", 1, "2", "2", 1));
                }
            }
        }
        store.batch(commands.toArray());
        store.batch(results.toArray());
        // the set's own event, planning the targets that have results: the set is then done
        store.batch(ev.set(SET, "2", results.size()));
    }

    @AfterAll
    static void drop() {
        store.close();
    }

    private static List<String> truth(String where) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<Object> r : store.rows("SELECT target_id FROM agg_databases" + where + " ORDER BY env, name, seq")) {
            out.add((String) r.get(0));
        }
        return out;
    }

    private static List<String> ids(JsonObject answer) {
        List<String> out = new ArrayList<>();
        answer.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("targetId")));
        return out;
    }

    @Test
    void everyPageNumberIsTheSliceOfTheOrderFromEitherEnd() throws Exception {
        for (String env : new String[] {null, "prod"}) {
            List<String> all = truth(env == null ? "" : " WHERE env = 'prod'");
            for (int size : new int[] {1, 7, 20}) {
                for (int page = 1; (page - 1) * size <= all.size(); page++) {
                    JsonObject answer = store.queries().databases(null, env, null, null, new Page(page, size));

                    assertThat(ids(answer)).as("env %s page %d of %d", env, page, size).isEqualTo(
                            all.subList((page - 1) * size, Math.min(all.size(), page * size)));
                    assertThat(answer.getJsonObject("page").getLong("total")).isEqualTo(all.size());
                }
            }
        }
    }

    @Test
    void followingNextVisitsEveryRowOnceInOrder() throws Exception {
        for (String status : new String[] {null, "pending"}) {
            List<String> all = truth(status == null ? " WHERE env = 'prod'"
                    : " WHERE env = 'prod' AND status = 'PENDING'");
            List<String> seen = new ArrayList<>();
            JsonObject answer = store.queries().databases(status, "prod", null, null, new Page(1, 10));
            int page = 1;
            while (true) {
                seen.addAll(ids(answer));
                assertThat(answer.getJsonObject("page").getInteger("page")).isEqualTo(page);
                String next = answer.getJsonObject("page").getString("next");
                if (next == null) {
                    break;
                }
                MultiMap q = query(next);
                assertThat(q.get("env")).isEqualTo("prod");
                assertThat(q.get("status")).isEqualTo(status);
                answer = store.queries().databases(q.get("status"), q.get("env"), null, null, Page.of(q));
                page++;
            }
            assertThat(seen).isEqualTo(all);
        }
    }

    @Test
    void aCursorWithoutEnvWalksAcrossEnvs() throws Exception {
        List<String> all = truth("");
        JsonObject first = store.queries().databases(null, null, null, null, new Page(5, 10));
        MultiMap q = query(first.getJsonObject("page").getString("next"));

        JsonObject second = store.queries().databases(null, null, null, null, Page.of(q));

        assertThat(ids(second)).isEqualTo(all.subList(50, 60));
        assertThat(second.getJsonObject("page").getInteger("page")).isEqualTo(6);
    }

    @Test
    void totalsComeFromTheKeptCountsAndMatchCountingTheRows() throws Exception {
        assertThat(total(null, null, null)).isEqualTo(truth("").size());
        assertThat(total("SYNCED", "prod", null)).isEqualTo(truth(" WHERE env = 'prod' AND status = 'SYNCED'").size())
                .isPositive();
        assertThat(total("failed", null, "app")).isEqualTo(truth(" WHERE status = 'FAILED'").size()).isPositive();
        assertThat(total(null, "nowhere", null)).isZero();
        assertThat(store.queries().databases(null, "prod", null, "ANT_1", new Page(1, 500))
                .getJsonObject("page").getLong("total")).isEqualTo(truth(" WHERE env = 'prod' AND name ILIKE"
                + " '%ant\\_1%'").size()).isPositive();
        store.assertCountsMatchRows();
    }

    @Test
    void theLastPageByNumberLinksNoNextPage() throws Exception {
        JsonObject last = store.queries().databases(null, "prod", null, null, new Page(PER_ENV, 1));
        JsonObject before = store.queries().databases(null, "prod", null, null, new Page(PER_ENV - 1, 1));

        assertThat(ids(last)).hasSize(1);
        assertThat(last.getJsonObject("page").containsKey("next")).isFalse();
        assertThat(before.getJsonObject("page").getString("next")).contains("page=" + PER_ENV);
    }

    @Test
    void aPagePastTheEndIsEmptyWithTheTotal() throws Exception {
        JsonObject answer = store.queries().databases(null, "prod", null, null, new Page(99, 20));

        assertThat(answer.getJsonArray("items")).isEmpty();
        assertThat(answer.getJsonObject("page").getLong("total")).isEqualTo(PER_ENV);
        assertThat(answer.getJsonObject("page").containsKey("next")).isFalse();
    }

    @Test
    void aCursorThisApiDidNotHandOutIsRefusedWithTheFix() {
        MultiMap q = MultiMap.caseInsensitiveMultiMap().add("after", "bm90IGEgY3Vyc29y");

        assertThatThrownBy(() -> Page.of(q)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining("follow page.next");
    }

    @Test
    void theSetsListAndATargetsPageCountFromTheKeptCounts() throws Exception {
        JsonArray sets = store.queries().sets(null, null, null, new Page(1, 20)).getJsonArray("items");
        JsonObject set = store.queries().set(SET, new Page(2, 5));

        assertThat(sets).hasSize(1);
        assertThat(sets.getJsonObject(0).getLong("succeeded"))
                .isEqualTo(store.rows("SELECT 1 FROM agg_deployments WHERE status = 'PASSED'").size()).isPositive();
        assertThat(sets.getJsonObject(0).getLong("failed"))
                .isEqualTo(store.rows("SELECT 1 FROM agg_deployments WHERE status = 'FAILED'").size()).isPositive();
        assertThat(set.getString("status")).isEqualTo("FAILED");
        List<String> names = new ArrayList<>();
        set.getJsonArray("targets").forEach(t -> names.add(((JsonObject) t).getString("targetId")));
        List<String> truth = new ArrayList<>();
        for (List<Object> r : store.rows("SELECT target_id FROM agg_deployments ORDER BY target_name, target_id"
                + " LIMIT 5 OFFSET 5")) {
            truth.add((String) r.get(0));
        }
        assertThat(names).isEqualTo(truth);
    }

    private static long total(String status, String env, String directory) throws Exception {
        return store.queries().databases(status, env, directory, null, new Page(1, 1)).getJsonObject("page")
                .getLong("total");
    }

    private static MultiMap query(String link) {
        MultiMap q = MultiMap.caseInsensitiveMultiMap();
        for (String pair : URI.create(link).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.add(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return q;
    }
}
