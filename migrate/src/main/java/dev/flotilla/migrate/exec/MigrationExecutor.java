package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Applies a migration directory to one target database, Atlas-compatibly: it takes the target's
 * own lock, reads {@code atlas_schema_revisions}, runs the pending files in order and records
 * every file there. Thread-safe and stateless: one instance serves any number of targets.
 */
public final class MigrationExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationExecutor.class);

    /**
     * Connects to {@code url} and applies the pending files of {@code dir}.
     *
     * @return the result; a statement failure is reported in it, not thrown
     * @throws FlotillaException when the run cannot start or is refused (connection, lock,
     *     non-linear history, dirty database, …); nothing was changed then
     */
    public ApplyResult apply(DatabaseUrl url, PreparedDirectory dir, ApplyOptions options, ApplyListener listener) {
        try (Connection c = JdbcConnector.open(url, options.connectTimeout())) {
            return apply(c, url, dir, options, listener, true);
        } catch (SQLException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "closing the connection to " + url.redacted()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Applies on a connection the caller owns (and may reuse for other targets of the same server).
     * However the run ends, it leaves the connection in autocommit with no open transaction and
     * the target's lock released.
     */
    public ApplyResult apply(Connection c, DatabaseUrl url, PreparedDirectory dir, ApplyOptions options,
            ApplyListener listener) {
        return apply(c, url, dir, options, listener, false);
    }

    /**
     * @param closing whether the connection is closed right after: a lock that ends with the
     *     session ({@link TargetDialect#lockEndsWithSession()}) is then left to the close
     */
    private ApplyResult apply(Connection c, DatabaseUrl url, PreparedDirectory dir, ApplyOptions options,
            ApplyListener listener, boolean closing) {
        checkDialect(url, dir);
        TargetDialect d = TargetDialect.of(url.dialect());
        String schema = revisionsSchema(url, options, d);
        Instant start = Instant.now();
        try {
            c.setAutoCommit(true);
            d.bind(c, url, false); // a missing schema is created with the first write, under the lock
            TargetLock lock = d.lock(c, url, schema, options.lockTimeout());
            try {
                return locked(c, url, d, schema, dir, options, listener, start);
            } finally {
                endTransaction(c, url);
                if (!closing || !d.lockEndsWithSession()) {
                    lock.close();
                }
            }
        } catch (SQLException e) {
            throw new FlotillaException(ErrorCode.REVISIONS_INVALID, "sql/migrate: reading or writing "
                    + TargetDialect.TABLE + " in schema \"" + schema + "\" of " + url.redacted() + " failed: "
                    + d.driverMessage(e) + "; check that the user may create and write that table", e);
        }
    }

    /**
     * Rolls back a transaction an exception left open, so that the lock can be released on a
     * usable session and a reused connection starts clean. Never throws: the run's own outcome
     * (result or exception) is what the caller must see.
     */
    private static void endTransaction(Connection c, DatabaseUrl url) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            LOG.warn("rolling back the open transaction on {} failed; the connection should be discarded: {}",
                    url.redacted(), e.getMessage());
        }
    }

    private ApplyResult locked(Connection c, DatabaseUrl url, TargetDialect d, String schema, PreparedDirectory dir,
            ApplyOptions o, ApplyListener listener, Instant start) throws SQLException {
        TargetDialect.Catalog catalog = d.inspect(c, url, schema);
        List<Revision> rows = catalog.tableExists() ? d.readAll(c, schema) : List.of();
        String targetId = identity(rows);
        try (RevisionsTable table = new RevisionsTable(c, d, schema, catalog.missingSchemas(),
                !catalog.tableExists())) {
            if (targetId == null && !o.dryRun()) {
                targetId = UUID.randomUUID().toString();
                table.writeLater(new Revision(Revision.CLOUD_IDENTIFIER, targetId, 0, 0, 0, Instant.now(), 0, null,
                        null, "", null, o.operatorVersion()));
            }
            Plan plan = Planner.plan(dir, rows, o, () -> catalog.firstUserObject() != null
                    ? catalog.firstUserObject() : d.firstUserObject(c, url, schema), false);
            listener.planned(plan.current(), plan.pending().isEmpty() ? null : plan.target(), plan.pending());
            if (plan.baseline() != null && !o.dryRun()) {
                table.writeLater(plan.baseline());
            }
            if (!o.dryRun() && plan.pending().isEmpty()) {
                table.bootstrap();
            } else if (!o.dryRun() && !d.transactionalDdl()) {
                table.createTable(); // its rows go with the first file's first write
            }
            List<FileResult> results = run(c, d, url, schema, table, plan, o, listener);
            FileResult last = results.isEmpty() ? null : results.get(results.size() - 1);
            String error = last == null || last.error() == null ? null : errorLine(last);
            if (error != null) {
                LOG.info("apply on {} failed at version {}: {}", url.redacted(), last.version(),
                        last.error().text());
            }
            return new ApplyResult(targetId, url.redacted(), url.dialect().name(), refs(plan.pending()), results,
                    plan.current(), plan.pending().isEmpty() ? null : plan.target(), start, Instant.now(), error,
                    o.dryRun(), plan.baseline() != null);
        }
    }

    private List<FileResult> run(Connection c, TargetDialect d, DatabaseUrl url, String schema,
            RevisionsTable table, Plan plan, ApplyOptions o, ApplyListener listener) throws SQLException {
        FileRunner runner = new FileRunner(c, d, url.dialect(), schema, table, o, listener);
        boolean all = o.txMode() == TxMode.ALL && !o.dryRun();
        if (all) {
            checkAllMode(plan.pending());
            table.begin();
        }
        List<FileResult> results = new ArrayList<>();
        for (PreparedFile f : plan.pending()) {
            TxMode mode = f.file().directives().txMode() != null ? f.file().directives().txMode() : o.txMode();
            FileResult r = runner.run(f, plan.revisions().get(f.version()), mode, all);
            results.add(r);
            if (r.error() != null) {
                return results;
            }
        }
        if (all) {
            table.commit();
        } else if (!o.dryRun()) {
            table.autocommit(); // files commit without leaving it, so that the next needs no statement to begin
        }
        return results;
    }

    private static void checkAllMode(List<PreparedFile> pending) {
        for (PreparedFile f : pending) {
            if (f.file().directives().txMode() == TxMode.NONE) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "file \"" + f.name() + "\" has"
                        + " '-- atlas:txmode none', which cannot run inside --tx-mode all; use --tx-mode file");
            }
        }
    }

    /**
     * Reads what {@code migrate status} shows. Takes no lock and writes nothing.
     */
    public StatusReport status(DatabaseUrl url, PreparedDirectory dir, ApplyOptions options) {
        checkDialect(url, dir);
        TargetDialect d = TargetDialect.of(url.dialect());
        String schema = revisionsSchema(url, options, d);
        try (Connection c = JdbcConnector.open(url, options.connectTimeout())) {
            d.bind(c, url, false);
            List<Revision> rows = d.tableExists(c, schema) ? d.readAll(c, schema) : List.of();
            ApplyOptions everything = options.toBuilder().amount(0).toVersion(null).build();
            Plan plan = Planner.plan(dir, rows, everything, java.util.Optional::empty, true);
            return StatusMaker.make(plan);
        } catch (SQLException e) {
            throw new FlotillaException(ErrorCode.REVISIONS_INVALID, "sql/migrate: reading " + TargetDialect.TABLE
                    + " of " + url.redacted() + " failed: " + d.driverMessage(e), e);
        }
    }

    /**
     * The target's revision rows (identity row included), without a directory: what {@code verify}
     * compares the views with. Takes no lock and writes nothing; empty when there is no table.
     */
    public List<Revision> revisions(DatabaseUrl url, ApplyOptions options) {
        TargetDialect d = TargetDialect.of(url.dialect());
        String schema = revisionsSchema(url, options, d);
        try (Connection c = JdbcConnector.open(url, options.connectTimeout())) {
            d.bind(c, url, false);
            return d.tableExists(c, schema) ? d.readAll(c, schema) : List.of();
        } catch (SQLException e) {
            throw new FlotillaException(ErrorCode.REVISIONS_INVALID, "sql/migrate: reading " + TargetDialect.TABLE
                    + " of " + url.redacted() + " failed: " + d.driverMessage(e), e);
        }
    }

    private static void checkDialect(DatabaseUrl url, PreparedDirectory dir) {
        if (url.dialect() != dir.dialect()) {
            throw new IllegalArgumentException("directory prepared for " + dir.dialect() + " but target "
                    + url.redacted() + " is " + url.dialect());
        }
    }

    static String revisionsSchema(DatabaseUrl url, ApplyOptions o, TargetDialect d) {
        if (o.revisionsSchema() != null) {
            return Quoting.checkName("--revisions-schema", o.revisionsSchema());
        }
        return url.schema().orElse(d.defaultRevisionsSchema());
    }

    private static String identity(List<Revision> rows) {
        for (Revision r : rows) {
            if (Revision.CLOUD_IDENTIFIER.equals(r.version())) {
                return r.description();
            }
        }
        return null;
    }

    private static String errorLine(FileResult f) {
        return "sql/migrate: executing statement " + Quoting.goQuote(f.error().stmt()) + " from version "
                + Quoting.goQuote(f.version()) + ": " + f.error().text();
    }

    private static List<ApplyResult.FileRef> refs(List<PreparedFile> files) {
        List<ApplyResult.FileRef> out = new ArrayList<>(files.size());
        for (PreparedFile f : files) {
            out.add(new ApplyResult.FileRef(f.name(), f.version(), f.file().description()));
        }
        return out;
    }
}
