package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;
import dev.flotilla.migrate.sql.Dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one file on one target and keeps its revision row as Atlas does: written at start and
 * after each statement in tx-mode none, at MySQL's commit points (implicit commits) in a file's
 * transaction there, written once with the file otherwise ({@link Rows}); the last statement's
 * row is the "done" row, written once. On failure the row records the error and statement.
 */
final class FileRunner {
    private final Connection conn;
    private final TargetDialect dialect;
    private final Dialect kind;
    private final String schema;
    private final RevisionsTable table;
    private final ApplyOptions options;
    private final ApplyListener listener;

    FileRunner(Connection conn, TargetDialect dialect, Dialect kind, String schema, RevisionsTable table,
            ApplyOptions options, ApplyListener listener) {
        this.conn = conn;
        this.dialect = dialect;
        this.kind = kind;
        this.schema = schema;
        this.table = table;
        this.options = options;
        this.listener = listener;
    }

    /** Where a file's revision row is written while it runs. */
    private enum Rows {
        /** Once, with the file, in its transaction: the database rolls statements back (PostgreSQL, SQLite). */
        ONCE,
        /** At start and after every statement: tx-mode none, where each statement commits on its own. */
        EVERY_STATEMENT,
        /**
         * Where MySQL commits: after a statement that commits implicitly (DDL and the like), and
         * committed with it; before one, when DML ran since the last row, so that its implicit
         * commit takes the DML and the row together; with the file at its end. A file that is
         * not resumed has no start row: until its first commit point there is nothing to resume.
         */
        COMMIT_POINTS
    }

    /**
     * Runs the file. {@code mode} is the file's effective mode; {@code outerTx} is set in
     * tx-mode all, where the caller owns the transaction.
     */
    FileResult run(PreparedFile f, Revision existing, TxMode mode, boolean outerTx) throws SQLException {
        int from = existing != null && existing.partial() ? (int) existing.applied() : 0;
        checkHistory(f, existing, from);
        Instant start = Instant.now();
        Instant executedAt = existing != null && existing.executedAt() != null ? existing.executedAt() : start;
        Revision row = new Revision(f.version(), f.file().description(), Revision.EXECUTE, from,
                f.statements().size(), executedAt, 0, null, null, f.hash(), prefix(f, from),
                options.operatorVersion());
        listener.fileStarted(f);
        List<String> shown = new ArrayList<>();
        if (options.dryRun()) {
            for (int i = from; i < f.statements().size(); i++) {
                shown.add(show(f, i));
                listener.statementStarted(f, shown.get(shown.size() - 1));
            }
            return finish(f, start, from, shown, null);
        }
        boolean ownTx = mode == TxMode.FILE && !outerTx;
        Rows rows = mode == TxMode.NONE ? Rows.EVERY_STATEMENT
                : kind == Dialect.MYSQL ? Rows.COMMIT_POINTS : Rows.ONCE;
        if (ownTx) {
            table.begin();
        } else if (mode == TxMode.NONE) {
            table.autocommit(); // the previous file's transaction committed and left it off
        }
        // A new target's schemas, table and first rows go into this file's transaction (or, in
        // tx-mode none, commit with its first progress row), before the statements that need them;
        // on MySQL the table exists already and its rows go with this file's first row.
        if (rows == Rows.EVERY_STATEMENT || rows == Rows.COMMIT_POINTS && existing != null) {
            table.write(row);
        } else if (rows == Rows.ONCE) {
            table.bootstrap();
        }
        Progress p = new Progress(f, row, rows, outerTx);
        try (Statement s = conn.createStatement()) {
            s.setEscapeProcessing(false);
            for (int i = from; i < f.statements().size(); i++) {
                boolean commits = p.beforeStatement(i);
                shown.add(show(f, i));
                listener.statementStarted(f, shown.get(shown.size() - 1));
                try {
                    s.execute(f.statements().get(i).text());
                } catch (SQLException e) {
                    return failed(f, p.row, i, e, mode, ownTx || outerTx, start, from, shown);
                }
                p.afterStatement(i, commits);
            }
        }
        p.recordDone();
        if (ownTx) {
            table.checkpoint();
        }
        return finish(f, start, from, shown, null);
    }

    /** The file's row as it runs, and when it is written ({@link Rows}). */
    private final class Progress {
        private final PreparedFile f;
        private final Rows rows;
        private final boolean outerTx;
        private final long t0 = System.nanoTime();
        private Revision row;
        /** Statements run since the row was last written. */
        private int unrecorded;
        private boolean recordedDone;

        Progress(PreparedFile f, Revision row, Rows rows, boolean outerTx) {
            this.f = f;
            this.row = row;
            this.rows = rows;
            this.outerTx = outerTx;
        }

        /** Before statement {@code i}: whether it may commit on its own; if so, the DML before it is recorded first. */
        boolean beforeStatement(int i) throws SQLException {
            boolean commits = rows == Rows.COMMIT_POINTS
                    && MysqlDialect.commitsImplicitly(f.statements().get(i).text());
            if (commits && unrecorded > 0) {
                write(progress(row, f, i, System.nanoTime() - t0));
            }
            return commits;
        }

        /**
         * After statement {@code i}. The last statement's row is the file's "done" row, written
         * once. After an implicit commit the row is committed at once (in the file's own
         * transaction the file's commit does that for the last statement).
         */
        void afterStatement(int i, boolean commits) throws SQLException {
            unrecorded++;
            boolean last = i + 1 == f.statements().size();
            if (commits || rows == Rows.EVERY_STATEMENT && !last) {
                write(last ? done(row, System.nanoTime() - t0) : progress(row, f, i + 1, System.nanoTime() - t0));
                recordedDone = last;
            }
            if (commits && (!last || outerTx)) {
                table.checkpoint();
            }
        }

        /** Writes the "done" row unless the last statement's write was it. */
        void recordDone() throws SQLException {
            if (!recordedDone) {
                write(done(row, System.nanoTime() - t0));
            }
        }

        private void write(Revision r) throws SQLException {
            row = r;
            table.write(r);
            unrecorded = 0;
        }
    }

    /**
     * Records the failure of statement {@code index}. For a sensitive file the statement is
     * masked and so is every value of it that the driver's message echoes, in the result and in
     * the revisions row (error, error_stmt) alike.
     */
    private FileResult failed(PreparedFile f, Revision row, int index, SQLException e, TxMode mode,
            boolean inTx, Instant start, int from, List<String> shown) throws SQLException {
        String message = errorText(f, index, e);
        String stmt = shown.get(shown.size() - 1);
        if (inTx) {
            table.rollback();
        }
        long applied = mode == TxMode.NONE ? index : persistedApplied(f, from);
        Revision failed = new Revision(row.version(), row.description(), row.type(), applied, row.total(),
                row.executedAt(), row.executionTime(), message, stmt, row.hash(), prefix(f, (int) applied),
                row.operatorVersion());
        table.write(failed);
        return finish(f, start, from, shown, new FileResult.StatementError(stmt, message,
                FailureClassifier.classify(e).isTransient()));
    }

    private String errorText(PreparedFile f, int index, SQLException e) {
        String message = dialect.driverMessage(e);
        return f.file().directives().sensitive()
                ? Sensitive.maskError(message, f.statements().get(index).text(), kind) : message;
    }

    /** After a rollback: what the table says ran (MySQL DDL commits on its own), else what ran before. */
    private long persistedApplied(PreparedFile f, int from) throws SQLException {
        if (kind != Dialect.MYSQL) {
            return from;
        }
        for (Revision r : dialect.readAll(conn, schema)) {
            if (r.version().equals(f.version())) {
                return r.applied();
            }
        }
        return from;
    }

    private void checkHistory(PreparedFile f, Revision existing, int from) {
        if (from == 0 || existing.partialHashes() == null) {
            return;
        }
        List<String> stored = existing.partialHashes();
        for (int i = 0; i < from && i < stored.size(); i++) {
            if (i >= f.partialHashes().size() || !stored.get(i).equals(f.partialHashes().get(i))) {
                throw new FlotillaException(ErrorCode.HISTORY_CHANGED, "sql/migrate: statement " + (i + 1)
                        + " of partially applied file \"" + f.name() + "\" was changed after it ran (its hash"
                        + " no longer matches atlas_schema_revisions): restore the " + from + " statement(s) that"
                        + " already ran and change only the failing statement and those after it");
            }
        }
    }

    private String show(PreparedFile f, int i) {
        String text = f.statements().get(i).text();
        return f.file().directives().sensitive() ? Sensitive.mask(text, kind) : text;
    }

    private static List<String> prefix(PreparedFile f, int n) {
        return n == 0 ? null : List.copyOf(f.partialHashes().subList(0, n));
    }

    private static Revision progress(Revision r, PreparedFile f, int applied, long nanos) {
        return new Revision(r.version(), r.description(), r.type(), applied, r.total(), r.executedAt(), nanos, null,
                null, r.hash(), prefix(f, applied), r.operatorVersion());
    }

    private static Revision done(Revision r, long nanos) {
        return new Revision(r.version(), r.description(), r.type(), r.total(), r.total(), r.executedAt(), nanos,
                null, null, r.hash(), null, r.operatorVersion());
    }

    private FileResult finish(PreparedFile f, Instant start, int from, List<String> shown,
            FileResult.StatementError error) {
        FileResult r = new FileResult(f.name(), f.version(), f.file().description(), start, Instant.now(), from,
                List.copyOf(shown), error);
        listener.fileFinished(r);
        return r;
    }
}
