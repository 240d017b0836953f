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
    void aPageStartsFromTheMarkBeforeItAndATakeSpacesTheMarksAgain() throws Exception {
        // A count one too high puts every later mark of env a one row too far: pages start one early.
        store.exec("UPDATE agg_page_marks SET n = n + 1 WHERE scope = 'a' AND seq = (SELECT seq FROM agg_page_marks"
                + " WHERE scope = 'a' AND seq > 0 ORDER BY name, seq OFFSET 1 LIMIT 1)");
        assertThat(names("a", 151, 20)).as("from a miscounted mark").isEqualTo(truth("a", 2_999, 20));
        assertThat(names(null, 151, 20)).as("the marks of all envs are untouched").isEqualTo(truth(null, 3_000, 20));
        try (Connection c = store.db.connection()) {
            PageMarks.take(c);
        }
        assertThat(names("a", 151, 20)).as("marks taken again").isEqualTo(truth("a", 3_000, 20));
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
        assertThat(store.rows("SELECT count(*) FROM agg_page_marks WHERE scope = 'c'").get(0).get(0))
                .as("env c's 2,251 rows: its first mark split once it passed 2,000").isEqualTo(2L);
        everyPage(Arrays.asList(null, "a", "c", "d"), new int[] {20, 100}, 333);
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
                            int k = (b * 400 + i) * 2 + writer;
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

    /** Every mark sits where its count says, every order counts all its rows, no mark is overdue a split. */
    private static void assertExact() throws Exception {
        assertThat(store.rows("SELECT all_envs, scope, name, seq, pos, truth FROM (SELECT m.*, sum(n) OVER (PARTITION BY"
                + " all_envs, scope ORDER BY env, name, seq) - n AS pos, (SELECT count(*) FROM agg_databases d WHERE"
                + " CASE WHEN m.all_envs THEN (d.env, d.name, d.seq) < (m.env, m.name, m.seq) ELSE d.env = m.scope"
                + " AND (d.name, d.seq) < (m.name, m.seq) END) AS truth FROM agg_page_marks m) x WHERE pos <> truth"))
                .as("marks away from their rows").isEmpty();
        assertThat(store.rows("SELECT scope, counted, rows FROM (SELECT s.scope, (SELECT sum(n) FROM agg_page_marks m"
                + " WHERE m.all_envs = s.all_envs AND m.scope = s.scope) AS counted, (SELECT count(*) FROM agg_databases"
                + " d WHERE s.all_envs OR d.env = s.scope) AS rows FROM (SELECT DISTINCT all_envs, scope FROM"
                + " agg_page_marks) s) x WHERE counted <> rows")).as("orders not counted whole").isEmpty();
        assertThat(store.rows("SELECT 1 FROM agg_page_marks WHERE n > " + PageMarks.SPLIT)).as("overdue splits").isEmpty();
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
