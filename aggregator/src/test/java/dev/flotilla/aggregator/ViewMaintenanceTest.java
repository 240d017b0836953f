package dev.flotilla.aggregator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ViewMaintenanceTest {
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger markRuns = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** The maintenance thread; tests wait for it to drain rather than sleep. */
    private final ExecutorService direct = Executors.newSingleThreadExecutor();
    private final ViewMaintenance maintenance = new ViewMaintenance(marks -> {
        runs.incrementAndGet();
        if (marks) {
            markRuns.incrementAndGet();
        }
    }, now::get, direct);

    @AfterEach
    void tearDown() {
        direct.shutdownNow();
    }

    /** Runs submitted so far, once they are done (the executor runs tasks in order). */
    private int runsSoFar() throws Exception {
        direct.submit(() -> { }).get(10, TimeUnit.SECONDS);
        return runs.get();
    }

    @Test
    void aFewNewRowsWaitForTheLoopToGoIdle() throws Exception {
        maintenance.inserted(2_000);
        maintenance.inserted(3_000);
        assertThat(runsSoFar()).isZero();

        maintenance.idle();

        assertThat(runsSoFar()).isEqualTo(1);
    }

    @Test
    void aFanOutRefreshesOnTheWayButNotMoreThanOncePerInterval() throws Exception {
        maintenance.inserted(ViewMaintenance.MIN_ROWS);
        assertThat(runsSoFar()).isEqualTo(1);
        now.addAndGet(1_000_000_000L);
        maintenance.inserted(ViewMaintenance.MIN_ROWS);
        assertThat(runsSoFar()).isEqualTo(1);
        now.addAndGet(ViewMaintenance.MIN_INTERVAL_NANOS);

        maintenance.inserted(ViewMaintenance.MIN_ROWS);

        assertThat(runsSoFar()).isEqualTo(2);
    }

    @Test
    void atStartTheMarksAreTakenOnceAndThenIdleWithoutNewRowsDoesNothing() throws Exception {
        maintenance.idle();
        assertThat(runsSoFar()).as("an earlier process's marks may be missing or behind").isEqualTo(1);
        assertThat(markRuns.get()).isEqualTo(1);
        now.addAndGet(ViewMaintenance.MARKS_INTERVAL_NANOS);

        maintenance.idle();
        maintenance.inserted(0);
        maintenance.idle();

        assertThat(runsSoFar()).isEqualTo(1);
    }

    @Test
    void thePageMarksAreTakenWhenTheLoopIsIdleAndNoRowsCameInForAWhile() throws Exception {
        maintenance.inserted(ViewMaintenance.MIN_ROWS);
        assertThat(runsSoFar()).isEqualTo(1);
        now.addAndGet(ViewMaintenance.MIN_INTERVAL_NANOS);
        maintenance.inserted(ViewMaintenance.MIN_ROWS);
        assertThat(runsSoFar()).isEqualTo(2);
        assertThat(markRuns.get()).as("not while a fan-out inserts").isZero();
        maintenance.inserted(0);
        maintenance.idle();
        assertThat(runsSoFar()).as("the statistics of the last rows, soon after them").isEqualTo(2);

        now.addAndGet(ViewMaintenance.MIN_IDLE_INTERVAL_NANOS);
        maintenance.inserted(0); // a batch of results, no new rows
        assertThat(runsSoFar()).as("not while results flow").isEqualTo(2);

        maintenance.idle();

        assertThat(runsSoFar()).isEqualTo(3);
        assertThat(markRuns.get()).isEqualTo(1);
        now.addAndGet(ViewMaintenance.MIN_INTERVAL_NANOS);
        maintenance.inserted(0);
        maintenance.idle();
        assertThat(runsSoFar()).as("taken once until rows come in again").isEqualTo(3);
    }

    @Test
    void rowsThatTrickleInRetakeTheMarksAtMostOncePerInterval() throws Exception {
        maintenance.inserted(3);
        now.addAndGet(ViewMaintenance.MIN_IDLE_INTERVAL_NANOS);
        maintenance.idle();
        assertThat(runsSoFar()).isEqualTo(1);
        assertThat(markRuns.get()).isEqualTo(1);

        for (int i = 0; i < 5; i++) { // a new tenant every 2 s
            maintenance.inserted(1);
            now.addAndGet(2 * ViewMaintenance.MIN_IDLE_INTERVAL_NANOS);
            maintenance.idle();
            runsSoFar();
        }
        assertThat(runsSoFar()).as("the statistics after each").isEqualTo(6);
        assertThat(markRuns.get()).as("the marks wait for their interval").isEqualTo(1);

        now.addAndGet(ViewMaintenance.MARKS_INTERVAL_NANOS);
        maintenance.idle();

        assertThat(runsSoFar()).isEqualTo(7);
        assertThat(markRuns.get()).isEqualTo(2);
    }

    @Test
    void marksThatFailedAreTakenAgain() throws Exception {
        AtomicInteger marks = new AtomicInteger();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        ViewMaintenance failing = new ViewMaintenance(m -> {
            if (m && marks.incrementAndGet() == 1) {
                throw new SQLException("canceling statement due to lock timeout", "55P03");
            }
        }, now::get, thread);
        failing.inserted(10);
        now.addAndGet(ViewMaintenance.MIN_IDLE_INTERVAL_NANOS);
        failing.idle();
        thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        now.addAndGet(ViewMaintenance.MARKS_INTERVAL_NANOS);

        failing.idle();
        thread.shutdown();

        assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(marks.get()).isEqualTo(2);
    }

    @Test
    void aFailingRunIsLoggedAndTheNextOneStillHappens() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        ViewMaintenance failing = new ViewMaintenance(marks -> {
            attempts.incrementAndGet();
            throw new SQLException("lock timeout", "55P03");
        }, now::get, thread);
        failing.inserted(ViewMaintenance.MIN_ROWS);
        thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        now.addAndGet(ViewMaintenance.MIN_INTERVAL_NANOS);

        failing.inserted(ViewMaintenance.MIN_ROWS);
        thread.shutdown();

        assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts.get()).isEqualTo(2);
    }
}
