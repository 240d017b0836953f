package dev.flotilla.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One section of the output: a title, a Markdown table, the target checks and notes. */
final class Report {
    private final String title;
    private final List<String[]> table = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Report(String title, String[] header) {
        this.title = title;
        table.add(header);
    }

    Report row(String... cells) {
        table.add(cells);
        return this;
    }

    Report check(Check c) {
        checks.add(c);
        return this;
    }

    Report note(String line) {
        notes.add(line);
        return this;
    }

    List<Check> checks() {
        return checks;
    }

    void print(PrintStream out) {
        out.println();
        out.println("### " + title);
        out.println();
        markdown(out, table);
        if (!checks.isEmpty()) {
            out.println();
            List<String[]> rows = new ArrayList<>();
            rows.add(Check.HEADER);
            checks.forEach(c -> rows.add(c.cells()));
            markdown(out, rows);
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(n -> out.println("- " + n));
        }
        out.flush();
    }

    static void markdown(PrintStream out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], Math.max(3, r[i].length()));
            }
        }
        for (int n = 0; n < rows.size(); n++) {
            StringBuilder b = new StringBuilder("|");
            for (int i = 0; i < cols; i++) {
                String cell = rows.get(n)[i];
                b.append(' ').append(i == 0 ? pad(cell, w[i]) : padLeft(cell, w[i])).append(" |");
            }
            out.println(b);
            if (n == 0) {
                StringBuilder sep = new StringBuilder("|");
                for (int i = 0; i < cols; i++) {
                    sep.append(i == 0 ? ":" : "-").append("-".repeat(w[i])).append(i == 0 ? "-|" : ":|");
                }
                out.println(sep);
            }
        }
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }

    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f×", v);
    }
}
