package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Text output of the {@code cloud} commands in Atlas' shape: columns padded with spaces to the
 * widest cell and two spaces apart (no trailing blanks), and the paging footer of list commands.
 */
final class Table {
    static final String NONE = "-";
    private static final String GAP = "  ";
    private static final String RULE = "-".repeat(32);

    private final List<String[]> rows = new ArrayList<>();

    /** A table whose first row is {@code header}; pass no header for key/value lines. */
    Table(String... header) {
        if (header.length > 0) {
            rows.add(header.clone());
        }
    }

    /** Adds a row; null cells print as {@code -}. */
    Table row(String... cells) {
        String[] copy = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            copy[i] = cells[i] == null || cells[i].isEmpty() ? NONE : cells[i];
        }
        rows.add(copy);
        return this;
    }

    void print(PrintWriter out) {
        int[] widths = widths();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length())).append(GAP);
                }
            }
            out.println(line);
        }
    }

    private int[] widths() {
        int columns = 0;
        for (String[] row : rows) {
            columns = Math.max(columns, row.length);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        return widths;
    }

    /** The footer under a list: a rule and {@code Page: 1 Page Size: 20 Total: N}, from the server's page info. */
    static void footer(PrintWriter out, JsonNode page, int shown) {
        out.println(RULE);
        out.println("Page: " + page.path("page").asInt(1) + " Page Size: " + page.path("pageSize").asInt(20)
                + " Total: " + page.path("total").asLong(shown));
    }

    /** A text field of a server object, or null when missing or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
