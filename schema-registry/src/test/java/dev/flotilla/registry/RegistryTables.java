package dev.flotilla.registry;

import dev.flotilla.testkit.ScratchDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every row of {@code registry_versions} and {@code registry_tags}, read straight from PostgreSQL
 * (archives as their MD5, timestamps to the microsecond), to prove a refused push changed nothing.
 *
 * @param versions one line per version row, ordered by id
 * @param tags one line per tag row, ordered by directory and tag
 */
record RegistryTables(List<String> versions, List<String> tags) {

    static RegistryTables read(ScratchDatabase db) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            return new RegistryTables(
                    rows(s, "SELECT version_id || '|' || directory || '|' || coalesce(latest_version, '<null>') || '|'"
                            + " || file_count || '|' || md5(archive) || '|' || created_at FROM registry_versions"
                            + " ORDER BY version_id"),
                    rows(s, "SELECT directory || '|' || tag || '|' || version_id || '|' || updated_at"
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

    @Override
    public String toString() {
        return versions.size() + " versions " + versions + ", " + tags.size() + " tags " + tags;
    }
}
