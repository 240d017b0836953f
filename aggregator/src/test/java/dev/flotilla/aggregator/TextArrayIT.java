package dev.flotilla.aggregator;

import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The views' own {@code text[]} literals reach PostgreSQL as the strings they were, whatever they hold. */
class TextArrayIT {
    @Test
    void everyElementComesBackAsItWas() throws Exception {
        String[] values = {"plain", "", null, "NULL", "a \"quoted\" word", "back\\slash\\", "\\\"", "{braces},commas",
            "  spaces  ", "line\nbreak\ttab", "ünïcødé ✓", "[{\"stmt\":\"CREATE TABLE t (\\\"x\\\" int);\"}]"};
        try (ScratchDatabase db = TestDatabases.postgresDatabase("textarray");
             Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM unnest(?::text[]) WITH ORDINALITY AS u(v, n)"
                     + " ORDER BY n")) {
            org.postgresql.util.PGobject a = new org.postgresql.util.PGobject();
            a.setType("text[]");
            a.setValue(JdbcViewWriter.textArray(values));
            ps.setObject(1, a);
            List<String> back = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    back.add(rs.getString(1));
                }
            }
            assertThat(back).containsExactlyElementsOf(Arrays.asList(values));
        }
    }
}
