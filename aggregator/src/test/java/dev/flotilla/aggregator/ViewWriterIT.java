package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.MigrationResult;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The views' write rules on the real PostgreSQL: idempotent, attempt-fenced, order-tolerant; and a
 * batch, applied phase by phase, ends exactly where applying its events one by one would.
 */
class ViewWriterIT {
    private static final String SET = "11111111-1111-1111-1111-111111111111";
    private static final String NEXT_SET = "22222222-2222-2222-2222-222222222222";
    private static final String TARGET = "prod/tenant_1";

    private ViewStore store;
    private Events ev;

    @BeforeEach
    void setUp() {
        store = new ViewStore("views");
        ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private JsonObject deployment(String set) throws Exception {
        return store.queries().deployment(set, TARGET);
    }

    private JsonObject database() throws Exception {
        return store.queries().database(TARGET);
    }

    /** The same events in a second store, one by one: the views must be identical. */
    private void assertSameAsOneByOne(Object... events) throws Exception {
        try (ViewStore single = new ViewStore("views1")) {
            single.oneByOne(events);
            assertThat(store.dump()).isEqualTo(single.dump());
        }
        store.assertCountsMatchRows();
    }

    /**
     * Commands and results come on other topics than the set's creation: until the set's own event
     * says how many targets it plans, a set known only from them is still running, not done.
     */
    @Test
    void aSetKnownOnlyFromItsCommandsAndResultsIsRunningUntilItsOwnEventCounts() throws Exception {
        store.batch(ev.command(SET, TARGET, "2", 1), ev.result(SET, TARGET, "NO_ACTION", 1, "2", "2", 2));
        assertThat(store.queries().set(SET, new Page(1, 20)).getString("status")).isEqualTo("RUNNING");
        store.batch(ev.set(SET, "2", 2));
        assertThat(store.queries().set(SET, new Page(1, 20)).getString("status")).isEqualTo("RUNNING");
        store.batch(ev.command(SET, "prod/tenant_2", "2", 1), ev.result(SET, "prod/tenant_2", "PASSED", 1, "2", "2", 3));
        assertThat(store.queries().set(SET, new Page(1, 20)).getString("status")).isEqualTo("PASSED");
    }

    @Test
    void aRedeliveredCommandsNoActionDoesNotHideTheRunThatDidTheWork() throws Exception {
        store.batch(ev.set(SET, "2", 2), ev.command(SET, TARGET, "2", 0), ev.result(SET, TARGET, "PASSED", 1, "2", "2", 1));

        store.batch(ev.result(SET, TARGET, "NO_ACTION", 1, "2", "2", 2));

        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(database().getString("status")).isEqualTo("SYNCED");
    }

    @Test
    void aNewerAttemptWinsAndAStaleOneIsIgnored() throws Exception {
        store.batch(ev.set(SET, "2", 2), ev.command(SET, TARGET, "2", 0), ev.result(SET, TARGET, "FAILED", 1, "2", "1", 1));
        store.batch(ev.result(SET, TARGET, "PASSED", 2, "2", "2", 3));

        JdbcViewWriter.Applied stale = store.batch(ev.result(SET, TARGET, "FAILED", 1, "2", "1", 4));

        assertThat(stale.changed()).isEmpty();
        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(deployment(SET).getInteger("attempt")).isEqualTo(2);
        assertThat(database().getString("currentVersion")).isEqualTo("2");
    }

    @Test
    void duplicateEventsChangeNothingAndAResultBeforeItsCommandIsKept() throws Exception {
        Object r = ev.result(SET, TARGET, "PASSED", 1, "2", "2", 2);
        Object[] batch = {r, r, ev.command(SET, TARGET, "2", 0), ev.set(SET, "2", 2), ev.set(SET, "2", 2),
            ev.command(SET, TARGET, "2", 0)};

        JdbcViewWriter.Applied applied = store.batch(batch);

        // The duplicate rewrites the same row (update count 1); the metrics count it as the old code did.
        assertThat(applied.changed()).containsExactly(0, 1);
        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(store.queries().sets(null, null, null, new Page(1, 20)).getJsonArray("items")).hasSize(1);
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertSameAsOneByOne(batch);
    }

    @Test
    void aRunningSetWithoutEventsForTooLongIsReportedStalled() throws Exception {
        store.batch(ev.set(SET, "2", 2), ev.command(SET, TARGET, "2", 0), ev.result(SET, TARGET, "PASSED", 1, "2", "2", 1));

        JsonObject fresh = store.queries().set(SET, new Page(1, 20));
        JsonObject old = new ViewQueries(store.db, Duration.ofSeconds(1)).set(SET, new Page(1, 20));

        assertThat(fresh.getString("status")).isEqualTo("RUNNING");
        assertThat(fresh.getLong("succeeded")).isEqualTo(1);
        assertThat(fresh.getLong("total")).isEqualTo(2);
        assertThat(fresh.getBoolean("stalled")).isFalse();
        assertThat(old.getBoolean("stalled")).isTrue();
        assertThat(new ViewQueries(store.db, Duration.ofSeconds(1)).sets("STALLED", null, null, new Page(1, 20))
                .getJsonArray("items")).hasSize(1);
    }

    @Test
    void aCommandItsProgressAndItsResultInOneBatchEndAsTheResultSays() throws Exception {
        Object[] batch = {ev.set(SET, "3", 1), ev.command(SET, TARGET, "3", 0), ev.progress(SET, TARGET, 1, 1),
            ev.progress(SET, TARGET, 1, 2), ev.result(SET, TARGET, "PASSED", 1, "3", "3", 3)};

        JdbcViewWriter.Applied applied = store.batch(batch);

        assertThat(applied.changed()).containsExactly(4);
        JsonObject d = deployment(SET);
        assertThat(d.getString("status")).isEqualTo("PASSED");
        assertThat(d.getString("startedAt")).isEqualTo(ev.at(3).minusMillis(10).toString());
        assertThat(d.getJsonArray("files")).hasSize(2);
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        JsonObject set = store.queries().set(SET, new Page(1, 20));
        assertThat(set.getString("status")).isEqualTo("PASSED");
        assertThat(set.getLong("succeeded")).isEqualTo(1);
        assertThat(set.getLong("total")).isEqualTo(1);
        assertThat(set.getString("completedAt")).isEqualTo(ev.at(3).toString());
        assertThat(set.getString("lastEventAt")).isEqualTo(ev.at(3).toString());
        assertSameAsOneByOne(batch);
    }

    @Test
    void twoAttemptsOfOneTargetInOneBatchLeaveTheNewerInEitherOrder() throws Exception {
        Object failed = ev.result(SET, TARGET, "FAILED", 1, "3", "1", 1);
        Object passed = ev.result(SET, TARGET, "PASSED", 2, "3", "3", 2);
        store.batch(ev.set(SET, "3", 1), ev.command(SET, TARGET, "3", 0));

        JdbcViewWriter.Applied inOrder = store.batch(failed, passed);

        assertThat(inOrder.changed()).containsExactly(0, 1);
        assertThat(deployment(SET).getInteger("attempt")).isEqualTo(2);
        assertThat(deployment(SET).getJsonArray("files")).hasSize(2);
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertSameAsOneByOne(ev.set(SET, "3", 1), ev.command(SET, TARGET, "3", 0), failed, passed);

        store.truncate();
        store.batch(ev.set(SET, "3", 1), ev.command(SET, TARGET, "3", 0));
        JdbcViewWriter.Applied reversed = store.batch(passed, failed);

        assertThat(reversed.changed()).containsExactly(0);
        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(deployment(SET).getString("workerId")).isEqualTo("w2");
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertThat(database().getString("error")).isNull();
        assertSameAsOneByOne(ev.set(SET, "3", 1), ev.command(SET, TARGET, "3", 0), passed, failed);
    }

    @Test
    void aResultOfOneSetThenACommandOfTheNextForTheSameTargetAreAppliedInThatOrder() throws Exception {
        Object[] before = {ev.set(SET, "2", 1), ev.command(SET, TARGET, "2", 0)};
        store.batch(before);
        Object result = ev.result(SET, TARGET, "PASSED", 1, "2", "2", 5);
        Object laterCommand = ev.command(NEXT_SET, TARGET, "3", 6);

        store.batch(result, laterCommand);

        assertThat(database().getString("status")).isEqualTo("PENDING");
        assertThat(database().getString("targetVersion")).isEqualTo("3");
        assertThat(database().getString("currentVersion")).isEqualTo("2");
        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(deployment(NEXT_SET).getString("status")).isEqualTo("QUEUED");
        assertSameAsOneByOne(before[0], before[1], result, laterCommand);
    }

    @Test
    void aCommandSentBeforeAResultButReadAfterItDoesNotMixTheirVersions() throws Exception {
        Object[] before = {ev.set(SET, "2", 1), ev.command(SET, TARGET, "2", 0)};
        store.batch(before);
        Object result = ev.result(SET, TARGET, "PASSED", 1, "2", "2", 5);
        Object earlierCommand = ev.command(NEXT_SET, TARGET, "3", 4);

        store.batch(result, earlierCommand);

        // One by one, the command's older time loses to the result's: the database stays at the
        // result's target. Applied before the result, it would set target 3 under the result's SYNCED.
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertThat(database().getString("targetVersion")).isEqualTo("2");
        assertSameAsOneByOne(before[0], before[1], result, earlierCommand);
    }

    @Test
    void aResultReadBeforeItsOwnCommandShowsTheVersionItAimedFor() throws Exception {
        store.batch(ev.set(SET, "1", 1), ev.command(SET, TARGET, "1", 0), ev.result(SET, TARGET, "PASSED", 1, "1", "1", 1));
        Object command = ev.command(NEXT_SET, TARGET, "2", 4);
        Object result = ev.result(NEXT_SET, TARGET, "PASSED", 1, "2", "2", 5);

        // Commands and results travel on different topics: the aggregator may read the result first.
        store.batch(ev.set(NEXT_SET, "2", 1), result);
        store.batch(command);

        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertThat(database().getString("currentVersion")).isEqualTo("2");
        assertThat(database().getString("targetVersion")).as("SYNCED means current = target").isEqualTo("2");
        assertSameAsOneByOne(ev.set(SET, "1", 1), ev.command(SET, TARGET, "1", 0),
                ev.result(SET, TARGET, "PASSED", 1, "1", "1", 1), ev.set(NEXT_SET, "2", 1), result, command);
    }

    @Test
    void randomBatchesEndWhereTheirEventsOneByOneDo() throws Exception {
        randomBatches(new Random(7), 3, 14);
    }

    /** Mostly distinct targets per batch: the results then go in one set-based statement each. */
    @Test
    void randomBatchesOverManyTargetsEndWhereTheirEventsOneByOneDo() throws Exception {
        randomBatches(new Random(11), 12, 30);
    }

    private void randomBatches(Random random, int targets, int size) throws Exception {
        try (ViewStore single = new ViewStore("views1")) {
            for (int round = 0; round < 40; round++) {
                store.truncate();
                single.truncate();
                List<Object> events = randomEvents(random, targets, size);
                store.batch(events.toArray());
                single.oneByOne(events.toArray());
                assertThat(store.dump()).as("round %d: %s", round, describe(events)).isEqualTo(single.dump());
                store.assertCountsMatchRows();
            }
        }
    }

    private static List<String> describe(List<Object> events) {
        List<String> out = new ArrayList<>();
        for (Object o : events) {
            org.apache.avro.specific.SpecificRecord e = (org.apache.avro.specific.SpecificRecord) o;
            String s = e.getSchema().getName();
            for (String f : List.of("deploymentSetId", "targetId", "status", "attempt", "currentVersion",
                    "occurredAt")) {
                if (e.getSchema().getField(f) != null) {
                    Object v = e.get(e.getSchema().getField(f).pos());
                    s += " " + (v instanceof String && ((String) v).length() > 20 ? ((String) v).substring(0, 1) : v);
                }
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void aSkippedResultEndsTheDeploymentButLeavesTheDatabasePending() throws Exception {
        store.batch(ev.set(SET, "2", 2), ev.command(SET, TARGET, "2", "rest", 0));

        store.batch(ev.skipped(SET, TARGET, 1, "GROUP", "not started: group \"canary\" failed", 1));

        assertThat(deployment(SET).getString("status")).isEqualTo("SKIPPED");
        assertThat(deployment(SET).getString("error")).isEqualTo("not started: group \"canary\" failed");
        assertThat(deployment(SET).getString("group")).isEqualTo("rest");
        assertThat(database().getString("status")).isEqualTo("PENDING");
        JsonObject set = store.queries().set(SET, new Page(1, 20));
        assertThat(set.getLong("skipped")).isEqualTo(1);
        assertThat(set.getLong("succeeded")).isZero();
        assertThat(set.getString("status")).as("one target of two has a result").isEqualTo("RUNNING");
        store.assertCountsMatchRows();
    }

    @Test
    void aSkipWithoutACommandTurnsASyncedDatabaseBehindItPendingAndLeavesAFailedOneFailed() throws Exception {
        store.batch(ev.set(SET, "2", 2), ev.command(SET, TARGET, "2", 0), ev.command(SET, "prod/tenant_2", "2", 0),
                ev.result(SET, TARGET, "PASSED", 1, "2", "2", 1), ev.result(SET, "prod/tenant_2", "FAILED", 1, "2", "1",
                1));
        assertThat(database().getString("status")).isEqualTo("SYNCED");

        store.batch(ev.set(NEXT_SET, "3", 2), MigrationResult.newBuilder(ev.skipped(NEXT_SET, TARGET, 1, "DEPENDENCY",
                "group rest did not start", 2)).setToVersion("3").build(), MigrationResult.newBuilder(ev.skipped(
                NEXT_SET, "prod/tenant_2", 1, "DEPENDENCY", "group rest did not start", 2)).setToVersion("3").build());

        assertThat(database().getString("status")).as("behind the version the set aimed for").isEqualTo("PENDING");
        assertThat(database().getString("currentVersion")).isEqualTo("2");
        assertThat(store.queries().database("prod/tenant_2").getString("status")).isEqualTo("FAILED");
        assertThat(store.queries().set(NEXT_SET, new Page(1, 20)).getString("status")).isEqualTo("SKIPPED");
        store.assertCountsMatchRows();
    }

    @Test
    void aResultSkippedBecauseTheSetIsPausedKeepsTheDeploymentQueuedUntilTheNextAttempt() throws Exception {
        store.batch(ev.set(SET, "2", 1), ev.command(SET, TARGET, "2", 0));

        store.batch(ev.skipped(SET, TARGET, 1, "SET_PAUSED", "set paused by alice", 1));

        assertThat(deployment(SET).getString("status")).isEqualTo("QUEUED");
        assertThat(deployment(SET).getString("errorCode")).isEqualTo("SET_PAUSED");
        assertThat(store.queries().set(SET, new Page(1, 20)).getString("status")).isEqualTo("RUNNING");

        store.batch(ev.result(SET, TARGET, "PASSED", 2, "2", "2", 3));
        store.batch(ev.skipped(SET, TARGET, 1, "SET_PAUSED", "set paused by alice", 4));

        assertThat(deployment(SET).getString("status")).isEqualTo("PASSED");
        assertThat(database().getString("status")).isEqualTo("SYNCED");
        assertThat(store.queries().set(SET, new Page(1, 20)).getString("status")).isEqualTo("PASSED");
        store.assertCountsMatchRows();
    }

    @Test
    void aDatabaseIsBehindByTheVersionsOfTheLatestPushAfterItsOwn() throws Exception {
        store.batch(ev.pushed("v1", 0, "1"), ev.pushed("v2", 1, "1", "2"), ev.pushed("v3", 2, "1", "2", "3"));
        store.batch(ev.set(SET, "3", 3), ev.command(SET, "prod/a", "3", 3), ev.command(SET, "prod/b", "3", 3),
                ev.command(SET, "prod/c", "3", 3));
        store.batch(ev.result(SET, "prod/a", "PASSED", 1, "3", "3", 4),
                ev.result(SET, "prod/b", "FAILED", 1, "3", "1", 4));

        assertThat(store.queries().database("prod/a").getInteger("versionsBehind")).isZero();
        assertThat(store.queries().database("prod/b").getInteger("versionsBehind")).isEqualTo(2);
        assertThat(store.queries().database("prod/c").getInteger("versionsBehind")).as("no version yet").isEqualTo(3);
        List<List<Object>> behind = store.rows(BehindGauge.BEHIND);
        assertThat(behind).hasSize(1);
        assertThat(behind.get(0).subList(0, 2)).containsExactly("prod", "app");
        assertThat(((Number) behind.get(0).get(2)).longValue()).isEqualTo(2);
        store.assertCountsMatchRows();
    }

    /** {@code size} events of two sets over {@code targets} targets, shuffled, with duplicates and several attempts. */
    private List<Object> randomEvents(Random random, int targets, int size) {
        String[] sets = {SET, NEXT_SET};
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String set = sets[random.nextInt(2)];
            String version = set.equals(SET) ? "2" : "3";
            String target = "prod/tenant_" + random.nextInt(targets);
            int attempt = 1 + random.nextInt(2);
            int at = random.nextInt(20);
            switch (random.nextInt(9)) {
                case 0 -> out.add(ev.set(set, version, 3));
                case 1 -> out.add(ev.command(set, target, version, set.equals(SET) ? "canary" : null, at));
                case 2 -> out.add(ev.progress(set, target, attempt, at));
                case 3 -> out.add(ev.result(set, target, "PASSED", attempt, version, version, at));
                case 4 -> out.add(ev.result(set, target, random.nextBoolean() ? "FAILED" : "NO_ACTION", attempt,
                        version, random.nextBoolean() ? "1" : version, at));
                case 5 -> out.add(ev.skipped(set, target, attempt, "SET_PAUSED", "set paused by alice", at));
                case 6 -> out.add(ev.skipped(set, target, attempt, random.nextBoolean() ? "GROUP" : "OPERATOR",
                        "skipped", at));
                case 7 -> out.add(ev.pushed("v" + version, at, "1", version));
                default -> out.add(out.isEmpty() ? ev.set(set, version, 3) : out.get(random.nextInt(out.size())));
            }
        }
        return out;
    }
}
