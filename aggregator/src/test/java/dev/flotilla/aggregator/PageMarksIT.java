package dev.flotilla.aggregator;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages by number start from the page marks while the marks are of the rows as they are, and walk
 * as before once rows came in after them. Two envs of 5,500 and 3,300 databases, inserted in an
 * order other than their names', so seq and the page order differ.
 */
class PageMarksIT {
    private static ViewStore store;

    @BeforeAll
    static void fill() throws Exception {
        store = new ViewStore("marks");
        for (String[] env : new String[][] {{"a", "5500"}, {"b", "3300"}}) {
            store.exec("INSERT INTO agg_databases (target_id, env, name, status, updated_at) SELECT '" + env[0]
                    + "/' || n, '" + env[0] + "', n, 'PENDING', now() FROM (SELECT 'db_' || lpad(((i * 7919) % "
                    + env[1] + ")::text, 5, '0') AS n FROM generate_series(0, " + env[1] + " - 1) i) t");
        }
        recount();
    }

    @AfterAll
    static void drop() {
        store.close();
    }

    @BeforeEach
    void takeMarks() throws Exception {
        try (Connection c = store.db.connection()) {
            assertThat(PageMarks.take(c)).as("marks of all envs and of each").isEqualTo(9 + 6 + 4);
        }
    }

    @Test
    void everyPageByNumberIsTheRowsAtItsOffset() throws Exception {
        for (String env : Arrays.asList(null, "a", "b")) {
            for (int size : new int[] {20, 50, 500}) {
                long total = store.queries().databases(null, env, null, null, new Page(1, size))
                        .getJsonObject("page").getLong("total");
                for (long page = 1; (page - 1) * size < total; page += Math.max(1, 777 / size)) {
                    assertThat(names(env, (int) page, size)).as("env %s, page %d of %d", env, page, size)
                            .isEqualTo(truth(env, (page - 1) * size, size));
                }
                int last = (int) ((total + size - 1) / size);
                assertThat(names(env, last, size)).as("env %s, last page of %d", env, size)
                        .isEqualTo(truth(env, (long) (last - 1) * size, size));
            }
        }
    }

    @Test
    void aPageStartsFromItsMarkOnlyWhileTheMarksAreOfTheRowsAsTheyAre() throws Exception {
        // Mark 2 of env a points at mark 3's row: a page that starts from it shows rows 1,000 on.
        store.exec("UPDATE agg_database_marks m SET name = n.name, seq = n.seq FROM agg_database_marks n"
                + " WHERE m.scope = 'a' AND m.k = 2 AND n.scope = 'a' AND n.k = 3");
        assertThat(names("a", 101, 20)).as("from the (moved) mark").isEqualTo(truth("a", 3_000, 20));
        assertThat(names(null, 101, 20)).as("the marks of all envs are untouched").isEqualTo(truth(null, 2_000, 20));
        store.exec("UPDATE agg_database_marks m SET env = n.env, name = n.name, seq = n.seq FROM agg_database_marks n"
                + " WHERE m.all_envs AND m.k = 2 AND n.all_envs AND n.k = 3");
        assertThat(names(null, 101, 20)).as("from the (moved) mark of all envs").isEqualTo(truth(null, 3_000, 20));

        store.exec("INSERT INTO agg_databases (target_id, env, name, status, updated_at)"
                + " VALUES ('a/new', 'a', 'db_00000a', 'PENDING', now())");
        recount();

        assertThat(names("a", 101, 20)).as("a new row: the page walks").isEqualTo(truth("a", 2_000, 20));
        assertThat(names(null, 101, 20)).as("a new row: the page of all envs walks").isEqualTo(truth(null, 2_000, 20));
        store.exec("DELETE FROM agg_databases WHERE target_id = 'a/new'");
        recount();
    }

    private static void recount() throws Exception {
        store.exec("DELETE FROM agg_database_counts", "INSERT INTO agg_database_counts (env, directory, status, n)"
                + " SELECT coalesce(env, ''), coalesce(directory, ''), status, count(*) FROM agg_databases GROUP BY 1, 2, 3");
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
