package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Refreshes the planner statistics of the views after the aggregator inserted many rows, and sets
 * the visibility map of {@code agg_databases} so its pages are index-only scans. Autovacuum does
 * the same, but up to a minute late: right after a fan-out the page query would otherwise be
 * planned for a table of a few hundred rows (a bitmap scan and an on-disk sort of every row).
 *
 * <p>Runs on its own thread so the consume loop never waits for it; one run at a time, at most one
 * per {@link #MIN_INTERVAL_NANOS} while events flow, and soon after the loop goes idle with rows
 * inserted since the last run. When the loop is idle and no rows were inserted for
 * {@link #MIN_IDLE_INTERVAL_NANOS}, a run also checks the {@link PageMarks} against the kept
 * counts, at most once per {@link #MARKS_INTERVAL_NANOS}, and takes them anew if rows came in that
 * they do not count (written by an aggregator from before the counted marks). Writers keep them
 * exact otherwise. A take is a pass over the page index, too much to repeat while a fan-out
 * inserts, and taken while results flowed (with a VACUUM) it held the results of a 5,000-tenant
 * rollout back by 300–400 ms.
 */
final class ViewMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewMaintenance.class);
    /**
     * New rows that make a run worth it while events flow (or a fifth of the rows inserted so far,
     * if more): a rollout's few thousand new rows wait until the loop is idle rather than compete
     * with its results for the CPU; a fan-out of a hundred thousand gets statistics on the way.
     */
    static final long MIN_ROWS = 10_000;
    /** The least time between two runs while events flow, and once the loop is idle. */
    static final long MIN_INTERVAL_NANOS = 5_000_000_000L;
    static final long MIN_IDLE_INTERVAL_NANOS = 1_000_000_000L;
    /**
     * The least time between two checks of the page marks: a take is about a second of the store's
     * CPU at a million databases, so rows that keep coming uncounted retake them at most this often.
     */
    static final long MARKS_INTERVAL_NANOS = 30_000_000_000L;

    /** What a run does: the statistics, and the page marks too when {@code marks}. */
    @FunctionalInterface
    interface Job {
        void run(boolean marks) throws SQLException;
    }

    private final Job job;
    private final LongSupplier nanos;
    private final ExecutorService thread;
    private final AtomicBoolean running = new AtomicBoolean();
    /**
     * Rows were inserted since the marks were last taken (or their taking failed); true at start,
     * as the marks of an earlier process may be missing or behind.
     */
    private final AtomicBoolean marksDue = new AtomicBoolean(true);
    private long lastInsert;
    private long pending;
    private long seen;
    private long lastRun;
    /** When the last pass for the marks started; none yet while {@link #marked} is false. */
    private long lastMarks;
    private boolean marked;
    private boolean ran;

    /** Refreshes the views of {@code db} on a thread of its own. */
    ViewMaintenance(ServiceStore db) {
        this(marks -> refresh(db, marks), System::nanoTime, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flotilla-aggregator-maintenance");
            t.setDaemon(true);
            return t;
        }));
    }

    ViewMaintenance(Job job, LongSupplier nanos, ExecutorService thread) {
        this.job = job;
        this.nanos = nanos;
        this.thread = thread;
    }

    /** After a committed batch that inserted {@code rows} rows. Called by the consume loop only. */
    void inserted(long rows) {
        if (rows == 0) {
            return;
        }
        pending += rows;
        seen += rows;
        lastInsert = nanos.getAsLong();
        marksDue.set(true);
        if (pending >= Math.max(MIN_ROWS, seen / 5)) {
            runIfDue(MIN_INTERVAL_NANOS, false);
        }
    }

    /** The consume loop found nothing to do: a good time to catch up. */
    void idle() {
        if (pending > 0) {
            runIfDue(MIN_IDLE_INTERVAL_NANOS, quiet());
        } else {
            marksIfQuiet();
        }
    }

    /** Whether the marks are due and no rows came in for a while. */
    private boolean quiet() {
        long now = nanos.getAsLong();
        return marksDue.get() && now - lastInsert >= MIN_IDLE_INTERVAL_NANOS
                && (!marked || now - lastMarks >= MARKS_INTERVAL_NANOS);
    }

    private void marksIfQuiet() {
        if (quiet()) {
            runIfDue(MIN_IDLE_INTERVAL_NANOS, true);
        }
    }

    private void runIfDue(long interval, boolean marks) {
        long now = nanos.getAsLong();
        if (ran && now - lastRun < interval || !running.compareAndSet(false, true)) {
            return;
        }
        ran = true;
        lastRun = now;
        long rows = pending;
        pending = 0;
        if (marks) {
            marksDue.set(false);
            marked = true;
            lastMarks = now;
        }
        thread.execute(() -> {
            try {
                job.run(marks);
                LOG.debug("refreshed the views' statistics after {} new rows{}", rows, marks ? ", and the page marks" : "");
            } catch (SQLException e) {
                if (marks) {
                    marksDue.set(true);
                }
                LOG.warn("could not refresh the views' statistics{} (autovacuum will{}): {}", marks
                        ? " and check the page marks" : "", marks ? "; the marks are checked again when idle" : "",
                        e.getMessage());
            } finally {
                running.set(false);
            }
        });
    }

    /**
     * Statistics for both big views; the visibility map for the one listed by index-only scans;
     * and, when {@code marks}, the page marks.
     */
    static void refresh(ServiceStore db, boolean marks) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM cannot run in a transaction
            s.execute("VACUUM (ANALYZE) agg_databases");
            s.execute("ANALYZE agg_deployments");
            if (marks) {
                PageMarks.takeIfOff(c);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
