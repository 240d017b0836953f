package dev.flotilla.aggregator;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages by number start from the counted page marks, which stay exact while rows come in through
 * the views' writes, one writer or two at once. Envs of thousands of databases, inserted in an
 * order other than their names', so seq and the page order differ.
 */
class PageMarksIT {
    private static ViewStore store;

    @BeforeAll
    static void fill() throws Exception {
        store = new ViewStore("marks");
        // Rows written behind the views' back, as a store from before the marks: a take counts them.
        for (String[] env : new String[][] {{"a", "5500"}, {"b", "3300"}}) {
            store.exec("INSERT INTO agg_databases (target_id, env, name, status, updated_at) SELECT '" + env[0]
                    + "/' || n, '" + env[0] + "', n, 'PENDING', now() FROM (SELECT 'db_' || lpad(((i * 7919) % "
                    + env[1] + ")::text, 5, '0') AS n FROM generate_series(0, " + env[1] + " - 1) i) t");
        }
        store.exec("DELETE FROM agg_database_counts", "INSERT INTO agg_database_counts (env, directory, status, n)"
                + " SELECT coalesce(env, ''), coalesce(directory, ''), status, count(*) FROM agg_databases GROUP BY 1, 2, 3");
        try (Connection c = store.db.connection()) {
            // 9 marks of all envs, 6 of a and 4 of b, and each order's first.
            assertThat(PageMarks.take(c)).as("marks of all envs and of each").isEqualTo(9 + 6 + 4 + 3);
        }
    }

    @AfterAll
    static void drop() {
        store.close();
    }

    @Test
    void everyPageByNumberIsTheRowsAtItsOffset() throws Exception {
        assertExact();
        everyPage(Arrays.asList(null, "a", "b"), new int[] {20, 50, 500}, 777);
    }

    @Test
    void aPageStartsFromTheMarkBeforeItWhileTheMarksCountEveryRow() throws Exception {
        // Env a's first mark (no row), then marks at rows; the third row mark starts at p.
        List<List<Object>> marks = store.rows("SELECT seq, sum(n) OVER (ORDER BY name, seq) - n FROM agg_page_marks"
                + " WHERE NOT all_envs AND scope = 'a' ORDER BY name, seq");
        long before = (Long) marks.get(2).get(0);
        long at = (Long) marks.get(3).get(0);
        long p = (Long) marks.get(3).get(1);
        // One row counted at the mark before instead: that mark claims to start a row late.
        store.exec("UPDATE agg_page_marks SET n = n + 1 WHERE scope = 'a' AND seq = " + before,
                "UPDATE agg_page_marks SET n = n - 1 WHERE scope = 'a' AND seq = " + at);
        assertThat(names("a", (int) p + 501, 1)).as("from the miscounted mark").isEqualTo(truth("a", p + 499, 1));
        assertThat(names(null, (int) p + 501, 1)).as("the marks of all envs").isEqualTo(truth(null, p + 500, 1));
        // Marks that count a row more than there are: not used, the page walks.
        store.exec("UPDATE agg_page_marks SET n = n + 1 WHERE scope = 'a' AND seq = " + at);
        assertThat(names("a", (int) p + 501, 1)).as("marks off the kept counts").isEqualTo(truth("a", p + 500, 1));
        try (Connection c = store.db.connection()) {
            assertThat(PageMarks.takeIfOff(c)).as("and taken again").isPositive();
        }
        assertThat(names("a", (int) p + 501, 1)).as("marks taken again").isEqualTo(truth("a", p + 500, 1));
        assertExact();
    }

    @Test
    void marksThatMissRowsAreTakenAgainAndOnlyThen() throws Exception {
        try (Connection c = store.db.connection()) {
            assertThat(PageMarks.takeIfOff(c)).as("exact marks are kept").isEqualTo(-1);
            // A row and its count written as an aggregator from before the counted marks did.
            store.exec("INSERT INTO agg_databases (target_id, env, name, status, updated_at)"
                    + " VALUES ('b/old', 'b', 'db_0000', 'PENDING', now())",
                    "UPDATE agg_database_counts SET n = n + 1 WHERE env = 'b' AND status = 'PENDING'");
            assertThat(PageMarks.takeIfOff(c)).as("marks missing a row are taken again").isPositive();
            assertExact();
            assertThat(PageMarks.takeIfOff(c)).as("and then kept").isEqualTo(-1);
        }
        everyPage(Arrays.asList(null, "b"), new int[] {50}, 499);
    }

    @Test
    void rowsThatComeInThroughTheViewsKeepTheMarksExactAndSplitThem() throws Exception {
        Events e = new Events(Instant.parse("2026-12-07T00:00:00Z"));
        int n = 4_500;
        List<Object> commands = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Names in no order, half in a new env, some in env a among the rows already there.
            String env = i % 2 == 0 ? "c" : i % 4 == 1 ? "d" : "a";
            commands.add(e.command("set-c", env + "/new_" + String.format("%05d", (i * 7919) % n), "2", 1));
        }
        for (int from = 0; from < n; from += 600) {
            // A fan-out's batch: new rows in one statement.
            store.batch(commands.subList(from, Math.min(n, from + 600)).toArray());
            assertExact();
        }
        // One target twice in a batch (row by row), and results of targets no command named.
        store.batch(e.command("set-c", "c/zz_twice", "2", 2), e.command("set-c", "c/zz_twice", "2", 3),
                e.result("set-c", "d/aa_result", "PASSED", 1, "2", "2", 4),
                e.result("set-c", "b/db_00000x", "PASSED", 1, "2", "2", 4));
        assertExact();
        // Rows counted before that move now (results), beside a new one: only the new one counts.
        store.batch(e.result("set-c", "c/zz_twice", "PASSED", 1, "2", "2", 5),
                e.result("set-c", "c/new_00000", "FAILED", 1, "2", "1", 5),
                e.result("set-c", "a/new_00003", "PASSED", 1, "2", "2", 5), e.command("set-c", "c/zz_new", "2", 5));
        assertExact();
        assertThat(store.rows("SELECT count(*) FROM agg_page_marks WHERE scope = 'c'").get(0).get(0))
                .as("env c's 2,252 rows: its first mark split once it passed 2,000").isEqualTo(2L);
        everyPage(Arrays.asList(null, "a", "c", "d"), new int[] {20, 100}, 333);
    }

    @Test
    void aBatchAppliedEventByEventCountsTheRowsOfTheEventsItKeeps() throws Exception {
        Events e = new Events(Instant.parse("2026-12-07T00:00:00Z"));
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            batch.add(e.command("set-o", "o/one_" + String.format("%05d", (i * 7919) % 1_200), "2", 1));
        }
        // The views refuse a NUL: the batch goes event by event, and this one is parked.
        batch.add(600, e.command("set-o", "o/nul\u0000", "2", 1));
        List<Integer> parked = new ArrayList<>();
        new BatchApplier(store.db).apply(batch, (i, reason) -> parked.add(i));
        assertThat(parked).containsExactly(600);
        assertExact();
        everyPage(Arrays.asList(null, "o"), new int[] {50}, 499);
    }

    @Test
    void twoWritersAtOnceKeepTheMarksExact() throws Exception {
        Events e = new Events(Instant.parse("2026-12-07T00:00:00Z"));
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(two.submit(() -> {
                    for (int b = 0; b < 8; b++) {
                        List<Object> batch = new ArrayList<>();
                        for (int i = 0; i < 400; i++) {
                            // Half of each batch is the other writer's too: one waits for the other's insert.
                            int k = (b * 400 + i) * 2 + (i % 2 == 0 ? 0 : writer);
                            batch.add(e.command("set-w" + writer, "w/t_" + String.format("%05d", (k * 7919) % 6_400),
                                    "2", 1));
                        }
                        store.batch(batch.toArray());
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            two.shutdownNow();
        }
        assertExact();
        everyPage(Arrays.asList(null, "w"), new int[] {50}, 499);
    }

    private static void assertExact() throws Exception {
        store.assertMarksMatchRows();
    }

    private static void everyPage(List<String> envs, int[] sizes, int stride) throws Exception {
        for (String env : envs) {
            for (int size : sizes) {
                long total = store.queries().databases(null, env, null, null, new Page(1, size))
                        .getJsonObject("page").getLong("total");
                assertThat(total).as("env %s", env).isEqualTo(store.rows("SELECT count(*) FROM agg_databases"
                        + (env == null ? "" : " WHERE env = '" + env + "'")).get(0).get(0));
                for (long page = 1; (page - 1) * size < total; page += Math.max(1, stride / size)) {
                    assertThat(names(env, (int) page, size)).as("env %s, page %d of %d", env, page, size)
                            .isEqualTo(truth(env, (page - 1) * size, size));
                }
                int last = (int) ((total + size - 1) / size);
                assertThat(names(env, last, size)).as("env %s, last page of %d", env, size)
                        .isEqualTo(truth(env, (long) (last - 1) * size, size));
            }
        }
    }

    private static List<String> names(String env, int page, int size) throws Exception {
        List<String> out = new ArrayList<>();
        JsonObject answer = store.queries().databases(null, env, null, null, new Page(page, size));
        answer.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("name")));
        return out;
    }

    private static List<String> truth(String env, long offset, int size) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<Object> r : store.rows("SELECT name FROM agg_databases" + (env == null ? "" : " WHERE env = '" + env
                + "'") + " ORDER BY env, name, seq OFFSET " + offset + " LIMIT " + size)) {
            out.add((String) r.get(0));
        }
        return out;
    }
}
