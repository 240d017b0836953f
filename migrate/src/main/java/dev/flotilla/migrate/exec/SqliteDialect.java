package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SQLite: one file per tenant. The revisions table lives in {@code main}. */
final class SqliteDialect extends TargetDialect {
    /** sqlite-jdbc: {@code [SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed (UNIQUE constraint failed: users.id)}. */
    private static final Pattern NATIVE = Pattern.compile("^\\[[A-Z_]+\\][^(]*\\((.*)\\)\\s*$", Pattern.DOTALL);

    @Override
    void bind(Connection c, DatabaseUrl url, boolean create) {
        // One schema per file; nothing to bind.
    }

    @Override
    String defaultRevisionsSchema() {
        return "main";
    }

    @Override
    String quote(String ident) {
        return Quoting.ansi(ident);
    }

    @Override
    String qualified(String schema) {
        return quote(TABLE);
    }

    @Override
    String createTableSql(String t) {
        return "CREATE TABLE " + t + " (`version` text NOT NULL, `description` text NOT NULL,"
                + " `type` integer NOT NULL DEFAULT 2, `applied` integer NOT NULL DEFAULT 0,"
                + " `total` integer NOT NULL DEFAULT 0, `executed_at` datetime NOT NULL,"
                + " `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL,"
                + " `hash` text NOT NULL, `partial_hashes` json NULL, `operator_version` text NOT NULL,"
                + " PRIMARY KEY (`version`))";
    }

    @Override
    void createSchema(Connection c, String schema) {
        // main always exists.
    }

    @Override
    String tableExistsQuery() {
        // One schema per file: the schema parameter is accepted and not needed.
        return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND ? IS NOT NULL AND name = ?";
    }

    @Override
    String upsertPrefix(String t) {
        return "INSERT INTO " + t + " " + placeholders() + " ON CONFLICT (version) DO UPDATE SET ";
    }

    @Override
    String takeNew(String col) {
        return col + " = excluded." + col;
    }

    @Override
    Optional<String> firstUserObject(Connection c, DatabaseUrl url, String revisionsSchema) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                     + " AND name <> '" + TABLE + "' AND tbl_name <> '" + TABLE + "' ORDER BY name LIMIT 1")) {
            return rs.next()
                    ? Optional.of(rs.getString(1) + " \"" + rs.getString(2) + "\" in schema \"main\"")
                    : Optional.empty();
        }
    }

    /**
     * An OS lock on a sidecar file {@code <db>.lock}: SQLite's own locks are per transaction,
     * and a second descriptor on the database file itself would drop SQLite's POSIX locks when
     * closed. The OS releases it when the process dies, so a crashed holder never blocks.
     */
    @Override
    TargetLock lock(Connection c, DatabaseUrl url, String revisionsSchema, Duration timeout) {
        if (url.inMemory()) {
            return TargetLock.none();
        }
        Path lockFile = url.sqliteFile().toAbsolutePath().resolveSibling(url.sqliteFile().getFileName() + ".lock");
        try {
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            Backoff backoff = new Backoff(timeout);
            while (true) {
                FileLock lock = tryLock(ch);
                if (lock != null) {
                    return () -> closeQuietly(lock, ch);
                }
                if (!backoff.pause()) {
                    ch.close();
                    throw Backoff.timeout(url, revisionsSchema, timeout);
                }
            }
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot lock " + lockFile + " for "
                    + url.redacted() + ": " + e.getMessage() + "; check that its directory is writable", e);
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static void closeQuietly(FileLock lock, FileChannel ch) {
        try {
            lock.release();
            ch.close();
        } catch (IOException e) {
            Backoff.LOG.debug("releasing the SQLite lock file failed; closing the channel releases it", e);
        }
    }

    @Override
    String driverMessage(SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = NATIVE.matcher(msg);
        return m.matches() ? m.group(1) : msg;
    }

    @Override
    void bindInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        ps.setString(index, GoTime.format(at));
    }

    @Override
    Instant readInstant(ResultSet rs, int index) throws SQLException {
        String v = rs.getString(index);
        if (v == null) {
            return null;
        }
        try {
            return GoTime.parse(v);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }
}
