package dev.flotilla.registry;

import dev.flotilla.testkit.ScratchDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every row of {@code registry_versions} and {@code registry_tags}, read straight from PostgreSQL, to
 * prove a refused push changed nothing. Each row carries its {@code xmin} (the transaction that last
 * wrote it), so even an update that rewrites the same values shows; archives are compared by
 * length, their content being fixed by the version id (its SHA-256) and the xmin.
 *
 * @param versions one line per version row, ordered by id
 * @param tags one line per tag row, ordered by directory and tag
 */
record RegistryTables(List<String> versions, List<String> tags) {

    static RegistryTables read(ScratchDatabase db) {
        try (Connection c = db.connect()) {
            return read(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + db.name() + ": " + e.getMessage(), e);
        }
    }

    /** Reads on an open connection (autocommit), for tests that snapshot after every push. */
    static RegistryTables read(Connection c) {
        try (Statement s = c.createStatement()) {
            return new RegistryTables(
                    rows(s, "SELECT version_id || '|' || directory || '|' || coalesce(latest_version, '<null>') || '|'"
                            + " || file_count || '|' || length(archive) || '|' || created_at || '|' || xmin"
                            + " FROM registry_versions ORDER BY version_id"),
                    rows(s, "SELECT directory || '|' || tag || '|' || version_id || '|' || updated_at || '|' || xmin"
                            + " FROM registry_tags ORDER BY directory, tag"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the registry tables: " + e.getMessage(), e);
        }
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * The same rows without their xmin: the values alone. An identical re-push rewrites its tag rows
     * with the values they had (a new xmin), which is not a change of content.
     */
    RegistryTables values() {
        return new RegistryTables(versions.stream().map(RegistryTables::dropXmin).toList(),
                tags.stream().map(RegistryTables::dropXmin).toList());
    }

    private static String dropXmin(String row) {
        return row.substring(0, row.lastIndexOf('|'));
    }

    @Override
    public String toString() {
        return versions.size() + " versions " + versions + ", " + tags.size() + " tags " + tags;
    }
}
