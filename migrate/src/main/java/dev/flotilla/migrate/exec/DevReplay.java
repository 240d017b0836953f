package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.sql.Statement;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code migrate validate --dev-url}: replays every file on an empty dev database to prove the SQL
 * runs, and leaves that database as it found it (a rolled-back transaction on SQLite and
 * PostgreSQL; dropping what the replay created on MySQL, whose DDL cannot be rolled back).
 */
public final class DevReplay {
    private DevReplay() {
    }

    /**
     * Replays the directory.
     *
     * @throws FlotillaException {@link ErrorCode#STATEMENT_FAILED} naming the file, line and
     *     statement of the first failure; {@link ErrorCode#DATABASE_NOT_CLEAN} when the dev
     *     database has objects
     */
    public static void replay(DatabaseUrl dev, PreparedDirectory dir) {
        TargetDialect d = TargetDialect.of(dev.dialect());
        try (Connection c = JdbcConnector.open(dev, Duration.ofSeconds(10))) {
            d.bind(c, dev, true);
            Optional<String> found = d.firstUserObject(c, dev, "atlas_schema_revisions");
            if (found.isPresent()) {
                throw new FlotillaException(ErrorCode.DATABASE_NOT_CLEAN, "dev database " + dev.redacted()
                        + " is not clean: found " + found.get() + "; --dev-url must name an empty database or"
                        + " schema, e.g. sqlite://?mode=memory");
            }
            boolean rollback = dev.dialect() != Dialect.MYSQL;
            c.setAutoCommit(!rollback);
            try {
                run(c, d, dir);
            } finally {
                if (rollback) {
                    c.rollback();
                } else {
                    dropAll(c, dev.database());
                }
            }
        } catch (SQLException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "replaying on dev database " + dev.redacted()
                    + " failed: " + d.driverMessage(e), e);
        }
    }

    /**
     * The failure of a statement. For a sensitive file the statement and the values its message
     * echoes are masked, and the driver's exception is replaced by one with the masked message (and
     * the same SQLState and error code, which classify it), so no stack trace can show them.
     */
    private static FlotillaException failure(PreparedFile f, Statement s, TargetDialect d, Dialect dialect,
            SQLException e) {
        boolean sensitive = f.file().directives().sensitive();
        String shown = sensitive ? Sensitive.mask(s.text(), dialect) : s.text();
        String message = sensitive ? Sensitive.maskError(d.driverMessage(e), s.text(), dialect) : d.driverMessage(e);
        SQLException cause = sensitive ? new SQLException(message, e.getSQLState(), e.getErrorCode()) : e;
        return new FlotillaException(ErrorCode.STATEMENT_FAILED, "sql/migrate: executing statement "
                + Quoting.goQuote(shown) + " from version " + Quoting.goQuote(f.version()) + " (file "
                + f.name() + ", line " + s.line() + "): " + message, cause);
    }

    private static void run(Connection c, TargetDialect d, PreparedDirectory dir) {
        for (PreparedFile f : dir.files()) {
            for (Statement s : f.statements()) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.setEscapeProcessing(false);
                    st.execute(s.text());
                } catch (SQLException e) {
                    throw failure(f, s, d, dir.dialect(), e);
                }
            }
        }
    }

    private static void dropAll(Connection c, String schema) throws SQLException {
        List<String> drops = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT table_name, table_type FROM"
                + " information_schema.tables WHERE table_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(2).contains("VIEW") ? "VIEW" : "TABLE";
                    drops.add("DROP " + kind + " IF EXISTS " + Quoting.backtick(schema) + "."
                            + Quoting.backtick(rs.getString(1)));
                }
            }
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT routine_name, routine_type FROM"
                + " information_schema.routines WHERE routine_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    drops.add("DROP " + rs.getString(2) + " IF EXISTS " + Quoting.backtick(schema) + "."
                            + Quoting.backtick(rs.getString(1)));
                }
            }
        }
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET FOREIGN_KEY_CHECKS = 0");
            for (String sql : drops) {
                st.execute(sql);
            }
            st.execute("SET FOREIGN_KEY_CHECKS = 1");
        }
    }
}
