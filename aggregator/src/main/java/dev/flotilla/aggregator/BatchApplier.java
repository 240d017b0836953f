package dev.flotilla.aggregator;

import dev.flotilla.fabric.ServiceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a polled batch to the views in one transaction. When PostgreSQL rejects a value an event
 * holds ({@link ViewErrors#eventsFault}), retrying the batch would fail forever and stop the views:
 * the batch is applied again one event at a time, each behind a savepoint, and the events that
 * fail alone are handed to {@link Rejects} (the dead-letter topic) while the others are kept.
 */
final class BatchApplier {
    private static final Logger LOG = LoggerFactory.getLogger(BatchApplier.class);

    /** Where an event the views cannot take goes. */
    @FunctionalInterface
    interface Rejects {
        /** Parks {@code events.get(index)}; returns once it is safely kept elsewhere. */
        void park(int index, String reason);
    }

    /** Sets are never deleted from the views: once one is committed, commands and results need not ensure it. */
    private static final int KNOWN_SETS = 10_000;

    private final ServiceStore db;
    private final Set<String> knownSets = new HashSet<>();

    BatchApplier(ServiceStore db) {
        this.db = db;
    }

    /**
     * Applies {@code events} (decoded events; other values, such as null for one that did not
     * decode, are skipped) and commits.
     *
     * @return what was applied; indices refer to {@code events}
     * @throws SQLException when the batch failed for a reason that retrying may cure
     */
    JdbcViewWriter.Applied apply(List<?> events, Rejects rejects) throws SQLException {
        try {
            return inOneTransaction(events);
        } catch (SQLException e) {
            if (!ViewErrors.eventsFault(e)) {
                throw e;
            }
            LOG.warn("the views rejected a value in a batch of {} events ({}); applying them one by one to park"
                    + " the event at fault", events.size(), ViewErrors.reason(e));
            return oneByOne(events, rejects);
        }
    }

    private JdbcViewWriter.Applied inOneTransaction(List<?> events) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                JdbcViewWriter.Applied applied = new JdbcViewWriter(c, knownSets).apply(events);
                c.commit();
                known(applied.sets());
                return applied;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void known(Set<String> sets) {
        if (knownSets.size() + sets.size() > KNOWN_SETS) {
            knownSets.clear();
        }
        knownSets.addAll(sets);
    }

    private JdbcViewWriter.Applied oneByOne(List<?> events, Rejects rejects) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                JdbcViewWriter w = new JdbcViewWriter(c, knownSets);
                List<Integer> changed = new ArrayList<>();
                Set<String> sets = new HashSet<>();
                PageMarks.NewRows newRows = new PageMarks.NewRows();
                int inserted = 0;
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i) == null) {
                        continue;
                    }
                    Savepoint before = c.setSavepoint();
                    try {
                        // The marks are counted once, last: their lock is held until the commit.
                        JdbcViewWriter.Applied one = w.write(List.of(events.get(i)));
                        c.releaseSavepoint(before);
                        newRows.addAll(one.newRows());
                        if (!one.changed().isEmpty()) {
                            changed.add(i);
                        }
                        inserted += one.newDeployments();
                        sets.addAll(one.sets());
                    } catch (SQLException e) {
                        if (!ViewErrors.eventsFault(e)) {
                            throw e;
                        }
                        c.rollback(before);
                        rejects.park(i, "the views reject it: " + ViewErrors.reason(e));
                    }
                }
                PageMarks.count(c, newRows);
                c.commit();
                known(sets);
                return new JdbcViewWriter.Applied(changed, inserted, sets, newRows);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
