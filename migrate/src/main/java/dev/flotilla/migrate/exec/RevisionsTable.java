package dev.flotilla.migrate.exec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The target's {@code atlas_schema_revisions} table during one apply, and the transactions the
 * run opens on the target connection.
 *
 * <p>What a new target needs before its first file (missing schemas, the table, the identity row,
 * a baseline row) is not written on its own: it is <em>pending</em> until the first write, and
 * written in that write's transaction, which is the first file's. In tx-mode file a new target
 * thus commits once per file, and its bootstrap is durable exactly when the first file's row is.
 * A rollback takes a bootstrap written in that transaction with it; the next write redoes it
 * (after a failed first file: bootstrap and the failed row together, in one transaction). This
 * needs transactional DDL; where DDL commits implicitly ({@link TargetDialect#transactionalDdl()}
 * false: MySQL), the executor creates the schemas and the table before any file
 * ({@link #createTable()}, each statement its own commit) and leaves only the rows pending, for
 * the first file's first write.
 *
 * <p>One upsert statement is prepared per run and reused for every row. Not thread-safe: one run,
 * one connection.
 */
final class RevisionsTable implements AutoCloseable {
    private enum State {
        /** Nothing is pending. */
        READY,
        /** Schemas, table or rows still have to be written. */
        PENDING,
        /** Written in the open transaction, which has not committed yet. */
        UNCOMMITTED
    }

    private final Connection conn;
    private final TargetDialect dialect;
    private final String schema;
    private final List<String> missingSchemas;
    private final List<Revision> pendingRows = new ArrayList<>();
    private boolean createTable;
    private State state;
    private PreparedStatement upsert;

    /**
     * @param missingSchemas schemas to create first
     * @param createTable whether the table is missing
     */
    RevisionsTable(Connection conn, TargetDialect dialect, String schema, List<String> missingSchemas,
            boolean createTable) {
        this.conn = conn;
        this.dialect = dialect;
        this.schema = schema;
        this.missingSchemas = new ArrayList<>(missingSchemas);
        this.createTable = createTable;
        this.state = createTable || !missingSchemas.isEmpty() ? State.PENDING : State.READY;
    }

    /** Writes {@code r} with the bootstrap: in the first write's transaction, before that write. */
    void writeLater(Revision r) {
        pendingRows.add(r);
        if (state == State.READY) {
            state = State.PENDING;
        }
    }

    /** Opens a transaction. */
    void begin() throws SQLException {
        conn.setAutoCommit(false);
    }

    /** Commits the open transaction and returns to autocommit. */
    void commit() throws SQLException {
        conn.commit();
        conn.setAutoCommit(true);
        if (state == State.UNCOMMITTED) {
            finished();
        }
    }

    /**
     * Commits the open transaction and stays out of autocommit, so the next transaction needs no
     * statement to open: at the end of a file's own transaction (the next file's {@link #begin()}
     * then sends nothing; {@link #autocommit()} ends the run's), and on MySQL right after a
     * statement that committed implicitly, so that the row recording it is durable before
     * anything else runs.
     */
    void checkpoint() throws SQLException {
        conn.commit();
        if (state == State.UNCOMMITTED) {
            finished();
        }
    }

    /** Returns to autocommit; nothing may be uncommitted (after {@link #checkpoint()}). */
    void autocommit() throws SQLException {
        conn.setAutoCommit(true);
    }

    /**
     * Creates the missing schemas and the table now, in autocommit, and leaves the rows pending:
     * for MySQL, where the DDL would commit whatever transaction it ran in.
     */
    void createTable() throws SQLException {
        if (state != State.PENDING || (!createTable && missingSchemas.isEmpty())) {
            return;
        }
        createSchemasAndTable();
        missingSchemas.clear();
        createTable = false;
        if (pendingRows.isEmpty()) {
            state = State.READY;
        }
    }

    /** Rolls the open transaction back and returns to autocommit; a bootstrap written in it is pending again. */
    void rollback() throws SQLException {
        conn.rollback();
        conn.setAutoCommit(true);
        if (state == State.UNCOMMITTED) {
            state = State.PENDING;
            closeUpsert(); // its table may be gone with the transaction
        }
    }

    /**
     * Writes whatever is pending: in the open transaction, else in a transaction of its own.
     * Called before a file's statements, so that the schemas they run in exist.
     */
    void bootstrap() throws SQLException {
        if (state != State.PENDING) {
            return;
        }
        if (conn.getAutoCommit()) {
            begin();
            writePending();
            commit();
        } else {
            writePending();
        }
    }

    /** Upserts one row; pending rows first, in the same transaction. */
    void write(Revision r) throws SQLException {
        if (state == State.PENDING && conn.getAutoCommit()) {
            begin();
            writePending();
            upsert(r);
            commit();
            return;
        }
        if (state == State.PENDING) {
            writePending();
        }
        upsert(r);
    }

    private void writePending() throws SQLException {
        createSchemasAndTable();
        for (Revision r : pendingRows) {
            upsert(r);
        }
        state = State.UNCOMMITTED; // callers always write it inside a transaction
    }

    private void createSchemasAndTable() throws SQLException {
        for (String s : missingSchemas) {
            dialect.createSchema(conn, s);
        }
        if (createTable) {
            try (Statement s = conn.createStatement()) {
                s.execute(dialect.createTableSql(dialect.qualified(schema)));
            }
        }
    }

    private void finished() {
        state = State.READY;
        missingSchemas.clear();
        createTable = false;
        pendingRows.clear();
    }

    private void upsert(Revision r) throws SQLException {
        if (upsert == null) {
            upsert = conn.prepareStatement(dialect.upsertSql(dialect.qualified(schema)));
        }
        dialect.bindRow(upsert, r);
        upsert.executeUpdate();
    }

    private void closeUpsert() {
        if (upsert != null) {
            try {
                upsert.close();
            } catch (SQLException e) {
                Backoff.LOG.debug("closing the revisions upsert failed", e);
            }
            upsert = null;
        }
    }

    @Override
    public void close() {
        closeUpsert();
    }
}
